import t from 'tap';
import { wrapErrors } from './errors-stream.js';
import { Reporter, parseOptions } from './report.js';
import { collectingErrors, collector } from './test-fixtures/harness.js';

t.test('strings reach the server\'s error stream, with this bound to it', async (t) => {
  const inner = collectingErrors();
  const errors = wrapErrors(inner, new Reporter(parseOptions(undefined)));
  errors.write('line\n');
  t.same(inner.lines, ['line\n']);
  class Log {
    lines: string[] = [];
    write(message: string) { this.lines.push(message); }
  }
  const log = new Log();
  wrapErrors(log, new Reporter(parseOptions(undefined))).write('x');
  t.same(log.lines, ['x']);
});

t.test('ENV-TSGI-4: the application writes strings to tsgi.errors', async (t) => {
  const inner = collectingErrors();
  const errors = wrapErrors(inner, new Reporter(parseOptions(undefined)));
  t.throws(() => errors.write(new Error('x') as never), { requirement: 'ENV-TSGI-4', message: /an error/ });
  t.same(inner.lines, [], 'nothing written in throw mode');
  const seen = collector();
  const reporting = wrapErrors(inner, new Reporter(parseOptions({ mode: 'report', onViolation: seen.onViolation })));
  reporting.write(Buffer.from('bytes') as never);
  t.same(seen.seen.map((s) => s.id), ['ENV-TSGI-4']);
  t.equal(inner.lines.length, 1, 'written anyway in report mode');
});
