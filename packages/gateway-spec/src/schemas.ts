/**
 * zod schemas of the environ and the response, the run-time twins of the
 * types in `types.ts`. `schemas.test-d.ts` fails to compile when the two
 * drift apart. The schemas check types and shapes; what zod does badly (byte
 * ranges of header values, frozen objects, the chunks an iterable yields) is
 * checked in plain code by the validator (`validator/`), which uses these
 * schemas for the types of the environ's keys.
 *
 * What the inferred types cannot say (documented in `schemas.test-d.ts`):
 * iterable bodies, `tsgi.input` and `tsgi.errors` are `z.custom` schemas whose
 * type is declared, not proved (only the method is checked); the response's
 * "other keys contain a dot" rule is a refinement, so its inferred type has a
 * `string` index signature where `TsgiResponse` has a dotted one.
 * @module
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import type { AppState, BodyChunk, ErrorStream, Extensions, InputStream } from './types.js';
import { hasMethod, isAsyncIterable, isPlainObject, isSyncIterable } from './validator/inspect.js';

/** `[name, value]`, two strings (RESP-HDR-1); their characters are the validator's (RESP-HDR-2, RESP-HDR-3). */
export const headerPairSchema = z.tuple([z.string(), z.string()]).readonly().describe('a [name, value] pair of strings');

/** Header pairs in order (RESP-HDR-1, RESP-HDR-7). */
export const headerListSchema = z.array(headerPairSchema).readonly().describe('an array of [name, value] pairs');

/** A byte offset or count: a non-negative safe integer (BODY-FORM-5). */
const byteCountSchema = z.number().int().nonnegative();

/** A file body (BODY-FORM-4) with an absolute path (BODY-FORM-5). */
export const fileBodySchema = z
  .object({
    type: z.literal('tsgi.file'),
    path: z.string().refine((path) => isAbsolute(path) && !path.includes('\0'), 'path must be absolute'),
    offset: byteCountSchema.optional(),
    length: byteCountSchema.optional(),
  })
  .readonly()
  .describe('a file body { type: "tsgi.file", path, offset?, length? }');

/**
 * Every form of body (BODY-FORM-1). The iterables are only recognised here:
 * what they yield is checked chunk by chunk by the validator (BODY-FORM-3).
 */
export const responseBodySchema = z
  .union([
    z.undefined(),
    z.null(),
    z.string(),
    // Not z.instanceof: it infers Uint8Array<ArrayBuffer>, narrower than the contract's Uint8Array.
    z.custom<Uint8Array>((value) => value instanceof Uint8Array),
    fileBodySchema,
    z.custom<Iterable<BodyChunk>>(isSyncIterable),
    z.custom<AsyncIterable<BodyChunk>>(isAsyncIterable),
  ])
  .describe('absent, null, a string, a Uint8Array, a file body, a sync iterable or an async iterable');

/** The keys a response may have besides extension keys, which contain a dot (RESP-SHAPE-1). */
export const RESPONSE_KEYS: ReadonlySet<string> = new Set(['status', 'headers', 'body']);

/** A response object (RESP-SHAPE-1, RESP-STATUS-1, RESP-HDR-1, BODY-FORM-1). */
export const responseSchema = z
  .looseObject({
    status: z.number().int().min(200).max(599).describe('an integer from 200 to 599'),
    headers: headerListSchema.optional(),
    body: responseBodySchema.optional(),
  })
  .superRefine((response, ctx) => {
    for (const key of Object.keys(response)) {
      if (!RESPONSE_KEYS.has(key) && !key.includes('.')) {
        ctx.addIssue({ code: 'custom', path: [key], message: `key ${JSON.stringify(key)} is not status, headers, body or a dotted extension key` });
      }
    }
  });

/**
 * The keys section 2 of the spec defines, each with the type of its value.
 * Optional keys are absent when they do not apply; present, they are strings,
 * never `undefined` (ENV-OBJ-2): check a present one with `.unwrap()`.
 */
export const environShape = {
  REQUEST_METHOD: z.string().describe('a string'),
  SCRIPT_NAME: z.string().describe('a string'),
  PATH_INFO: z.string().describe('a string'),
  QUERY_STRING: z.string().describe('a string'),
  REQUEST_URI: z.string().describe('a string'),
  CONTENT_TYPE: z.string().describe('a string').optional(),
  CONTENT_LENGTH: z.string().describe('a string').optional(),
  SERVER_NAME: z.string().describe('a string'),
  SERVER_PORT: z.string().describe('a string'),
  SERVER_PROTOCOL: z.string().describe('a string'),
  REMOTE_ADDR: z.string().describe('a string'),
  REMOTE_PORT: z.string().describe('a string').optional(),
  // Further CGI-style keys a server may add (ENV-EXT-2), as CGI and FastCGI hosts give them.
  HTTPS: z.string().describe('a string').optional(),
  AUTH_TYPE: z.string().describe('a string').optional(),
  REMOTE_USER: z.string().describe('a string').optional(),
  GATEWAY_INTERFACE: z.string().describe('a string').optional(),
  DOCUMENT_ROOT: z.string().describe('a string').optional(),
  SCRIPT_FILENAME: z.string().describe('a string').optional(),
  PATH_TRANSLATED: z.string().describe('a string').optional(),
  'tsgi.version': z.tuple([z.literal(1), z.number().int().nonnegative()]).readonly().describe('an array [1, minor]'),
  'tsgi.url_scheme': z.enum(['http', 'https']).describe('"http" or "https"'),
  'tsgi.input': z.custom<InputStream>(isAsyncIterable).describe('an async iterable (an input stream)'),
  'tsgi.errors': z.custom<ErrorStream>((value) => hasMethod(value, 'write')).describe('an object with a write method'),
  'tsgi.multithread': z.boolean().describe('a boolean'),
  'tsgi.multiprocess': z.boolean().describe('a boolean'),
  'tsgi.run_once': z.boolean().describe('a boolean'),
  'tsgi.signal': z.instanceof(AbortSignal).describe('an AbortSignal'),
  'tsgi.state': z.custom<AppState>(isPlainObject).describe('a plain object'),
  'tsgi.extensions': z.custom<Extensions>(isPlainObject).describe('a plain object'),
} as const;

/** A key section 2 defines. */
export type EnvironKey = keyof typeof environShape;

/** Request headers: `HTTP_*` keys have string values (ENV-OBJ-2, ENV-HTTP-1). */
const requestHeadersSchema = z.looseRecord(z.templateLiteral(['HTTP_', z.string()]), z.string());

/** An environ (section 2): the defined keys, request headers, and namespaced keys of any type (ENV-EXT-1). */
export const environSchema = z.looseObject(environShape).and(requestHeadersSchema);
