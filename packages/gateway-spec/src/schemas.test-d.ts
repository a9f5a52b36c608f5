/**
 * Type-level test of `schemas.ts` against `types.ts`: it has no run-time part
 * and is compiled with the package by `tsc -b`, so a schema and a type that
 * disagree fail the build (and `pnpm test`, which builds first). Each check is
 * mutual assignability, so a drift in either direction fails: a key made
 * optional on one side only, a narrower or wider value type, a key missing.
 *
 * What the inferred types cannot express, and is therefore only checked at
 * run time by the validator:
 * - Iterable and async-iterable bodies, `tsgi.input` and `tsgi.errors` are
 *   `z.custom<T>()`: their type is declared, so agreement here is by
 *   construction; at run time only the method (`[Symbol.asyncIterator]`,
 *   `write`) is checked, and the chunks by the validator's wrappers
 *   (BODY-FORM-3, INPUT-ITER-1).
 * - `TsgiResponse` allows only dotted extra keys (`${string}.${string}`); zod's
 *   loose object infers a `string` index signature, and the dotted-key rule is
 *   a refinement (RESP-SHAPE-1). Dotted keys agree; undotted ones do not.
 * - `Environ`'s `HTTP_*` index reads as `string | undefined` (a header may be
 *   absent); the schema says a present one is a `string` (ENV-OBJ-2).
 * - Status range, byte ranges of header names and values, frozen objects and
 *   plain objects are values, not types.
 * @module
 */
import type { z } from 'zod';
import type { environSchema, fileBodySchema, headerListSchema, headerPairSchema, responseBodySchema, responseSchema } from './schemas.js';
import type { Environ, FileBody, HeaderList, HeaderPair, ResponseBody, TsgiResponse } from './types.js';

/** True when A and B are assignable to each other. Tuples stop distribution over unions. */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile unless T is `true`. */
type Expect<T extends true> = T;
/** The named keys of T, without index signatures (`string`, `HTTP_${string}`, `${string}.${string}`). */
type NamedKeys<T> = keyof { [K in keyof T as {} extends Record<K, 1> ? never : K]: T[K] };
/** The named keys whose types differ between A and B, or `never`; the error names the key. */
type Mismatched<A, B> = {
  [K in NamedKeys<A> | NamedKeys<B>]: K extends keyof A ? (K extends keyof B ? (Mutual<Pick<A, K>, Pick<B, K>> extends true ? never : K) : K) : K;
}[NamedKeys<A> | NamedKeys<B>];

type InferredResponse = z.infer<typeof responseSchema>;
type InferredEnviron = z.infer<typeof environSchema>;

export type SchemaTypeChecks = [
  Expect<Mutual<z.infer<typeof headerPairSchema>, HeaderPair>>,
  Expect<Mutual<z.infer<typeof headerListSchema>, HeaderList>>,
  Expect<Mutual<z.infer<typeof fileBodySchema>, FileBody>>,
  Expect<Mutual<z.infer<typeof responseBodySchema>, ResponseBody>>,

  // The response: status, headers and body, with the same optionality.
  Expect<Mutual<Mismatched<InferredResponse, TsgiResponse>, never>>,
  Expect<Mutual<Pick<InferredResponse, NamedKeys<TsgiResponse>>, Pick<TsgiResponse, NamedKeys<TsgiResponse>>>>,
  // Extension keys (RESP-SHAPE-1).
  Expect<Mutual<InferredResponse['x.y'], TsgiResponse['x.y']>>,

  // The environ: every key of section 2, optional ones optional on both sides.
  Expect<Mutual<Mismatched<InferredEnviron, Environ>, never>>,
  Expect<Mutual<Pick<InferredEnviron, NamedKeys<Environ>>, Pick<Environ, NamedKeys<Environ>>>>,
  // Request headers: present ones are strings (the type adds `undefined` for absent ones).
  Expect<Mutual<InferredEnviron['HTTP_HOST'] | undefined, Environ['HTTP_HOST']>>,
  // Namespaced keys (ENV-EXT-1).
  Expect<Mutual<InferredEnviron['myserver.request_id'], Environ['myserver.request_id']>>,
];
