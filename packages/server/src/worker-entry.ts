/** The module a worker process runs: see worker.ts. @module */
import { runWorker } from './worker.js';

await runWorker();
