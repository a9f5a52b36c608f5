/** The version of @tsgi/server, from its package.json (one level above both src/ and dist/). @module */
import { createRequire } from 'node:module';

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
