import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addFeedback } from '../../../src/feedback/add.js';
import { ingest } from '../../../src/ingest/ingest.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { listTraces, renderTraceDetail, renderTraceList, showTrace } from '../../../src/traces/traces.js';

const config = ConfigSchema.parse({});

async function workspace(): Promise<string> {
  const ws = mkdtempSync(join(tmpdir(), 'hl-traces-'));
  await ingest({ workspace: ws, paths: ['test/fixtures/codex-history'], from: 'auto', allRepos: true, config });
  return ws;
}

describe('harness-loop traces', () => {
  it('lists every stored trace newest first with task, answer, harness and feedback count', async () => {
    const ws = await workspace();
    await addFeedback({
      workspace: ws,
      config,
      trace: '0199b8d1-52a0-7c31-9e4b-6f0a2d1c3e55',
      category: 'failed_command',
      severity: 'high',
      observation: 'ran the tests twice',
    });
    const rows = await listTraces(ws);
    expect(rows.map((r) => r.id)[0]).toBe('01a23bb2-91cb-7390-b9ff-d5f79ec60f87');
    const vscode = rows.find((r) => r.id.startsWith('0199b8d1'))!;
    expect(vscode).toMatchObject({ task: 'The cart total test fails, fix it', feedback: 1, errors: 1 });
    expect(vscode.harness).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.find((r) => r.id.startsWith('01a23bb2-91cb'))!.parent).toBe('01a23bb2-8e7a-7103-b984-75594a65b317');
    const text = renderTraceList(rows);
    expect(text).toContain(
      `0199b8d1-52a0-7c31-9e4b-6f0a2d1c3e55  2025-10-06 09:14  fb 1  harness ${vscode.harness!.slice(0, 12)}  task: The cart total test fails, fix it`,
    );
  });

  it('shows one trace by a unique prefix, with its feedback, and refuses an ambiguous one', async () => {
    const ws = await workspace();
    const detail = await showTrace(ws, '01a23bb2-91');
    expect(detail.trace.id).toBe('01a23bb2-91cb-7390-b9ff-d5f79ec60f87');
    const text = renderTraceDetail(detail);
    expect(text).toContain('parent   01a23bb2-8e7a-7103-b984-75594a65b317');
    expect(text).toContain('CHILD-ANSWER: the repository holds README.md only.');
    expect(text).toMatch(/tool_call\s+exec_command exit 0\s+\[call_child_ls\]/);
    await expect(showTrace(ws, '01a23')).rejects.toThrow(/matches more than one trace/);
  });

  it('shows the harness fingerprint when the trace carries one', () => {
    const text = renderTraceList([
      { id: 't1', startTime: null, task: 'x', finalAnswer: null, harness: 'ab12cd34ef56ff', feedback: 0, parent: null, errors: 0 },
    ]);
    expect(text).toContain('harness ab12cd34ef56');
  });
});
