import type { WrapOptions, WrapResult } from './wrap.js';

/**
 * Builds a precompiled CGI script (see `wrap.ts`). esbuild and zod are loaded
 * only when this is called, so that importing the adapter in a CGI script
 * costs nothing for them.
 */
export async function wrapCgi(options: WrapOptions): Promise<WrapResult> {
  const { wrapCgi: wrap } = await import('./wrap.js');
  return wrap(options);
}
