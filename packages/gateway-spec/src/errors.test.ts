import t from 'tap';
import { SpecViolation, TsgiError, isSpecViolation, isTsgiError, ERROR_CODES } from './errors.js';

t.test('SpecViolation names its requirement first', async (t) => {
  const v = new SpecViolation('RESP-HDR-3', 'header value for "x-a" contains CR/LF');
  t.equal(v.message, 'RESP-HDR-3: header value for "x-a" contains CR/LF');
  t.equal(v.requirement, 'RESP-HDR-3');
  t.equal(v.code, 'TSGI_ERR_SPEC_VIOLATION');
  t.ok(v instanceof TsgiError);
  t.ok(isSpecViolation(v));
  t.ok(isTsgiError(v));
});

t.test('brands work across copies of the package (no instanceof needed)', async (t) => {
  const foreign = Object.assign(new Error('x'), { [Symbol.for('tsgi.error')]: true, code: 'TSGI_ERR_SPEC_VIOLATION' });
  t.ok(isSpecViolation(foreign));
  t.notOk(isTsgiError(new Error('plain')));
  t.notOk(isTsgiError(null));
});

t.test('every error code has a description', async (t) => {
  for (const [code, text] of Object.entries(ERROR_CODES)) {
    t.match(code, /^TSGI_ERR_[A-Z_]+$/);
    t.ok(text.length > 10, code);
  }
});
