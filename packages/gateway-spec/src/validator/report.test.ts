import t from 'tap';
import { SpecViolation } from '../errors.js';
import { Reporter, parseOptions, violation } from './report.js';
import { collectingErrors, collector } from './test-fixtures/harness.js';

const error = violation('RESP-HDR-3', 'bad value');
const warning = violation('RESP-HDR-4', 'padded value');

t.test('options are checked once and frozen', async (t) => {
  t.same(parseOptions(undefined), { mode: 'throw', onViolation: undefined });
  t.ok(Object.isFrozen(parseOptions({ mode: 'report' })));
  t.throws(() => parseOptions({ mode: 'loud' }), { code: 'TSGI_ERR_INVALID_ARGUMENT' });
  t.throws(() => parseOptions('throw'), { code: 'TSGI_ERR_INVALID_ARGUMENT' });
  t.throws(() => parseOptions(new Proxy({}, { ownKeys: () => { throw new Error('x'); } })), { code: 'TSGI_ERR_INVALID_ARGUMENT' });
});

t.test('throw mode: errors throw, warnings go to onViolation', async (t) => {
  const seen = collector();
  const reporter = new Reporter(parseOptions({ onViolation: seen.onViolation }));
  t.throws(() => reporter.flag(error), error);
  reporter.flag(warning);
  t.throws(() => reporter.flagAll([warning, error, violation('RESP-HDR-5', 'x')]), error, 'the first error');
  t.same(seen.seen.map((s) => [s.id, s.level]), [['RESP-HDR-4', 'warning'], ['RESP-HDR-4', 'warning']], 'errors are thrown, not also reported');
});

t.test('report mode: everything goes to onViolation with its level', async (t) => {
  const seen = collector();
  const reporter = new Reporter(parseOptions({ mode: 'report', onViolation: seen.onViolation }));
  reporter.flagAll([error, warning]);
  t.same(seen.seen.map((s) => [s.id, s.level]), [['RESP-HDR-3', 'error'], ['RESP-HDR-4', 'warning']]);
});

t.test('the default handler writes each distinct violation once to the request\'s error stream', async (t) => {
  const errors = collectingErrors();
  const reporter = new Reporter(parseOptions({ mode: 'report' }), errors);
  reporter.flag(warning);
  reporter.flag(warning);
  reporter.flag(error);
  t.same(errors.lines, ['tsgi validate: warning: RESP-HDR-4: padded value\n', 'tsgi validate: error: RESP-HDR-3: bad value\n']);
});

t.test('outside a request, or when the error stream fails, the default handler uses console.warn', async (t) => {
  const warned: unknown[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args.join(' '));
  try {
    new Reporter(parseOptions(undefined)).flag(warning);
    new Reporter(parseOptions(undefined), { write() { throw new Error('closed'); } }).flag(warning);
    new Reporter(parseOptions(undefined), new Proxy({}, { get: () => { throw new Error('trap'); } })).flag(warning);
  } finally {
    console.warn = original;
  }
  t.same(warned, Array(3).fill('tsgi validate: warning: RESP-HDR-4: padded value'));
});

t.test('report() never throws, even when onViolation does', async (t) => {
  const original = console.warn;
  const warned: string[] = [];
  console.warn = (line: string) => void warned.push(line);
  try {
    const reporter = new Reporter(parseOptions({ onViolation: () => { throw new Error('handler'); } }));
    t.doesNotThrow(() => reporter.report(error));
  } finally {
    console.warn = original;
  }
  t.match(warned, [/RESP-HDR-3: bad value \(onViolation threw: Error: handler\)/]);
});

t.test('violations are SpecViolations whose message starts with the id', async (t) => {
  t.ok(error instanceof SpecViolation);
  t.equal(error.message, 'RESP-HDR-3: bad value');
  t.equal(error.requirement, 'RESP-HDR-3');
});
