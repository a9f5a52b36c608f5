/** Small helpers the case files share. @module */
import type { RequirementId } from '../../errors.js';
import type { CaseContext, RequestSpec } from '../context.js';
import type { EnvironDump, ValueDump } from '../probe/environ-dump.js';
import { PROBE_HIT_HEADER } from '../probe/protocol.js';
import type { ConformanceCase } from '../types.js';
import { header, type WireResponse } from '../wire.js';

export function defineCases(cases: ConformanceCase[]): ConformanceCase[] {
  return cases;
}

/** The string value of an environ key, or undefined when absent or not a string. */
export function str(env: EnvironDump, key: string): string | undefined {
  const v = env.keys[key];
  return v?.type === 'string' ? (v.value as string) : undefined;
}

export function has(env: EnvironDump, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(env.keys, key);
}

export function describeDump(v: ValueDump | undefined): string {
  if (!v) return 'absent';
  return v.type === 'string' || v.type === 'number' || v.type === 'boolean' ? `${v.type} ${JSON.stringify(v.value)}` : v.type;
}

/** Checks that the environ key is a string equal to `expected` (undefined: absent). */
export function expectKey(ctx: CaseContext, env: EnvironDump, key: string, expected: string | undefined, ids: readonly RequirementId[], request: string): void {
  const v = env.keys[key];
  if (expected === undefined) {
    ctx.check(v === undefined, ids, `${request}: ${key} should be absent, is ${describeDump(v)}`);
    return;
  }
  ctx.check(v?.type === 'string' && v.value === expected, ids, `${request}: ${key} is ${describeDump(v)}, expected ${JSON.stringify(expected)}`);
}

/** Checks that the probe never ran for `token` (a request the server must refuse itself). */
export async function expectNotCalled(ctx: CaseContext, token: string | undefined, ids: readonly RequirementId[], request: string): Promise<void> {
  if (!token) return;
  const record = await ctx.record(token);
  ctx.check(!record?.calls, ids, `${request}: the application was called (${record?.calls} time(s)); the server must refuse the request itself`);
}

/** Checks a response the server made itself for a refused request: status, and (when asked) the connection closed. */
export async function expectRefused(
  ctx: CaseContext,
  spec: RequestSpec,
  raw: string | Buffer,
  status: number | readonly number[],
  ids: readonly RequirementId[],
  options: { close?: boolean; token?: string } = {},
): Promise<WireResponse | undefined> {
  const conn = await ctx.connect();
  const what = typeof raw === 'string' ? describeRaw(raw) : ctx.describe(spec);
  await conn.write(raw).catch(() => undefined);
  let res: WireResponse | undefined;
  try {
    res = await conn.readResponse({ method: spec.method ?? 'GET', timeoutMs: 4000 });
  } catch (error) {
    ctx.fail(ids, `${what}: no response (${(error as Error).message}); expected ${[status].flat().join(' or ')}`);
  }
  const allowed = [status].flat();
  if (res) {
    ctx.check(allowed.includes(res.status), ids, `${what}: answered ${res.status}, expected ${allowed.join(' or ')}`);
    ctx.check(header(res, PROBE_HIT_HEADER) === undefined, ids, `${what}: the response came from the application; the server must answer itself`);
  }
  if (options.close && res) {
    const closed = await conn.waitClose(2000);
    ctx.check(closed, ids, `${what}: the server kept the connection open after refusing the request; it must close it`);
  }
  conn.destroy();
  await expectNotCalled(ctx, options.token, ids, what);
  return res;
}

/** A raw request for a message: without the Host and token lines every request of the suite has. */
export function describeRaw(raw: string): string {
  const short = raw.replace(/^Host: [^\r]*\r\n/im, '').replace(/^x-tsgi-probe-token: [^\r]*\r\n/im, '');
  return JSON.stringify(short.length > 160 ? short.slice(0, 160) + '…' : short);
}

/** UTF-8 bytes of a string. */
export const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** A short quote of bytes for a message. */
export function quote(bytes: Buffer, max = 120): string {
  const text = bytes.toString('latin1');
  return JSON.stringify(text.length > max ? text.slice(0, max) + '…' : text);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits for `promise` at most `ms`; resolves false on time-out. The timer is cleared either way. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise.then(() => true, () => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** A case that checks one environ dump: `request` is sent, `check` reads the probe's dump of the environ. */
export interface EnvCase extends Omit<ConformanceCase, 'app' | 'expect'> {
  readonly request: RequestSpec | ((ctx: CaseContext) => RequestSpec);
  readonly check: (env: EnvironDump, ctx: CaseContext, request: string) => void | Promise<void>;
}

export function envCase({ request, check, ...rest }: EnvCase): ConformanceCase {
  return {
    app: 'environ', ...rest,
    async expect(ctx) {
      const s = typeof request === 'function' ? request(ctx) : request;
      const { env } = await ctx.environ(s, rest.ids);
      await check(env, ctx, ctx.describe(s));
    },
  };
}

