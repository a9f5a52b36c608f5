import t from 'tap';
import { parseSpec, parsePending, check } from './check-spec-ids.mjs';

const spec = parseSpec([
  '- **RESP-HDR-3** (MUST, app): values are clean.',
  '- **RESP-HDR-4** (SHOULD, app): no whitespace.',
  '- **ENV-PATH-1** (MUST NOT, server): something.',
  '- **ENV-PATH-9** (MUST, server): *withdrawn* old rule.',
].join('\n'));

t.test('reads levels, parties and withdrawn ids', async (t) => {
  t.equal(spec.size, 4);
  t.same(spec.get('ENV-PATH-1'), { level: 'MUST NOT', party: 'server', withdrawn: false });
  t.equal(spec.get('ENV-PATH-9').withdrawn, true);
});

t.test('fails for an id the spec lacks, and for an uncovered MUST', async (t) => {
  const problems = check({ requirements: spec, named: new Map([['RESP-HDR-99', 'x.ts']]), covered: new Set(['RESP-HDR-3']), pending: new Map() });
  t.match(problems[0], /RESP-HDR-99 is named in x.ts/);
  t.match(problems[1], /ENV-PATH-1$/);
  t.equal(problems.length, 2);
});

t.test('a pending id must have a reason and must leave the list once covered', async (t) => {
  const pending = parsePending('# comment\nENV-PATH-1 needs the conformance suite\nRESP-HDR-3 x\n');
  const problems = check({ requirements: spec, named: new Map(), covered: new Set(['RESP-HDR-3']), pending });
  t.same(problems, ['RESP-HDR-3 is covered now: remove it from spec/coverage-pending.txt']);
  t.throws(() => parsePending('ENV-PATH-1\n'), /write "ID reason"/);
});

t.test('SHOULD and withdrawn ids need no test', async (t) => {
  const problems = check({ requirements: spec, named: new Map(), covered: new Set(['RESP-HDR-3', 'ENV-PATH-1']), pending: new Map() });
  t.same(problems, []);
});
