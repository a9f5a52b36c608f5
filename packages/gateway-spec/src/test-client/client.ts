import { TsgiError } from '../errors.js';
import { normalizeApplication, startApplication, type AppInstance } from '../server-kit/application.js';
import { openBody } from '../server-kit/body.js';
import { BadRequest } from '../server-kit/environ.js';
import { createErrorStream } from '../server-kit/errors-stream.js';
import { callApplication, describeError, isBodyless, serverResponse, type ErrorLog, type PreparedResponse } from '../server-kit/respond.js';
import type { AppState, Application, ApplicationObject, Environ, ErrorStream } from '../types.js';
import { validate } from '../validator/index.js';
import { acceptRequest, environOf } from './environ.js';
import { Exchange } from './exchange.js';
import { resolveClientOptions, type ResolvedClientOptions, type TestClientOptions } from './options.js';
import { refuseRequest, refuseTarget, type Refusal } from './refusal.js';
import { planRequest, type RequestPlan, type TestRequestInit } from './request.js';
import { TestResponse } from './response.js';

function ignore(): void {}

function closedError(): TsgiError {
  return new TsgiError('TSGI_ERR_SHUTDOWN', 'test client: the client is closed; create a new one');
}

/**
 * Runs an application in process, the way a correct TSGI server would, with no
 * network: a spec-exact environ, the application wrapped in `validate()`, the
 * lifespan run around the requests, and responses whose bodies are pulled as
 * the test reads them. Create it with `createTestClient`.
 */
export class TestClient {
  /** The options in force, with defaults filled in (frozen). */
  readonly settings: ResolvedClientOptions;
  /**
   * Every entry of the server's error log, in order: what the application wrote
   * to `tsgi.errors` or `ctx.errors` (line by line), and the server's own lines
   * (an application error with its stack, a refused request, a failed body),
   * each naming the requirement. Clear it with `errorLog.length = 0`.
   */
  readonly errorLog: string[] = [];
  readonly #app: ApplicationObject;
  readonly #lifespanErrors = createErrorStream((line) => this.#log(line));
  readonly #exchanges = new Set<Exchange>();
  #starting: Promise<AppInstance> | null = null;
  #instance: AppInstance | null = null;
  #closing: Promise<void> | null = null;

  /** Use `createTestClient`. */
  constructor(app: Application, options?: TestClientOptions) {
    this.settings = resolveClientOptions(options);
    const normalized = normalizeApplication(app); // TSGI_ERR_INVALID_ARGUMENT for anything else (APP-SHAPE-1)
    this.#app = this.settings.validate ? validate(app, this.settings.validateOptions) : normalized;
  }

  /** The instance's state (`ctx.state`, `tsgi.state`: LIFE-CTX-1); undefined until `startup` has succeeded. */
  get state(): AppState | undefined {
    return this.#instance?.state;
  }

  /**
   * Runs the application's `startup` (once; the first request does it too:
   * LIFE-START-1). Rejects with the application's own error when it fails;
   * the client then refuses every request with that error (LIFE-START-2).
   */
  async start(): Promise<void> {
    if (this.#closing) throw closedError();
    await this.#start();
  }

  #start(): Promise<AppInstance> {
    this.#starting ??= startApplication(this.#app, {
      errors: this.#lifespanErrors,
      multithread: false,
      multiprocess: this.settings.multiprocess,
      extensions: this.settings.extensions,
      startupTimeoutMs: this.settings.startupTimeoutMs,
    }).then(
      (instance) => {
        this.#instance = instance;
        return instance;
      },
      (error: unknown) => {
        this.#log(`startup failed; the application serves no request (LIFE-START-2): ${describeError(error)}`);
        throw error;
      },
    );
    return this.#starting;
  }

  /**
   * Sends one request. `target` is the raw request target (`/a%20b?x=1`, `*`,
   * or an absolute URL): REQUEST_URI is exactly it, plus `init.query`.
   * Resolves with the head once the application has answered; the body is
   * read from the response. Rejects with TSGI_ERR_INVALID_ARGUMENT for a
   * request no HTTP client could send, with the application's error when it
   * fails and `rethrow` is on, with the signal's reason when `init.signal`
   * aborts first, and with TSGI_ERR_SHUTDOWN once the client is closed.
   */
  async request(method: string, target: string, init?: TestRequestInit): Promise<TestResponse> {
    if (this.#closing) throw closedError();
    const plan = planRequest(method, target, init, this.settings);
    if (plan.signal?.aborted) throw plan.signal.reason;
    const instance = await this.#start();
    if (this.#closing) throw closedError();
    if (plan.signal?.aborted) throw plan.signal.reason; // gone before the request reached the server
    return this.#serve(instance, plan);
  }

  get(target: string, init?: TestRequestInit): Promise<TestResponse> { return this.request('GET', target, init); }
  head(target: string, init?: TestRequestInit): Promise<TestResponse> { return this.request('HEAD', target, init); }
  post(target: string, init?: TestRequestInit): Promise<TestResponse> { return this.request('POST', target, init); }
  put(target: string, init?: TestRequestInit): Promise<TestResponse> { return this.request('PUT', target, init); }
  patch(target: string, init?: TestRequestInit): Promise<TestResponse> { return this.request('PATCH', target, init); }
  delete(target: string, init?: TestRequestInit): Promise<TestResponse> { return this.request('DELETE', target, init); }
  options(target: string, init?: TestRequestInit): Promise<TestResponse> { return this.request('OPTIONS', target, init); }

  /**
   * Stops the client: every request not yet complete is abandoned
   * (`tsgi.signal` aborts with TSGI_ERR_SHUTDOWN, bodies are finalised, and a
   * request still waiting for its head resolves to a 503: CANCEL-SIG-5),
   * handlers still running are awaited, and then `shutdown` runs once, if
   * `startup` ran and succeeded (LIFE-STOP-1). Rejects with the error of a
   * failing `shutdown`. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  /** `await using client = createTestClient(app)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #stop(): Promise<void> {
    const abandoned = new TsgiError('TSGI_ERR_SHUTDOWN', 'test client: closed before the response was read to its end');
    await Promise.all([...this.#exchanges].map((exchange) => exchange.cancel('TSGI_ERR_SHUTDOWN', abandoned)));
    if (this.#starting === null) return;
    let instance: AppInstance;
    try {
      instance = await this.#starting;
    } catch {
      return; // LIFE-STOP-1: no shutdown after a failed startup
    }
    try {
      await instance.stop(this.settings.shutdownTimeoutMs);
    } catch (error) {
      this.#log(`shutdown failed (LIFE-STOP-1): ${describeError(error)}`);
      throw error;
    } finally {
      this.#lifespanErrors.flush();
    }
  }

  #log(entry: string): void {
    this.errorLog.push(entry);
    this.settings.errors?.(entry);
  }

  #serve(instance: AppInstance, plan: RequestPlan): Promise<TestResponse> {
    const label = `${plan.method} ${plan.target}`;
    const errors = createErrorStream((line) => this.#log(line));
    const exchange = new Exchange({ label, errors, log: (entry) => this.#log(entry), rethrow: this.settings.rethrow });
    this.#exchanges.add(exchange);
    void exchange.settled.then(() => this.#exchanges.delete(exchange));
    try {
      return this.#dispatch(instance, plan, exchange, label, errors);
    } catch (error) {
      void exchange.discard(); // a bug of the client itself: do not leave close() waiting for this exchange
      throw error;
    }
  }

  #dispatch(instance: AppInstance, plan: RequestPlan, exchange: Exchange, label: string, errors: ErrorStream): Promise<TestResponse> {
    let environ: Environ;
    let refusal = refuseTarget(plan);
    if (refusal) return this.#refuse(exchange, label, refusal);
    try {
      environ = environOf(plan, this.settings, { state: instance.state, extensions: instance.extensions, errors, signal: exchange.signal, hints: exchange });
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      return this.#refuse(exchange, label, { status: error.status, requirement: error.requirement, detail: error.message });
    }
    refusal = refuseRequest(plan, environ, this.settings.protocol, this.settings.maxBodyBytes, this.settings.scriptName);
    if (refusal) return this.#refuse(exchange, label, refusal);
    const upload = acceptRequest(environ, plan, this.settings);
    exchange.upload = upload;

    const signal = plan.signal;
    if (signal) {
      const onAbort = () => void exchange.cancel('TSGI_ERR_CLIENT_GONE', signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void exchange.settled.then(() => signal.removeEventListener('abort', onAbort));
    }

    let failure: { error: unknown } | null = null;
    const log: ErrorLog = (entry, ...cause) => {
      this.#log(entry);
      if (cause.length > 0) failure ??= { error: cause[0] };
    };
    const cycle = (async () => {
      let prepared = await callApplication(instance.app, environ, log, label);
      if (prepared.isServerError && upload.input.tooLarge) {
        // INPUT-FLOW-3: the read that crossed the limit failed the application; nothing was sent yet, so 413.
        await prepared.body.close();
        prepared = await serverResponse(413);
        failure = null;
      }
      const rethrowing = failure !== null && this.settings.rethrow;
      await exchange.attach(prepared, rethrowing || isBodyless(plan.method, prepared.status));
      if (rethrowing) throw failure!.error;
      return this.#respond(prepared, exchange);
    })();
    cycle.catch(ignore); // when the client left first, nobody awaits the cycle's outcome
    const gone = exchange.clientGone().catch((error: unknown) => {
      if (exchange.cancelCode !== 'TSGI_ERR_SHUTDOWN') throw error;
      // CANCEL-SIG-5: a server that abandons a request before its head answers 503 (the handler's response, if it comes, is finalised).
      this.#log(`${label}: abandoned by the shutdown before the application answered; answered 503 (CANCEL-SIG-5)`);
      return this.#serverAnswer(label, 503);
    });
    return Promise.race([cycle, gone]);
  }

  /** A response the server makes on its own, outside any exchange the client tracks. */
  async #serverAnswer(label: string, status: number): Promise<TestResponse> {
    const exchange = new Exchange({ label, errors: createErrorStream((line) => this.#log(line)), log: (entry) => this.#log(entry), rethrow: false });
    const prepared = await serverResponse(status);
    await exchange.attach(prepared, false);
    return this.#respond(prepared, exchange);
  }

  async #refuse(exchange: Exchange, label: string, refusal: Refusal): Promise<TestResponse> {
    if (refusal.status >= 400) this.#log(`${label}: answered ${refusal.status} without calling the application (${refusal.requirement}: ${refusal.detail})`);
    const prepared: PreparedResponse = refusal.status === 204
      ? { status: 204, headers: refusal.headers ?? [], body: await openBody(null), contentLength: null, hasContentLength: false, isServerError: true }
      : await serverResponse(refusal.status, refusal.headers);
    await exchange.attach(prepared, isBodyless('GET', prepared.status));
    return this.#respond(prepared, exchange);
  }

  #respond(prepared: PreparedResponse, exchange: Exchange): TestResponse {
    const { status } = prepared;
    // 204 has no Content-Length (RESP-HDR-11); a 304 carries only the one the application gave.
    const contentLength = status === 204 ? null : status === 304 && !prepared.hasContentLength ? null : prepared.contentLength;
    return new TestResponse({ status, headers: prepared.headers, contentLength, fromServer: prepared.isServerError }, exchange);
  }
}

/**
 * Creates a test client for an application (a request handler or an
 * application object). Throws TSGI_ERR_INVALID_ARGUMENT, naming the problem,
 * for something that is not an application or for invalid options.
 *
 * ```ts
 * await using client = createTestClient(app);
 * const res = await client.post('/items', { json: { name: 'x' } });
 * t.equal(res.status, 201);
 * t.same(await res.json(), { id: 1, name: 'x' });
 * ```
 */
export function createTestClient(app: Application, options?: TestClientOptions): TestClient {
  return new TestClient(app, options);
}
