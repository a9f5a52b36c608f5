import type { AppState, Application, ApplicationObject, Environ, LifespanContext, TsgiResponse } from '../types.js';
import { normalizeApplication } from '../server-kit/application.js';
import { MountTable, mountEnviron } from '../server-kit/mount.js';

interface Mounted {
  readonly app: ApplicationObject;
  /** Each mounted application has its own state (LIFE-CTX-1), seen as its tsgi.state. */
  readonly state: AppState;
}

const NOT_FOUND: TsgiResponse = Object.freeze({
  status: 404,
  headers: Object.freeze([['content-type', 'text/plain; charset=utf-8']] as const),
  body: 'Not Found\n',
});

/**
 * Several applications at URL prefixes as one application, like
 * Plack::App::URLMap or several WSGIScriptAlias lines (section 8 of the spec):
 * segment-boundary matching (MOUNT-PATH-1), longest prefix first
 * (MOUNT-PATH-2), SCRIPT_NAME/PATH_INFO shifted and 404 for no match
 * (MOUNT-PATH-3). Lifespan hooks run for every mounted application: startups
 * in the order given, shutdowns in reverse; a failed startup stops the ones
 * already started and rethrows.
 */
export function mount(map: Record<string, Application> | Iterable<readonly [string, Application]>): ApplicationObject {
  const entries = Symbol.iterator in Object(map) ? [...(map as Iterable<readonly [string, Application]>)] : Object.entries(map);
  const table = new MountTable<Mounted>();
  const ordered: Mounted[] = [];
  for (const [prefix, app] of entries) {
    const mounted = { app: normalizeApplication(app), state: {} };
    table.add(prefix, mounted);
    ordered.push(mounted);
  }
  const contextFor = (ctx: LifespanContext, m: Mounted): LifespanContext => ({ ...ctx, state: m.state });
  let started: Mounted[] = [];

  return {
    handle(environ: Environ) {
      const hit = table.match(environ.PATH_INFO);
      if (!hit) return NOT_FOUND;
      mountEnviron(environ, hit.prefix);
      environ['tsgi.state'] = hit.target.state;
      return hit.target.app.handle(environ);
    },
    async startup(ctx) {
      started = [];
      for (const m of ordered) {
        try {
          await m.app.startup?.(contextFor(ctx, m));
        } catch (error) {
          for (const s of started.reverse()) {
            // The startup error is the one to report; a failing cleanup must not hide it.
            try { await s.app.shutdown?.(contextFor(ctx, s)); } catch { /* reported through the startup error */ }
          }
          started = [];
          throw error;
        }
        started.push(m);
      }
    },
    async shutdown(ctx) {
      const errors: unknown[] = [];
      for (const m of [...started].reverse()) {
        try { await m.app.shutdown?.(contextFor(ctx, m)); } catch (error) { errors.push(error); }
      }
      started = [];
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, `${errors.length} mounted applications failed to shut down`);
    },
  };
}
