/**
 * A TSGI application on the TSGI HTTP adapter (`@tsgi/adapters/http`). The app
 * (tsgi-app.ts) is a plain request handler; the adapter frames bodies of known
 * length itself, so only the stream names its Content-Length.
 * @module
 */
import { serve } from '@tsgi/adapters/http';
import app from './tsgi-app.js';
import { runTarget } from './target-kit.js';

runTarget(async ({ host, port }) => {
  await serve(app, { host, port });
});
