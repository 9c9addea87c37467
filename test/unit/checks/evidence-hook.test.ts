import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEvidenceHook } from '../../../src/checks/evidence-hook.js';
import { makeRepo, type FixtureRepo } from './fixture-repo.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const sample = JSON.parse(readFileSync('test/fixtures/codex-hooks/PostToolUse.apply_patch.json', 'utf8'));
let repo: FixtureRepo;

beforeEach(() => {
  repo = makeRepo({ 'docs/guide.md': 'Retry guide\nThe client retries 3 times.\n' });
});
afterEach(() => repo.remove());

const patchAdding = (path: string) => `*** Begin Patch\n*** Add File: ${path}\n+x\n*** End Patch\n`;
const payload = (overrides: Record<string, unknown>) => JSON.stringify({ ...sample, cwd: repo.root, ...overrides });
const run = (stdin: string) => runEvidenceHook(stdin, { cwd: repo.root, home: repo.home, now: NOW });
const errorLog = () => readFileSync(join(repo.root, '.harness-loop/hook-errors.log'), 'utf8');

describe('check_evidence_coverage hook', () => {
  it('answers with the exact PostToolUse additionalContext JSON when a citation is wrong', () => {
    repo.write('output/answer.md', 'The client retries 3 times [docs/guide.md#L2]. It gives up afterwards [docs/missing.md].\n');
    const out = run(payload({ tool_input: { command: patchAdding('output/answer.md') } }));
    expect(out).toBe(
      '{"hookSpecificOutput":{"hookEventName":"PostToolUse","additionalContext":"check_evidence_coverage: output/answer.md has 1 evidence problem:\\n- line 1: [docs/missing.md]: docs/missing.md does not exist\\n\\nFix these in the document: cite files inside the repository with lines that exist, quote and number exactly as the source has it, and cite the claims listed."}}',
    );
  });

  it('appends a hook feedback record with the session and tool call ids', () => {
    repo.write('output/answer.md', 'It gives up after a while [docs/missing.md].\n');
    run(payload({ tool_input: { command: patchAdding('output/answer.md') } }));
    const lines = readFileSync(join(repo.root, '.harness-loop/feedback/hooks.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        schemaVersion: 1,
        id: expect.stringMatching(/^fb_[0-9a-f]{16}$/),
        traceId: sample.session_id,
        spanId: sample.tool_use_id,
        source: 'hook',
        author: 'harness-loop/check_evidence_coverage',
        category: 'citation_error',
        severity: 'medium',
        observation: 'output/answer.md has 1 evidence problem (1 of 1 claims cited)',
        evidence: ['output/answer.md:1: [docs/missing.md]: docs/missing.md does not exist'],
        requiredObservations: [],
        prohibitedClaims: [],
        status: 'active',
        createdAt: '2026-11-25T12:00:00.000Z',
        attributes: {
          hook: 'check_evidence_coverage',
          turnId: sample.turn_id,
          tool: 'apply_patch',
          file: 'output/answer.md',
          coverage: 1,
          claims: 1,
          cited: 1,
        },
      },
    ]);
  });

  it('prints nothing for a document whose evidence holds', () => {
    repo.write('output/answer.md', 'The client retries 3 times [docs/guide.md#L2].\n');
    expect(run(payload({ tool_input: { command: patchAdding('output/answer.md') } }))).toBe('');
    expect(existsSync(join(repo.root, '.harness-loop'))).toBe(false);
  });

  it('ignores files outside the output globs and calls that write nothing', () => {
    repo.write('notes/answer.md', 'It gives up [docs/missing.md].\n');
    expect(run(payload({ tool_input: { command: patchAdding('notes/answer.md') } }))).toBe('');
    const bash = JSON.parse(readFileSync('test/fixtures/codex-hooks/PostToolUse.Bash.json', 'utf8'));
    expect(run(JSON.stringify({ ...bash, cwd: repo.root }))).toBe('');
    expect(existsSync(join(repo.root, '.harness-loop'))).toBe(false);
  });

  it('checks documents written by a shell here-doc', () => {
    repo.write('reports/r.md', 'It gives up after a while [docs/missing.md].\n');
    const out = run(payload({ tool_name: 'Bash', tool_input: { command: "cat > reports/r.md <<'EOF'\n...\nEOF" }, tool_response: '' }));
    expect(JSON.parse(out).hookSpecificOutput.additionalContext).toContain('reports/r.md has 1 evidence problem');
  });

  it('uses the output globs and minimum coverage from the config', () => {
    repo.write('.harness-loop/config.yaml', 'evidence:\n  outputGlobs: [notes/**]\n  minCoverage: 1\n');
    repo.write('notes/a.md', 'The client retries 3 times [docs/guide.md#L2]. It also logs each attempt.\n');
    const out = run(payload({ tool_input: { command: patchAdding('notes/a.md') } }));
    expect(JSON.parse(out).hookSpecificOutput.additionalContext).toContain('only 1 of 2 sentences cite a source (50%); the minimum is 100%');
  });

  it.each([
    ['malformed JSON', 'not json', /check_evidence_coverage: Unexpected token/],
    ['a JSON array', '[]', /check_evidence_coverage: hook input is not a JSON object/],
    ['empty stdin', '', /check_evidence_coverage: Unexpected end of JSON input/],
  ])('fails open on %s: no output, one line in hook-errors.log', (_name, stdin, line) => {
    expect(run(stdin)).toBe('');
    expect(errorLog()).toMatch(new RegExp(`^2026-11-25T12:00:00.000Z ${line.source}.*\\n$`));
  });

  it('fails open on a config it cannot read', () => {
    repo.write('.harness-loop/config.yaml', 'evidence:\n  minCoverage: lots\n');
    repo.write('output/answer.md', 'It gives up [docs/missing.md].\n');
    expect(run(payload({ tool_input: { command: patchAdding('output/answer.md') } }))).toBe('');
    expect(errorLog()).toContain('check_evidence_coverage: evidence.minCoverage must be a number from 0 to 1 (got "lots")');
  });

  it('does nothing for other events', () => {
    repo.write('output/answer.md', 'It gives up [docs/missing.md].\n');
    expect(run(payload({ hook_event_name: 'PreToolUse', tool_input: { command: patchAdding('output/answer.md') } }))).toBe('');
  });
});
