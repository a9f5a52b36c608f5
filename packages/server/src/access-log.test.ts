import t from 'tap';
import { apacheEscape, apacheTime, combinedLine, jsonLine, type AccessRecord } from './access-log.js';

const record: AccessRecord = {
  remoteAddr: '10.0.0.7',
  time: new Date(Date.UTC(2000, 9, 10, 13, 55, 36)),
  method: 'GET',
  uri: '/apache_pb.gif?x="1"',
  protocol: 'HTTP/1.0',
  status: 200,
  bytes: 2326,
  referer: 'http://www.example.com/start.html',
  userAgent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
  durationMs: 1.23456,
  requestId: 'abc',
  worker: 2,
};

t.test('Apache combined format, as in the httpd manual', async (t) => {
  t.equal(apacheTime(record.time), '[10/Oct/2000:13:55:36 +0000]');
  t.equal(
    combinedLine(record),
    '10.0.0.7 - - [10/Oct/2000:13:55:36 +0000] "GET /apache_pb.gif?x=\\"1\\" HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
  );
  t.match(combinedLine({ ...record, bytes: 0, referer: undefined, userAgent: undefined }), / 200 - "-" "-"$/);
});

t.test('quoted fields escape quotes, backslashes and control bytes', async (t) => {
  t.equal(apacheEscape('a"b\\c\nd\x7f'), 'a\\"b\\\\c\\x0ad\\x7f');
});

t.test('JSON lines carry the request id, the worker and the duration', async (t) => {
  t.same(JSON.parse(jsonLine(record)), {
    time: '2000-10-10T13:55:36.000Z',
    remote_addr: '10.0.0.7',
    method: 'GET',
    uri: '/apache_pb.gif?x="1"',
    protocol: 'HTTP/1.0',
    status: 200,
    bytes: 2326,
    referer: 'http://www.example.com/start.html',
    user_agent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
    duration_ms: 1.235,
    request_id: 'abc',
    worker: 2,
  });
});
