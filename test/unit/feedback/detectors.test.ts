import { describe, expect, it } from 'vitest';
import {
  detectErroredTurns,
  detectFailedCommands,
  detectHookBlocks,
  detectMissingCitedFiles,
  detectMissingSections,
  detectRunawayTokens,
  detectToolErrors,
} from '../../../src/feedback/detectors/index.js';
import { extractCitations } from '../../../src/feedback/detectors/citations.js';
import { readTraceStore } from '../../../src/ingest/store.js';
import { FeedbackSchema } from '../../../src/schema/feedback.js';
import type { Trace } from '../../../src/schema/trace.js';
import { workspacePaths } from '../../../src/util/workspace.js';
import { BASE_TRACE, ERROR_TRACE, EXEC, FIX, span, trace, workspaceWith } from './helpers.js';

/** Reads fixtures through the real ingest stage and returns the stored traces by id. */
async function realTraces(files: string[]): Promise<Map<string, Trace>> {
  const workspace = await workspaceWith(files);
  const traces = new Map<string, Trace>();
  for await (const t of readTraceStore(workspacePaths(workspace).traceStore)) traces.set(t.id, t);
  return traces;
}

const FAILED_TRACE = '01a20f59-f305-7e31-9c64-00000000fa11';
const BLOCKED_TRACE = '01a20f59-f305-7e31-9c64-0000000b10c2';

describe('detector records', () => {
  it('are valid feedback with source detector, an author naming the detector, and a stable id', () => {
    const t = trace({ spans: [span({ id: 'c1', kind: 'tool_call', name: 'exec_command', exitCode: 3, status: 'error', input: 'make' })] });
    const [a] = detectFailedCommands(t);
    const [b] = detectFailedCommands(structuredClone(t));
    expect(FeedbackSchema.parse(a)).toEqual(a);
    expect(a).toMatchObject({ source: 'detector', author: 'harness-loop/failed-commands', traceId: 'trace-1', spanId: 'c1', status: 'active' });
    expect(a!.id).toBe(b!.id);
    expect(detectFailedCommands({ ...t, id: 'trace-2' })[0]!.id).not.toBe(a!.id);
  });
});

describe('detectFailedCommands', () => {
  it('reports each command with a non-zero exit code, quoting command and output', () => {
    const t = trace({
      spans: [
        span({ id: 'ok', kind: 'tool_call', name: 'exec_command', exitCode: 0, input: '{"cmd":"ls"}' }),
        span({ id: 'bad', kind: 'tool_call', name: 'exec_command', exitCode: 2, status: 'error', input: '{"cmd":"npm test"}', output: 'FAIL x' }),
        span({ id: 'none', kind: 'tool_call', name: 'apply_patch', exitCode: null }),
      ],
    });
    const records = detectFailedCommands(t);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      spanId: 'bad',
      category: 'failed_command',
      severity: 'medium',
      observation: 'Command exited with code 2: npm test',
      evidence: ['command: npm test', 'output: FAIL x'],
    });
  });

  it('rates exit 1 from a search as low: it usually means "no match"', () => {
    const t = trace({ spans: [span({ id: 'g', kind: 'tool_call', exitCode: 1, input: "/bin/bash -lc 'rg TODO src'" })] });
    expect(detectFailedCommands(t)[0]!.severity).toBe('low');
  });

  it('truncates long output in the evidence', () => {
    const t = trace({ spans: [span({ id: 'b', kind: 'tool_call', exitCode: 1, input: 'make', output: 'x'.repeat(5000) })] });
    const evidence = detectFailedCommands(t)[0]!.evidence[1]!;
    expect(evidence.length).toBeLessThan(500);
    expect(evidence).toContain('[4600 more characters]');
  });

  it('finds the failed npm test in a real rollout', async () => {
    const t = (await realTraces([`${FIX}/rollout.failed_command.jsonl`])).get(FAILED_TRACE)!;
    const records = detectFailedCommands(t);
    expect(records.map((r) => [r.spanId, r.observation])).toEqual([['call_shell_1', 'Command exited with code 2: npm test']]);
    expect(records[0]!.evidence[1]).toContain('AssertionError: expected 3 to be 4');
  });

  it('finds nothing in real runs whose commands succeeded', async () => {
    const traces = await realTraces([`${EXEC}/exec.base.jsonl`, `${EXEC}/rollout.base.jsonl`, `${EXEC}/exec.mcp.jsonl`]);
    expect([...traces.values()].flatMap((t) => detectFailedCommands(t))).toEqual([]);
  });
});

describe('detectToolErrors', () => {
  it('reports failed tool calls that are neither exit codes nor hook blocks', () => {
    const t = trace({
      spans: [
        span({ id: 'p', kind: 'tool_call', name: 'apply_patch', status: 'error', error: 'patch failed' }),
        span({ id: 'm', kind: 'tool_call', name: 'mcp__probe__echo', status: 'error', error: 'MCP tool call failed', output: { content: [] } }),
        span({ id: 'x', kind: 'tool_call', name: 'exec_command', status: 'error', exitCode: 2, error: 'command exited with code 2' }),
        span({ id: 'h', kind: 'tool_call', name: 'exec_command', status: 'error', output: 'Command blocked by PreToolUse hook: no. Command: ls' }),
        span({ id: 'ok', kind: 'tool_call', name: 'apply_patch', status: 'ok' }),
      ],
    });
    expect(detectToolErrors(t).map((r) => [r.spanId, r.category, r.observation])).toEqual([
      ['p', 'tool_error', 'Tool apply_patch failed: patch failed'],
      ['m', 'tool_error', 'Tool mcp__probe__echo failed: MCP tool call failed'],
    ]);
  });

  it('finds nothing in real runs without tool failures', async () => {
    const traces = await realTraces([`${EXEC}/exec.base.jsonl`, `${EXEC}/exec.mcp.jsonl`, `${FIX}/rollout.failed_command.jsonl`]);
    expect([...traces.values()].flatMap(detectToolErrors)).toEqual([]);
  });
});

describe('detectHookBlocks', () => {
  it('reports a PreToolUse block from the tool output, with the reason', () => {
    const t = trace({
      spans: [
        span({
          id: 'c',
          kind: 'tool_call',
          name: 'apply_patch',
          output: 'Command blocked by PreToolUse hook: edits outside harness files. Command: *** Begin Patch\n*** End Patch\n',
        }),
      ],
    });
    expect(detectHookBlocks(t)).toMatchObject([
      { spanId: 'c', category: 'hook_block', observation: 'PreToolUse hook blocked apply_patch: edits outside harness files' },
    ]);
  });

  it('reports hook spans that block or fail, and ignores added context', () => {
    const t = trace({
      spans: [
        span({ id: 'ctx', kind: 'hook', name: 'hook_context', output: 'Remember to cite sources.' }),
        span({ id: 'deny', kind: 'hook', name: 'pre_tool_use', attributes: { decision: 'deny', reason: 'not in a cycle' } }),
        span({ id: 'err', kind: 'hook', name: 'post_tool_use', status: 'error', error: 'hook timed out' }),
      ],
    });
    expect(detectHookBlocks(t).map((r) => [r.spanId, r.observation])).toEqual([
      ['deny', 'Hook pre_tool_use blocked: not in a cycle'],
      ['err', 'Hook post_tool_use failed: hook timed out'],
    ]);
  });

  it('finds the PreToolUse block and the Stop-hook continuation in a real rollout', async () => {
    const t = (await realTraces([`${FIX}/rollout.hook_block.jsonl`])).get(BLOCKED_TRACE)!;
    expect(detectHookBlocks(t).map((r) => [r.spanId, r.observation])).toEqual([
      ['call_shell_1', 'PreToolUse hook blocked exec_command: shell commands are not allowed during review'],
      ['msg_hook_prompt_1', 'Stop hook blocked the end of the turn: Cite the files you changed before finishing.'],
    ]);
  });
});

describe('extractCitations', () => {
  it('finds backticked paths, [path], [text](path), (source: …) and footnote targets', () => {
    const answer = [
      'Runway is 11 months (`financials/p_and_l.csv`).',
      'See [src/app.ts#L10-L20] and the [guide](docs/guide.md "Guide").',
      'Churn rose (source: data/churn.csv, notes/q3.md:12).',
      'Links like [home](https://example.com) and [anchors](#top) are not files.',
      'Code such as `span.id`, `npm test` or `origin/main`, and [x] boxes, are not citations.',
      '```sh',
      'cat `not/cited.md`',
      '```',
      '[^1]: reports/final.pdf',
    ].join('\n');
    expect(extractCitations(answer).map((c) => [c.path, c.form])).toEqual([
      ['financials/p_and_l.csv', 'backtick'],
      ['src/app.ts', 'bracket'],
      ['docs/guide.md', 'link'],
      ['data/churn.csv', 'source'],
      ['notes/q3.md', 'source'],
      ['reports/final.pdf', 'footnote'],
    ]);
  });
});

describe('detectMissingCitedFiles', () => {
  it('reports each cited path the injected check says is missing, once', () => {
    const t = trace({
      finalAnswer: 'Edited `src/a.ts` and `src/b.ts`; see also `src/b.ts` and `/home/user/repo/docs/x.md`, and `/etc/hosts.txt`.',
      spans: [span({ id: 'msg', kind: 'message', name: 'assistant', output: '…' })],
    });
    const asked: string[] = [];
    const records = detectMissingCitedFiles(t, (p) => {
      asked.push(p);
      return p === 'src/a.ts';
    });
    expect(asked).toEqual(['src/a.ts', 'src/b.ts', 'docs/x.md']);
    expect(records.map((r) => [r.spanId, r.category, r.severity, r.attributes.path])).toEqual([
      ['msg', 'citation_error', 'high', 'src/b.ts'],
      ['msg', 'citation_error', 'high', 'docs/x.md'],
    ]);
    expect(new Set(records.map((r) => r.id)).size).toBe(2);
  });

  it('finds the missing files the real rollout answer cites', async () => {
    const t = (await realTraces([`${FIX}/rollout.failed_command.jsonl`])).get(FAILED_TRACE)!;
    const records = detectMissingCitedFiles(t, (p) => p === 'hello.txt');
    expect(records.map((r) => r.observation)).toEqual([
      'The final answer cites docs/guide.md, which does not exist in the repository',
      'The final answer cites notes/plan.md, which does not exist in the repository',
    ]);
  });

  it('finds nothing when the answer cites no path', async () => {
    const t = (await realTraces([`${EXEC}/exec.base.jsonl`])).get(BASE_TRACE)!;
    expect(detectMissingCitedFiles(t, () => false)).toEqual([]);
  });
});

describe('detectMissingSections', () => {
  it('reports the required headings the final answer lacks, ignoring level and case', () => {
    const t = trace({ finalAnswer: '# summary\nAll good.\n```md\n## Evidence\n```\n### Next steps ###\n' });
    const records = detectMissingSections(t, ['## Summary', '## Evidence', 'Next steps']);
    expect(records).toMatchObject([{ category: 'missing_section', observation: 'The final answer lacks the required section(s): "## Evidence"' }]);
    expect(detectMissingSections(t, [])).toEqual([]);
  });

  it('reports every configured section missing from a real answer', async () => {
    const t = (await realTraces([`${EXEC}/exec.base.jsonl`])).get(BASE_TRACE)!;
    expect(detectMissingSections(t, ['## Summary', '## Evidence'])).toMatchObject([
      { spanId: 'turn_1/item_4', attributes: { missingSections: ['## Summary', '## Evidence'] } },
    ]);
  });
});

describe('detectErroredTurns', () => {
  it('reports failed turns as high and aborted turns as medium', () => {
    const t = trace({
      spans: [
        span({ id: 't1', kind: 'turn', status: 'error', error: 'We’re currently experiencing high demand' }),
        span({ id: 't2', kind: 'turn', status: 'error', error: 'turn aborted: interrupted' }),
        span({ id: 't3', kind: 'turn', status: 'ok' }),
      ],
    });
    expect(detectErroredTurns(t).map((r) => [r.spanId, r.severity])).toEqual([
      ['t1', 'high'],
      ['t2', 'medium'],
    ]);
  });

  it('reports the failed turn of a real exec run once, not its error events too', async () => {
    const t = (await realTraces([`${EXEC}/exec.error.jsonl`])).get(ERROR_TRACE)!;
    expect(detectErroredTurns(t)).toMatchObject([
      { spanId: 'turn_1', category: 'errored_turn', observation: 'Turn ended in an error: stream disconnected before completion: mock response.failed event' },
    ]);
  });

  it('finds nothing in a real run that completed', async () => {
    const t = (await realTraces([`${EXEC}/exec.base.jsonl`])).get(BASE_TRACE)!;
    expect(detectErroredTurns(t)).toEqual([]);
  });
});

describe('detectRunawayTokens', () => {
  it('reports use above the budget, more severe the further above', () => {
    const usage = (totalTokens: number) =>
      trace({ usage: { inputTokens: totalTokens, cachedInputTokens: 0, outputTokens: 0, reasoningOutputTokens: 0, totalTokens } });
    expect(detectRunawayTokens(usage(1000), 1000)).toEqual([]);
    expect(detectRunawayTokens(usage(1500), 1000)[0]!.severity).toBe('medium');
    expect(detectRunawayTokens(usage(2500), 1000)[0]!.severity).toBe('high');
    expect(detectRunawayTokens(usage(4000), 1000)[0]!.severity).toBe('critical');
  });

  it('keeps the same id when a resumed trace uses even more', () => {
    const t = trace({ usage: { inputTokens: 5000, cachedInputTokens: 0, outputTokens: 0, reasoningOutputTokens: 0, totalTokens: 5000 } });
    const more = { ...t, usage: { ...t.usage, totalTokens: 9000 } };
    expect(detectRunawayTokens(more, 1000)[0]!.id).toBe(detectRunawayTokens(t, 1000)[0]!.id);
  });

  it('reports a real run against a small budget, with usage in the evidence', async () => {
    const t = (await realTraces([`${EXEC}/exec.base.jsonl`])).get(BASE_TRACE)!;
    const [record] = detectRunawayTokens(t, 1000);
    expect(record).toMatchObject({ category: 'runaway_tokens', severity: 'high', observation: 'The trace used 3,666 tokens, 3.7x the budget of 1,000' });
    expect(record!.evidence[0]).toBe('usage: 3,600 input (900 cached), 66 output (9 reasoning)');
    expect(detectRunawayTokens(t, 1_000_000)).toEqual([]);
  });
});
