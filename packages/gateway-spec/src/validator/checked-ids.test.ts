import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { VALIDATOR_REQUIREMENTS, levelOf } from './checked-ids.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const spec = readFileSync(fileURLToPath(new URL('../../../../spec/tsgi-1.0.md', import.meta.url)), 'utf8');
const LINE = /^- \*\*([A-Z]+-[A-Z]+-\d+)\*\* \((MUST NOT|MUST|SHOULD NOT|SHOULD|MAY)(?:, ([a-z]+))?\)/;
const levels = new Map<string, string>();
for (const line of spec.split('\n')) {
  const m = LINE.exec(line);
  if (m?.[1] !== undefined && m[2] !== undefined) levels.set(m[1], m[2]);
}

t.test('every checked id is a requirement of the spec, reported at its level', async (t) => {
  t.ok(levels.size > 100, 'the spec was read');
  for (const id of VALIDATOR_REQUIREMENTS) {
    const level = levels.get(id);
    t.ok(level, `${id} is in spec/tsgi-1.0.md`);
    if (level === undefined) continue;
    t.equal(levelOf(id), level.startsWith('MUST') ? 'error' : 'warning', `${id} (${level})`);
  }
  t.equal(new Set(VALIDATOR_REQUIREMENTS).size, VALIDATOR_REQUIREMENTS.length, 'no id twice');
  t.ok(Object.isFrozen(VALIDATOR_REQUIREMENTS));
});

t.test('every checked id has a test that breaks it, named after it', async (t) => {
  const tests = readdirSync(here).filter((name) => name.endsWith('.test.ts')).map((name) => readFileSync(`${here}/${name}`, 'utf8')).join('\n');
  for (const id of VALIDATOR_REQUIREMENTS) {
    t.ok(tests.includes(`t.test('${id}:`), `a test named "${id}: ..."`);
  }
});

t.test('every id a check names is in the table (one id, one grep)', async (t) => {
  const sources = readdirSync(here).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  for (const name of sources) {
    const text = readFileSync(`${here}/${name}`, 'utf8');
    for (const m of text.matchAll(/^\s*\/\/\/ ([A-Z]+-[A-Z]+-\d+):/gm)) {
      t.ok(VALIDATOR_REQUIREMENTS.includes(m[1] as never), `${m[1]} of ${name}`);
    }
  }
});
