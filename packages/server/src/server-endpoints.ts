/**
 * Paths the server answers itself, before any application (php-fpm's
 * ping.path, mod_wsgi's server-metrics): --health-path gives 200 "ok", or 503
 * while the worker drains so a load balancer stops sending to it;
 * --metrics-path gives the Prometheus text of all workers, added up by the
 * supervisor. They are matched on the whole path before mounting.
 * @module
 */
import type { ApplicationObject, Environ, TsgiResponse } from '@tsgi/gateway-spec';

export interface EndpointOptions {
  readonly healthPath: string | null;
  readonly metricsPath: string | null;
  /** True once the worker has started to drain. */
  isDraining(): boolean;
  /** The metrics of all workers as Prometheus text, or null when the supervisor did not answer. */
  metricsText(): Promise<string | null>;
}

const TEXT = 'text/plain; charset=utf-8';
const NO_STORE = ['cache-control', 'no-store'] as const;

function text(status: number, body: string, type = TEXT): TsgiResponse {
  return { status, headers: [['content-type', type], NO_STORE], body };
}

export function withServerEndpoints(app: ApplicationObject, o: EndpointOptions): ApplicationObject {
  if (o.healthPath === null && o.metricsPath === null) return app;
  return {
    ...app,
    handle(environ: Environ) {
      const path = environ.PATH_INFO;
      if (path === o.healthPath) {
        return o.isDraining() ? text(503, 'draining\n') : text(200, 'ok\n');
      }
      if (path === o.metricsPath) {
        return o.metricsText().then((body) =>
          body === null ? text(503, 'metrics unavailable\n') : text(200, body, 'text/plain; version=0.0.4; charset=utf-8'),
        );
      }
      return app.handle(environ);
    },
  };
}
