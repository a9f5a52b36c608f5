import t, { type Test } from 'tap';
import { inspectRequest, isRefusal, type RequestHead, type Refusal } from './request-checks.js';

const limits = { maxHeaderCount: 10, maxBodyBytes: 100 };
const host = ['Host', 'example.test'];

function check(method: string, target: string, minor: number, headers: string[], collect = false): RequestHead | Refusal {
  return inspectRequest(method, target, 1, minor, headers, limits, collect);
}

function refusal(t: Test, result: RequestHead | Refusal, status: number, requirement: string): void {
  t.ok(isRefusal(result), `refused with ${status}`);
  if (isRefusal(result)) {
    t.equal(result.status, status);
    t.equal(result.requirement, requirement);
  }
}

t.test('an ordinary request passes with what it declares', async (t) => {
  const head = check('POST', '/x?y', 1, [...host, 'Content-Length', '5', 'Expect', '100-continue']);
  t.notOk(isRefusal(head));
  t.same(head, { contentLength: 5, chunked: false, expectContinue: true, asterisk: false, forwarding: undefined });
  const chunked = check('POST', '/', 1, [...host, 'transfer-encoding', 'Chunked']) as RequestHead;
  t.equal(chunked.chunked, true);
  t.equal(chunked.contentLength, null);
});

t.test('ENV-SERVER-3: only HTTP/1.0 and HTTP/1.1', async (t) => {
  refusal(t, inspectRequest('GET', '/', 2, 0, host, limits, false), 505, 'ENV-SERVER-3');
  refusal(t, inspectRequest('GET', '/', 0, 9, [], limits, false), 505, 'ENV-SERVER-3');
});

t.test('SRV-HTTP-6, ENV-PATH-3: request-target forms', async (t) => {
  t.equal((check('OPTIONS', '*', 1, host) as RequestHead).asterisk, true);
  refusal(t, check('GET', '*', 1, host), 400, 'SRV-HTTP-6');
  refusal(t, check('GET', 'example.test:80', 1, host), 400, 'ENV-PATH-3');
  t.notOk(isRefusal(check('GET', 'HTTP://example.test/x', 1, host)), 'absolute-form, scheme in any case');
  refusal(t, check('GET', 'http:///x', 1, host), 400, 'ENV-PATH-3');
});

t.test('SRV-HTTP-2: Host exactly once in HTTP/1.1, at most once in HTTP/1.0', async (t) => {
  refusal(t, check('GET', '/', 1, []), 400, 'SRV-HTTP-2');
  refusal(t, check('GET', '/', 1, [...host, 'HOST', 'other.test']), 400, 'SRV-HTTP-2');
  t.notOk(isRefusal(check('GET', '/', 0, [])));
  refusal(t, check('GET', '/', 0, [...host, ...host]), 400, 'SRV-HTTP-2');
});

t.test('SRV-HTTP-1: Transfer-Encoding', async (t) => {
  refusal(t, check('POST', '/', 0, ['Transfer-Encoding', 'chunked']), 400, 'SRV-HTTP-1');
  refusal(t, check('POST', '/', 1, [...host, 'Transfer-Encoding', 'gzip']), 400, 'SRV-HTTP-1');
  refusal(t, check('POST', '/', 1, [...host, 'Transfer-Encoding', 'gzip, chunked']), 501, 'SRV-HTTP-1');
  refusal(t, check('POST', '/', 1, [...host, 'Transfer-Encoding', 'gzip', 'Transfer-Encoding', 'chunked']), 501, 'SRV-HTTP-1');
});

t.test('INPUT-CONT-2: Expect', async (t) => {
  refusal(t, check('GET', '/', 1, [...host, 'Expect', 'x']), 417, 'INPUT-CONT-2');
  refusal(t, check('GET', '/', 1, [...host, 'Expect', '100-continue', 'Expect', 'x']), 417, 'INPUT-CONT-2');
  t.equal((check('GET', '/', 1, [...host, 'Expect', '100-Continue ']) as RequestHead).expectContinue, true);
  t.equal((check('GET', '/', 0, ['Expect', '100-continue']) as RequestHead).expectContinue, false, 'ignored in HTTP/1.0');
});

t.test('SRV-HTTP-4, INPUT-FLOW-3: header count and declared body length', async (t) => {
  const fields = Array.from({ length: 10 }, (_, i) => [`X-${i}`, 'v']).flat();
  refusal(t, check('GET', '/', 1, [...host, ...fields]), 431, 'SRV-HTTP-4');
  refusal(t, check('POST', '/', 1, [...host, 'Content-Length', '101']), 413, 'INPUT-FLOW-3');
  t.equal((check('POST', '/', 1, [...host, 'Content-Length', '100']) as RequestHead).contentLength, 100);
});

t.test('ENV-REMOTE-2: forwarding headers are collected only when asked', async (t) => {
  const headers = [...host, 'Forwarded', 'for=1.2.3.4', 'forwarded', 'proto=https', 'X-Forwarded-For', '5.6.7.8', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'a.test', 'X-Forwarded-Port', '8443'];
  t.equal((check('GET', '/', 1, headers) as RequestHead).forwarding, undefined);
  t.same((check('GET', '/', 1, headers, true) as RequestHead).forwarding, {
    forwarded: 'for=1.2.3.4, proto=https',
    xForwardedFor: '5.6.7.8',
    xForwardedProto: 'https',
    xForwardedHost: 'a.test',
    xForwardedPort: '8443',
  });
});
