#!/usr/bin/env node
// One id, one grep: every requirement id named in code must exist in the spec,
// and every MUST / MUST NOT of the spec must be exercised by at least one test
// whose name starts with the id (or by a conformance case that names it).
// MUSTs not covered yet are listed, each with a reason, in
// spec/coverage-pending.txt; a listed id that becomes covered must leave the list,
// so the list only shrinks.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SPEC = join(ROOT, 'spec/tsgi-1.0.md');
const PENDING = join(ROOT, 'spec/coverage-pending.txt');
const AREAS = 'APP|ENV|INPUT|RESP|BODY|ERR|CANCEL|MOUNT|LIFE|MW|SRV|SEC|EXT|VER';
const ID = new RegExp(`\\b(?:${AREAS})-[A-Z]+-\\d+\\b`, 'g');
const REQUIREMENT_LINE = /^- \*\*([A-Z]+-[A-Z]+-\d+)\*\* \((MUST NOT|MUST|SHOULD NOT|SHOULD|MAY)(?:, ([a-z]+))?\)/;
// A test or conformance case that names the id: t.test('ID: ...'), { id: 'ID' }, and every id of ids: ['ID', ...]
const CHECK_NAME = new RegExp(`(?:\\.test\\(\\s*['"\`]|\\bid:\\s*['"\`])((?:${AREAS})-[A-Z]+-\\d+)`, 'g');
const ID_LIST = /\bids:\s*\[([^\]]*)\]/g;

export function parseSpec(text) {
  const requirements = new Map();
  for (const line of text.split('\n')) {
    const m = REQUIREMENT_LINE.exec(line);
    if (!m) continue;
    if (requirements.has(m[1])) throw new Error(`spec: ${m[1]} is defined twice`);
    requirements.set(m[1], { level: m[2], party: m[3] ?? '', withdrawn: /\*withdrawn\*/i.test(line) });
  }
  return requirements;
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(m?[jt]s)$/.test(name) && !name.startsWith('check-spec-ids')) yield path; // its own test uses made-up ids
  }
}

export function scan(roots) {
  const named = new Map(); // id -> first file naming it
  const covered = new Set();
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(ID)) if (!named.has(m[0])) named.set(m[0], relative(ROOT, file));
      for (const m of text.matchAll(CHECK_NAME)) covered.add(m[1]);
      for (const list of text.matchAll(ID_LIST)) for (const m of list[1].matchAll(ID)) covered.add(m[0]);
    }
  }
  return { named, covered };
}

export function parsePending(text) {
  const pending = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Z]+-[A-Z]+-\d+)\s+(.+)$/.exec(line);
    if (!m) throw new Error(`coverage-pending.txt: cannot read ${JSON.stringify(line)}: write "ID reason"`);
    pending.set(m[1], m[2]);
  }
  return pending;
}

export function check({ requirements, named, covered, pending }) {
  const problems = [];
  for (const [id, file] of named) if (!requirements.has(id)) problems.push(`${id} is named in ${file} but the spec has no such requirement`);
  for (const id of pending.keys()) {
    if (!requirements.has(id)) problems.push(`${id} is listed in spec/coverage-pending.txt but the spec has no such requirement`);
    else if (covered.has(id)) problems.push(`${id} is covered now: remove it from spec/coverage-pending.txt`);
  }
  const uncovered = [];
  for (const [id, r] of requirements) {
    if (r.withdrawn || !r.level.startsWith('MUST')) continue;
    if (!covered.has(id) && !pending.has(id)) uncovered.push(id);
  }
  if (uncovered.length) problems.push(`MUST requirements no test or conformance case names: ${uncovered.join(', ')}`);
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const requirements = parseSpec(readFileSync(SPEC, 'utf8'));
  const { named, covered } = scan(['packages', 'examples', 'benchmarks', 'scripts'].map((d) => join(ROOT, d)));
  const pending = existsSync(PENDING) ? parsePending(readFileSync(PENDING, 'utf8')) : new Map();
  const problems = check({ requirements, named, covered, pending });
  const musts = [...requirements.values()].filter((r) => r.level.startsWith('MUST') && !r.withdrawn).length;
  const coveredMusts = [...requirements].filter(([id, r]) => r.level.startsWith('MUST') && covered.has(id)).length;
  console.log(`spec ids: ${requirements.size} requirements, ${musts} MUST; ${coveredMusts} MUST covered by tests, ${pending.size} pending`);
  if (problems.length) {
    for (const p of problems) console.error(`check-spec-ids: ${p}`);
    process.exit(1);
  }
}
