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

t.test('every error code is documented in Appendix B of the spec, and the other way round', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const spec = await readFile(new URL('../../../spec/tsgi-1.0.md', import.meta.url), 'utf8');
  const appendix = spec.slice(spec.indexOf('## Appendix B'), spec.indexOf('## Appendix C'));
  t.ok(appendix.length > 100, 'Appendix B exists');
  for (const code of Object.keys(ERROR_CODES)) t.match(appendix, code, `${code} is in Appendix B`);
  const documented = new Set(appendix.match(/TSGI_ERR_[A-Z_]+/g));
  for (const code of documented) t.ok(code in ERROR_CODES, `${code} of Appendix B exists in ERROR_CODES`);
});
