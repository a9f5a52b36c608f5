/**
 * Paths (section 2.1 of the spec): SCRIPT_NAME and PATH_INFO at the root and
 * under a mount prefix, percent-decoding, and the paths the server refuses.
 * @module
 */
import type { RequirementId } from '../../errors.js';
import type { ConformanceCase } from '../types.js';
import { defineCases, envCase, expectKey } from './helpers.js';

/**
 * Path cases, run at the root and again under the mount prefix: SCRIPT_NAME is
 * the prefix the probe is served under, PATH_INFO the decoded rest.
 */
function pathCasesAt(instance: 'root' | 'mount'): ConformanceCase[] {
  const suffix = instance === 'mount' ? '@mount' : '';
  const extra: Partial<ConformanceCase> = instance === 'mount' ? { instance: 'mount', requires: ['mount'] } : {};
  const split = ({ name, ids, title, raw, pathInfo }: { name: string; ids: RequirementId[]; title: string; raw: string; pathInfo: string }) =>
    envCase({
      name: name + suffix, ids, title, request: { path: raw }, ...extra,
      check(env, ctx, req) {
        expectKey(ctx, env, 'SCRIPT_NAME', ctx.prefix, ['ENV-PATH-1'], req);
        expectKey(ctx, env, 'PATH_INFO', pathInfo, ids.includes('ENV-PATH-4') ? ['ENV-PATH-4', 'ENV-PATH-3'] : ['ENV-PATH-3', 'ENV-PATH-2'], req);
        expectKey(ctx, env, 'REQUEST_URI', ctx.prefix + raw, ['ENV-PATH-6'], req);
      },
    });
  return [
    split({ name: 'env-path-root', ids: ['ENV-PATH-1', 'ENV-PATH-2', 'ENV-PATH-3'], title: 'GET {prefix}/: SCRIPT_NAME is the prefix, PATH_INFO "/"', raw: '/', pathInfo: '/' }),
    split({ name: 'env-path-segments', ids: ['ENV-PATH-3', 'ENV-PATH-2'], title: 'a plain path is split into SCRIPT_NAME + PATH_INFO', raw: '/a/b/c.txt', pathInfo: '/a/b/c.txt' }),
    split({ name: 'env-path-encoded-slash', ids: ['ENV-PATH-4', 'ENV-PATH-3', 'ENV-PATH-6'], title: '%2F is decoded in PATH_INFO; REQUEST_URI keeps it encoded', raw: '/a%2Fb/c', pathInfo: '/a/b/c' }),
    split({ name: 'env-path-utf8', ids: ['ENV-PATH-4', 'ENV-PATH-3'], title: '%C3%A9 is decoded as UTF-8 (é)', raw: '/caf%C3%A9/%E2%9C%93', pathInfo: '/café/✓' }),
    split({ name: 'env-path-encoded-space-percent', ids: ['ENV-PATH-4'], title: '%20 and %25 decode to " " and "%", once (no double decoding)', raw: '/a%20b/100%25/%2541', pathInfo: '/a b/100%/%41' }),
    split({ name: 'env-path-trailing-slash', ids: ['ENV-PATH-3'], title: 'a trailing slash is kept in PATH_INFO', raw: '/dir/', pathInfo: '/dir/' }),
    envCase({ name: `env-path-not-normalised${suffix}`, ids: ['ENV-PATH-5'], title: 'dot-segments and repeated slashes reach PATH_INFO unchanged', request: { path: '/a/./b/../c//d' }, check: (env, ctx, req) => {
      expectKey(ctx, env, 'PATH_INFO', '/a/./b/../c//d', ['ENV-PATH-5'], req);
    }, ...extra, level: 'recommended' }),
    envCase({ name: `env-path-absolute-form${suffix}`, ids: ['ENV-PATH-3', 'ENV-SERVER-1', 'ENV-SERVER-2', 'ENV-PATH-6'], title: 'an absolute-form target: path, host and port come from it', request: (ctx) => ({
      target: `http://absolute.example:8123${ctx.prefix}/abs%20path?x=1`, host: 'absolute.example:8123',
    }), check: (env, ctx, req) => {
      expectKey(ctx, env, 'SCRIPT_NAME', ctx.prefix, ['ENV-PATH-1'], req);
      expectKey(ctx, env, 'PATH_INFO', '/abs path', ['ENV-PATH-3'], req);
      expectKey(ctx, env, 'QUERY_STRING', 'x=1', ['ENV-QUERY-1'], req);
      expectKey(ctx, env, 'SERVER_NAME', 'absolute.example', ['ENV-SERVER-1'], req);
      expectKey(ctx, env, 'SERVER_PORT', '8123', ['ENV-SERVER-2'], req);
      expectKey(ctx, env, 'REQUEST_URI', `http://absolute.example:8123${ctx.prefix}/abs%20path?x=1`, ['ENV-PATH-6'], req);
    }, ...extra }),
  ];
}

/** A path the server must refuse with 400 without calling the application (ENV-PATH-4). */
function badPath(name: string, title: string, paths: string[]): ConformanceCase {
  return {
    name, ids: ['ENV-PATH-4'], title, app: 'environ',
    async expect(ctx) {
      await Promise.all(paths.map(async (path) => {
        const token = ctx.token();
        const { res, conn } = await ctx.request({ path, token });
        conn.destroy();
        ctx.check(res.status === 400, ['ENV-PATH-4'], `GET ${ctx.prefix}${path}: answered ${res.status}, expected 400`);
        const record = await ctx.record(token);
        ctx.check(!record?.calls, ['ENV-PATH-4'], `GET ${ctx.prefix}${path}: the application was called; it must not be`);
      }));
    },
  };
}

export const pathCases: ConformanceCase[] = defineCases([
  ...pathCasesAt('root'),
  ...pathCasesAt('mount'),
  badPath('env-path-invalid-utf8', 'a path that decodes to invalid UTF-8 is refused with 400; the application is not called', ['/%FF', '/a%C3', '/%C3%28', '/%ED%A0%80']),
  badPath('env-path-malformed-escape', 'a malformed percent-escape is refused with 400', ['/%zz', '/a%4', '/b%']),
  badPath('env-path-nul', 'a path that decodes to NUL is refused with 400', ['/a%00b']),
]);
