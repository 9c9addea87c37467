import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRolloutFile } from '../../../src/ingest/codex-rollout.js';
import { filesOf, fingerprintOf, runFingerprint, sameFiles, sessionFingerprint, skillEntries } from '../../../src/ingest/harness-fingerprint.js';
import type { Trace } from '../../../src/schema/trace.js';

const ROLLOUT = 'test/fixtures/codex-exec/rollout.base.jsonl';
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function readEdited(edit: (text: string) => string): Promise<Trace> {
  const dir = await mkdtemp(join(tmpdir(), 'hl-fp-'));
  dirs.push(dir);
  const file = join(dir, 'rollout.jsonl');
  await writeFile(file, edit(await readFile(ROLLOUT, 'utf8')));
  const trace = await readRolloutFile(file, { skip: () => {}, maxLineBytes: 1 << 22 });
  if (!trace) throw new Error('no trace');
  return trace;
}

describe('harness fingerprint of a rollout', () => {
  it('covers the injected AGENTS.md, skills and the turn settings', async () => {
    const trace = await readEdited((t) => t);
    expect(trace.harness?.derivedFrom).toBe('rollout');
    expect(Object.keys(trace.harness!.components)).toEqual(expect.arrayContaining(['agentsMd', 'model', 'sandbox', 'approvalPolicy']));
    expect(trace.harness!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with one AGENTS.md rule and with the model, not with the folder the session ran in', async () => {
    const base = await readEdited((t) => t);
    const text = await readFile(ROLLOUT, 'utf8');
    const cwd = base.cwd!;
    const moved = await readEdited((t) => t.split(cwd).join('/elsewhere/copy-1234'));
    expect(moved.harness!.fingerprint).toBe(base.harness!.fingerprint);
    // A rule added inside the injected instructions (both the message and world_state carry them).
    expect(text).toContain('<INSTRUCTIONS>');
    const ruled = await readEdited((t) => t.split('<INSTRUCTIONS>\\n').join('<INSTRUCTIONS>\\n- Always cite the file.\\n'));
    expect(ruled.harness!.components.agentsMd).not.toBe(base.harness!.components.agentsMd);
    expect(ruled.harness!.fingerprint).not.toBe(base.harness!.fingerprint);
    const model = base.models[0]!;
    const other = await readEdited((t) => t.split(`"model":"${model}"`).join('"model":"other-model"'));
    expect(other.harness!.components.model).not.toBe(base.harness!.components.model);
  });
});

describe('fingerprint parts', () => {
  it('keeps only the skill entries of a listing, sorted', () => {
    const listing =
      '<skills_instructions>\n### Skill roots\n- `r0` = `/home/a/.codex/skills`\n### Available skills\n- b: second (file: r0/b/SKILL.md)\n- a: first (file: r0/a/SKILL.md)\n### How to use skills\n- Discovery: prose\n</skills_instructions>';
    expect(skillEntries(listing)).toEqual(['- a: first (file: r0/a/SKILL.md)', '- b: second (file: r0/b/SKILL.md)']);
    const moved = listing.replace('/home/a/.codex/skills', '/tmp/x');
    expect(sessionFingerprint('rollout', { skillsListing: moved })).toEqual(sessionFingerprint('rollout', { skillsListing: listing }));
  });

  it('is null when nothing was seen, and independent of component order', () => {
    expect(sessionFingerprint('rollout', {})).toBeNull();
    expect(fingerprintOf('run', { b: '2', a: '1' })!.fingerprint).toBe(fingerprintOf('run', { a: '1', b: '2' })!.fingerprint);
  });

  it('a run fingerprint adds the files of the copy and gives them back', () => {
    const session = sessionFingerprint('exec-json', { model: 'm' });
    const run = runFingerprint(session, { 'AGENTS.md': 'aa', '.codex/config.toml': 'bb' })!;
    expect(run.derivedFrom).toBe('run');
    expect(run.components.model).toBe(session!.components.model);
    expect(filesOf(run)).toEqual({ 'AGENTS.md': 'aa', '.codex/config.toml': 'bb' });
    expect(sameFiles(filesOf(run)!, { '.codex/config.toml': 'bb', 'AGENTS.md': 'aa' })).toBe(true);
    expect(sameFiles(filesOf(run)!, { 'AGENTS.md': 'aa' })).toBe(false);
    expect(runFingerprint(session, { 'AGENTS.md': 'ab' })!.fingerprint).not.toBe(run.fingerprint);
  });
});
