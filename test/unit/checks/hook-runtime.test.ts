import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepoRoot, hookFeedbackRecord, logHookError, parseHookInput } from '../../../src/checks/hook-runtime.js';
import { computeFeedbackId } from '../../../src/feedback/record.js';
import { FeedbackSchema } from '../../../src/schema/feedback.js';

const input = JSON.parse(readFileSync('test/fixtures/codex-hooks/PreToolUse.Bash.json', 'utf8'));
const finding = {
  hook: 'edit_guard',
  category: 'hook_block',
  severity: 'medium' as const,
  observation: 'The edit guard blocked a Bash call: src/app.ts (sed -i) is not a harness file',
  evidence: ['command: OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwxyz0123 sed -i s/a/b/ src/app.ts'],
  attributes: { paths: ['src/app.ts'] },
};

describe('hookFeedbackRecord', () => {
  const record = hookFeedbackRecord(input, finding, [], new Date('2026-11-25T12:00:00Z'));

  it('is a valid FeedbackSchema record', () => {
    expect(FeedbackSchema.safeParse(record).error).toBeUndefined();
  });

  it('has the id the feedback store computes for the same content', () => {
    const { schemaVersion: _v, id, ...draft } = record;
    expect(id).toBe(computeFeedbackId(draft));
  });

  it('keeps the id stable across time and redacts secrets before hashing', () => {
    const later = hookFeedbackRecord(input, finding, [], new Date('2027-01-01T00:00:00Z'));
    expect(later.id).toBe(record.id);
    expect(record.evidence[0]).toBe('command: OPENAI_API_KEY=[REDACTED:openai-key] sed -i s/a/b/ src/app.ts');
    expect(record.traceId).toBe(input.session_id);
    expect(record.spanId).toBe(input.tool_use_id);
  });

  it('applies the config redaction patterns', () => {
    const r = hookFeedbackRecord(input, { ...finding, evidence: ['token itk_abcd1234'] }, [{ name: 'internal-token', pattern: 'itk_[a-z0-9]{8}' }]);
    expect(r.evidence).toEqual(['token [REDACTED:internal-token]']);
  });
});

describe('hook plumbing', () => {
  it('parses only JSON objects', () => {
    expect(parseHookInput('{"cwd":"/x"}')).toEqual({ cwd: '/x' });
    expect(() => parseHookInput('"x"')).toThrow('hook input is not a JSON object');
    expect(() => parseHookInput('{"tool_input": 3}')).toThrow('tool_input is not an object');
  });

  it('finds the repository root above the cwd, or keeps the cwd', () => {
    const base = mkdtempSync(join(tmpdir(), 'hl-root-'));
    try {
      mkdirSync(join(base, 'repo/.git'), { recursive: true });
      mkdirSync(join(base, 'repo/a/b'), { recursive: true });
      expect(findRepoRoot(join(base, 'repo/a/b'))).toBe(join(base, 'repo'));
      expect(findRepoRoot(base)).toBe(base);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('writes one line per error and never throws', () => {
    const base = mkdtempSync(join(tmpdir(), 'hl-log-'));
    try {
      logHookError(base, 'edit_guard', new Error('line one\nline two'), new Date('2026-11-25T12:00:00Z'));
      expect(readFileSync(join(base, '.harness-loop/hook-errors.log'), 'utf8')).toBe('2026-11-25T12:00:00.000Z edit_guard: line one line two\n');
      // A root that is a file cannot hold .harness-loop/ (mkdir fails); the hook must still go on.
      // (Not a /proc path: Node 20's recursive mkdirSync loops forever there.)
      expect(() => logHookError(join(base, '.harness-loop/hook-errors.log'), 'x', 'y')).not.toThrow();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
