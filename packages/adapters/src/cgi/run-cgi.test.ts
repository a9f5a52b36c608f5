import t from 'tap';
import { PassThrough, Readable } from 'node:stream';
import type { Application, Environ, TsgiResponse } from '@tsgi/gateway-spec/server-kit';
import { runCgi, CGI_EXIT } from './run-cgi.js';
import type { CgiOptions } from './options.js';

interface Served {
  code: number;
  output: Buffer;
  /** The output as text, head and body. */
  text: string;
  head: string;
  body: string;
  log: string[];
  stdinOpened: boolean;
}

const GET = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/app', PATH_INFO: '/x', QUERY_STRING: '', SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1' };

/** Runs one CGI request in-process with an injected environment, stdin and stdout. */
async function serve(app: Application, env: Record<string, string | undefined>, stdin?: Readable | Buffer | string, options: Partial<CgiOptions> = {}): Promise<Served> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const log: string[] = [];
  let stdinOpened = false;
  const source = stdin instanceof Readable ? stdin : Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]);
  const code = await runCgi(app, {
    env,
    stdout,
    stdin: () => { stdinOpened = true; return source; },
    log: (line) => log.push(line),
    exit: false,
    ...options,
  });
  const output = Buffer.concat(chunks);
  const text = output.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  return { code, output, text, head: split === -1 ? text : text.slice(0, split + 2), body: split === -1 ? '' : text.slice(split + 4), log, stdinOpened };
}

const text = (body: string, status = 200): TsgiResponse => ({ status, headers: [['content-type', 'text/plain']], body });

async function readAll(environ: Environ): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of environ['tsgi.input']) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('latin1');
}

t.test('a GET: Status line, headers, Content-Length, body; exit 0', async (t) => {
  const r = await serve(() => text('hello'), GET);
  t.equal(r.text, 'Status: 200 OK\r\ncontent-type: text/plain\r\nContent-Length: 5\r\n\r\nhello');
  t.equal(r.code, CGI_EXIT.OK);
  t.equal(r.stdinOpened, false, 'a request without a body never touches stdin');
});

t.test('ENV-TSGI-5: run_once and multiprocess are true, multithread false; CGI keys present', async (t) => {
  let seen: Environ | undefined;
  await serve((environ) => { seen = environ; return text('ok'); }, { ...GET, QUERY_STRING: 'a=1', HTTP_X_Y: 'z' });
  t.equal(seen!['tsgi.run_once'], true);
  t.equal(seen!['tsgi.multiprocess'], true);
  t.equal(seen!['tsgi.multithread'], false);
  t.same(seen!['tsgi.extensions'], { 'cgi.local_redirect': true }, 'EXT-DECL-1: the local redirect extension is declared');
  t.equal(seen!.QUERY_STRING, 'a=1');
  t.equal(seen!.HTTP_X_Y, 'z');
  t.equal(seen!.REQUEST_URI, '/cgi-bin/app/x?a=1', 'ENV-PATH-6: rebuilt when the host sets none');
});

t.test('INPUT-ITER-2: exactly CONTENT_LENGTH bytes of stdin, never more (C3)', async (t) => {
  const post = { ...GET, REQUEST_METHOD: 'POST', CONTENT_LENGTH: '5' };
  const r = await serve(async (environ) => text(`[${await readAll(environ)}]`), post, 'hello, and bytes past the length');
  t.equal(r.body, '[hello]');
  t.equal(r.code, CGI_EXIT.OK);
});

t.test('INPUT-FLOW-2: stdin shorter than CONTENT_LENGTH rejects the read with TSGI_ERR_INPUT_ABORTED, no hang (C3)', async (t) => {
  const post = { ...GET, REQUEST_METHOD: 'POST', CONTENT_LENGTH: '100' };
  let caught: unknown;
  const r = await serve(async (environ) => {
    try { await readAll(environ); } catch (error) { caught = error; }
    return text('after');
  }, post, 'short');
  t.match(caught, { code: 'TSGI_ERR_INPUT_ABORTED' });
  t.equal(r.body, 'after');
});

t.test('missing CONTENT_LENGTH: no body, stdin untouched (RFC 3875 §4.2)', async (t) => {
  const r = await serve(async (environ) => text(`[${await readAll(environ)}]`), { ...GET, REQUEST_METHOD: 'POST' }, 'unframed');
  t.equal(r.body, '[]');
  t.equal(r.stdinOpened, false);
});

t.test('empty body: CONTENT_LENGTH 0 never reads stdin', async (t) => {
  const r = await serve(async (environ) => text(`[${await readAll(environ)}]`), { ...GET, REQUEST_METHOD: 'POST', CONTENT_LENGTH: '0' }, 'ignored');
  t.equal(r.body, '[]');
  t.equal(r.stdinOpened, false);
});

t.test('chunked request without CONTENT_LENGTH (Apache): the body runs to the end of stdin', async (t) => {
  const env = { ...GET, REQUEST_METHOD: 'POST', HTTP_TRANSFER_ENCODING: 'chunked' };
  const r = await serve(async (environ) => text(`[${await readAll(environ)}]`), env, 'all of it');
  t.equal(r.body, '[all of it]');
});

t.test('INPUT-FLOW-1: a large body arrives whole through the bounded buffer', async (t) => {
  const size = 1024 * 1024 + 17;
  const data = Buffer.alloc(size, 7);
  const source = Readable.from((function* () { for (let i = 0; i < size; i += 10_000) yield data.subarray(i, i + 10_000); })());
  const r = await serve(async (environ) => {
    let n = 0;
    for await (const chunk of environ['tsgi.input']) { n += chunk.byteLength; await new Promise((res) => setImmediate(res)); }
    return text(String(n));
  }, { ...GET, REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(size) }, source);
  t.equal(r.body, String(size));
});

t.test('an unread body is drained after the response (hosts write the whole body first)', async (t) => {
  const source = new PassThrough();
  source.end(Buffer.alloc(200_000, 1));
  const r = await serve(() => text('ignored'), { ...GET, REQUEST_METHOD: 'POST', CONTENT_LENGTH: '200000' }, source);
  t.equal(r.body, 'ignored');
  t.equal(r.stdinOpened, true, 'drained');
  t.equal(source.readableLength, 0);
});

t.test('invalid values are refused before the application runs', async (t) => {
  const cases: Array<[string, Record<string, string>, number]> = [
    ['CONTENT_LENGTH not digits (ENV-CONTENT-2)', { CONTENT_LENGTH: '12abc' }, 400],
    ['a method that is not a token (ENV-METHOD-1)', { REQUEST_METHOD: 'G(E)T' }, 400],
    ['a path that is not UTF-8 (ENV-PATH-4)', { PATH_INFO: '/\ufffd' }, 400],
    ['a Host that is not an authority (ENV-SERVER-1)', { HTTP_HOST: 'a b' }, 400],
  ];
  for (const [name, vars, status] of cases) {
    let called = false;
    const r = await serve(() => { called = true; return text('no'); }, { ...GET, ...vars });
    t.equal(called, false, name);
    t.match(r.head, new RegExp(`^Status: ${status} `), name);
    t.equal(r.code, CGI_EXIT.OK, `${name}: a response was served`);
    t.match(r.log.join('\n'), /refused with 400/, name);
  }
  const big = await serve(() => text('no'), { ...GET, REQUEST_METHOD: 'POST', CONTENT_LENGTH: '11' }, 'x'.repeat(11), { maxBodyBytes: 10 });
  t.match(big.head, /^Status: 413 Content Too Large/, 'INPUT-FLOW-3');
});

t.test('ERR-APP-1, SEC-ERR-1: a throwing application gets a short 500; the details go to the log only', async (t) => {
  const r = await serve(() => { throw new Error('secret detail'); }, GET);
  t.equal(r.text, 'Status: 500 Internal Server Error\r\ncontent-type: text/plain; charset=utf-8\r\nContent-Length: 22\r\n\r\nInternal Server Error\n');
  t.notMatch(r.text, /secret|at /);
  t.match(r.log.join('\n'), /GET \/cgi-bin\/app\/x: the application failed \(ERR-APP-1\): Error: secret detail\n\s+at /);
  t.equal(r.code, CGI_EXIT.OK, 'exit 0: the host must not add its own error page');
});

t.test('RESP-HDR-8: an invalid header gives a 500, none of the application headers', async (t) => {
  const r = await serve(() => ({ status: 200, headers: [['x-ok', '1'], ['bad name', 'v']], body: 'never' }), GET);
  t.match(r.head, /^Status: 500 /);
  t.notMatch(r.text, /x-ok|never/);
  t.match(r.log.join('\n'), /RESP-HDR-2/);
  const s = await serve(() => ({ status: 200, headers: [['Status', '200 OK']] }), GET);
  t.match(s.head, /^Status: 500 /, 'RESP-HDR-6: no Status header from the application');
});

t.test('BODY-HEAD-1, BODY-NOBODY-1: no body for HEAD, 204, 304; the body is finalised unread', async (t) => {
  for (const [method, status] of [['HEAD', 200], ['GET', 204], ['GET', 304]] as const) {
    let returned = 0;
    let pulled = 0;
    const body = {
      [Symbol.asyncIterator]() {
        return { next: async () => { pulled++; return { value: 'x', done: false as const }; }, return: async () => { returned++; return { value: undefined, done: true as const }; } };
      },
    };
    const r = await serve(() => ({ status, headers: status === 200 ? [['content-type', 'text/plain']] : [], body: status === 200 ? body : null }), { ...GET, REQUEST_METHOD: method });
    t.match(r.head, new RegExp(`^Status: ${status} `), `${method} ${status}`);
    t.equal(r.body, '', `${method} ${status}: no body`);
    t.equal(pulled, 0, `${method} ${status}: never iterated`);
    if (status === 200) t.equal(returned, 1, 'BODY-ITER-2: return() called once');
  }
});

t.test('BODY-ITER-1: a streamed body goes out chunk by chunk, head with the first chunk', async (t) => {
  const r = await serve(() => ({ status: 200, headers: [['content-type', 'text/plain']], body: (async function* () { yield 'a'; yield new Uint8Array([98]); yield ''; yield 'c'; })() }), GET);
  t.equal(r.text, 'Status: 200 OK\r\ncontent-type: text/plain\r\n\r\nabc');
});

t.test('ERR-APP-1: a body failing on its first chunk still gets a clean 500', async (t) => {
  const r = await serve(() => ({ status: 200, headers: [['content-type', 'text/plain']], body: (async function* () { throw new Error('early'); })() }), GET);
  t.match(r.head, /^Status: 500 /);
  t.match(r.log.join('\n'), /before the head was sent/);
  t.equal(r.code, CGI_EXIT.OK);
});

t.test('ERR-APP-2: a body failing after the head stops the output and exits non-zero', async (t) => {
  const r = await serve(() => ({ status: 200, headers: [['content-type', 'text/plain']], body: (async function* () { yield 'first'; throw new Error('late'); })() }), GET);
  t.equal(r.text, 'Status: 200 OK\r\ncontent-type: text/plain\r\n\r\nfirst');
  t.match(r.log.join('\n'), /after the head was sent; the output ends here \(ERR-APP-2\): Error: late/);
  t.equal(r.code, CGI_EXIT.FAILED);
});

t.test('BODY-LEN-2: the application Content-Length is never exceeded', async (t) => {
  const r = await serve(() => ({ status: 200, headers: [['content-type', 'text/plain'], ['content-length', '3']], body: (function* () { yield 'ab'; yield 'cdef'; })() }), GET);
  t.equal(r.body, 'abc');
  t.equal(r.code, CGI_EXIT.FAILED);
  t.match(r.log.join('\n'), /RESP-HDR-9/);
});

t.test('holdOnFailureMs keeps stdout open after a late failure', async (t) => {
  const started = Date.now();
  const r = await serve(() => ({ status: 200, headers: [['content-type', 'text/plain']], body: (async function* () { yield 'x'; throw new Error('late'); })() }), GET, undefined, { holdOnFailureMs: 150 });
  t.ok(Date.now() - started >= 140);
  t.match(r.log.join('\n'), /holding standard output open/);
});

t.test('cgi.local_redirect: only a Location line (RFC 3875 §6.2.2); the body is finalised', async (t) => {
  let closed = false;
  const body = (function* () { try { yield 'x'; } finally { closed = true; } })();
  body.next();
  const r = await serve(() => ({ status: 200, 'cgi.local_redirect': '/static/file.txt?v=2', body }), GET);
  t.equal(r.text, 'Location: /static/file.txt?v=2\r\n\r\n');
  t.equal(closed, true);
  for (const bad of ['http://evil.example/', '//evil.example/x', 'relative', '/a b', 42]) {
    const b = await serve(() => ({ status: 200, 'cgi.local_redirect': bad } as unknown as TsgiResponse), GET);
    t.match(b.head, /^Status: 500 /, `refused ${JSON.stringify(bad)}`);
  }
});

t.test('NPH (nph- script): an HTTP status line, chunked on HTTP/1.1 for unknown lengths', async (t) => {
  const env = { ...GET, SCRIPT_FILENAME: '/srv/cgi-bin/nph-app.cgi', SERVER_SOFTWARE: 'Apache/2.4.71 (Debian)' };
  const fixed = await serve(() => text('hi'), env);
  t.match(fixed.text, /^HTTP\/1\.1 200 OK\r\nDate: .+\r\ncontent-type: text\/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi$/);
  const streamed = await serve(() => ({ status: 200, headers: [['content-type', 'text/plain']], body: (async function* () { yield 'ab'; yield 'cde'; })() }), env);
  t.match(streamed.text, /Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n$/);
  const failed = await serve(() => ({ status: 200, headers: [['content-type', 'text/plain']], body: (async function* () { yield 'ab'; throw new Error('late'); })() }), env);
  t.match(failed.text, /\r\n\r\n2\r\nab\r\n$/, 'ERR-APP-2: no last chunk, the client sees the truncation');
  const old = await serve(() => ({ status: 200, headers: [['content-type', 'text/plain']], body: (async function* () { yield 'ab'; })() }), { ...env, SERVER_PROTOCOL: 'HTTP/1.0' });
  t.match(old.text, /^HTTP\/1\.0 200 OK\r\n[^]*Connection: close\r\n\r\nab$/);
  const local = await serve(() => ({ status: 200, 'cgi.local_redirect': '/x' }), env);
  t.match(local.head, /^HTTP\/1\.1 500 /, 'no local redirect from an NPH script');
  const forced = await serve(() => text('hi'), GET, undefined, { nph: true });
  t.match(forced.head, /^HTTP\/1\.1 200 OK/, 'the nph option');
  const elsewhere = await serve(() => text('hi'), { ...env, SERVER_SOFTWARE: 'lighttpd/1.4.69' });
  t.match(elsewhere.head, /^Status: 200 OK/, 'only Apache runs NPH scripts; other hosts parse every output');
});

t.test('LIFE-START-1, LIFE-STOP-1: startup before the request, shutdown after, same state', async (t) => {
  const events: string[] = [];
  const app = {
    startup(ctx: { state: Record<string, unknown>; multiprocess: boolean }) { events.push(`startup multiprocess=${ctx.multiprocess}`); ctx.state.db = 'open'; },
    handle(environ: Environ) { events.push(`handle ${String(environ['tsgi.state'].db)}`); return text('ok'); },
    shutdown(ctx: { state: Record<string, unknown> }) { events.push(`shutdown ${String(ctx.state.db)}`); },
  };
  const r = await serve(app, GET);
  t.same(events, ['startup multiprocess=true', 'handle open', 'shutdown open']);
  t.equal(r.code, CGI_EXIT.OK);
});

t.test('LIFE-START-2: a failing startup gets a plain 500 and exit 1; handle never runs', async (t) => {
  let handled = false;
  const r = await serve({ startup() { throw new Error('no database'); }, handle() { handled = true; return text('x'); } }, GET);
  t.match(r.head, /^Status: 500 /);
  t.equal(handled, false);
  t.equal(r.code, CGI_EXIT.FAILED);
  t.match(r.log.join('\n'), /failed to start \(LIFE-START-2\): Error: no database/);
});

t.test('no REQUEST_METHOD: not a CGI request, exit 2 and nothing on stdout', async (t) => {
  const r = await serve(() => text('x'), {});
  t.equal(r.code, CGI_EXIT.USAGE);
  t.equal(r.output.byteLength, 0);
  t.match(r.log[0], /REQUEST_METHOD is not set/);
});

t.test('CANCEL-SIG-1: stdout closing (the client gone) aborts tsgi.signal and stops the body', async (t) => {
  const stdout = new PassThrough();
  let signal: AbortSignal | undefined;
  let finalised = false;
  const code = await runCgi((environ: Environ) => {
    signal = environ['tsgi.signal'];
    return {
      status: 200,
      headers: [['content-type', 'text/plain']],
      body: (async function* () {
        try {
          yield 'a';
          stdout.destroy(new Error('EPIPE'));
          for (;;) yield 'more';
        } finally { finalised = true; }
      })(),
    };
  }, { env: GET, stdout, log: () => {}, exit: false });
  t.equal(signal!.aborted, true);
  t.match(signal!.reason, { code: 'TSGI_ERR_CLIENT_GONE' });
  t.equal(finalised, true, 'BODY-ITER-2');
  t.equal(code, CGI_EXIT.FAILED);
});

t.test('SEC-PROXY-1: HTTP_PROXY in process.env is removed before the application runs', async (t) => {
  process.env.HTTP_PROXY = 'http://evil.example:3128';
  const saved = process.env.REQUEST_METHOD;
  process.env.REQUEST_METHOD = 'GET';
  let seen: string | undefined = 'unset';
  let key = true;
  try {
    const stdout = new PassThrough();
    stdout.resume();
    await runCgi((environ: Environ) => { seen = process.env.HTTP_PROXY; key = 'HTTP_PROXY' in environ; return text('x'); }, { stdout, log: () => {}, exit: false });
  } finally {
    delete process.env.HTTP_PROXY;
    if (saved === undefined) delete process.env.REQUEST_METHOD; else process.env.REQUEST_METHOD = saved;
  }
  t.equal(seen, undefined);
  t.equal(key, false);
});

t.test('options are checked once, with a clear message', async (t) => {
  await t.rejects(runCgi(() => text('x'), { nope: 1 } as never), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /unknown option "nope"/ });
  await t.rejects(runCgi(() => text('x'), { scriptName: '/x/' }), { message: /scriptName/ });
  await t.rejects(runCgi(() => text('x'), { maxBodyBytes: -1 }), { message: /maxBodyBytes/ });
});

t.test('the output ends before shutdown runs: the host completes the response first', async (t) => {
  const stdout = new PassThrough();
  stdout.resume();
  const events: string[] = [];
  stdout.on('finish', () => events.push('output ended'));
  await runCgi({ handle: () => text('x'), shutdown() { events.push('shutdown'); } }, { env: GET, stdout, log: () => {}, exit: false });
  t.same(events, ['output ended', 'shutdown']);
});

t.test('lingerMs: work the application left running after the response completes before runCgi returns', async (t) => {
  const stdout = new PassThrough();
  stdout.resume();
  let recorded = false;
  const body = (async function* () {
    try { yield 'x'; } finally { setTimeout(() => { recorded = true; }, 50); }
  })();
  const started = Date.now();
  await runCgi(() => ({ status: 200, headers: [['content-type', 'text/plain']], body }), { env: GET, stdout, log: () => {}, exit: false, lingerMs: 300 });
  t.equal(recorded, true);
  t.ok(Date.now() - started < 1000);
});

t.test('CANCEL-SIG-3: the signal does not abort when the output closes after a complete response', async (t) => {
  const stdout = new PassThrough();
  stdout.resume();
  let signal: AbortSignal | undefined;
  await runCgi((environ: Environ) => { signal = environ['tsgi.signal']; return text('done'); }, { env: GET, stdout, log: () => {}, exit: false });
  stdout.destroy();
  await new Promise((r) => setImmediate(r));
  t.equal(signal!.aborted, false);
});

t.test('the request in flight keeps the process alive while the application awaits only unref\'d timers', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const script = `
    import { runCgi } from ${JSON.stringify(fileURLToPath(new URL('./run-cgi.ts', import.meta.url)))};
    runCgi(() => ({ status: 200, headers: [['content-type', 'text/plain']], body: (async function* () {
      yield '';
      await new Promise((r) => setTimeout(r, 200).unref());
      yield 'late';
    })() }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { PATH: process.env.PATH, REQUEST_METHOD: 'GET' }, encoding: 'latin1', timeout: 30_000 });
  t.equal(r.stdout, 'Status: 200 OK\r\ncontent-type: text/plain\r\n\r\nlate', r.stderr);
});
