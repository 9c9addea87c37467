import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readTraceStore } from '../../../src/ingest/store.js';
import type { Trace } from '../../../src/schema/trace.js';
import { workspacePaths } from '../../../src/util/workspace.js';
import { workspaceWith } from '../feedback/helpers.js';

// The shipped modules are plain JavaScript (Node built-ins only); loaded by path so tsc does not ask for declarations.
type Check = (output: string, context: unknown) => { pass: boolean; score: number; reason: string };
type Summary = {
  toolCalls: { id: string; tool: string; command?: string; exitCode?: number }[];
  filesWritten: string[];
  skillsRead: string[];
  mcpCalls: { server: string; tool: string; status: string }[];
  tokens: unknown;
  durationMs: number | null;
};
const assertModule = '../../../src/evals/providers/trace-assert.mjs';
const processModule = '../../../src/evals/providers/trace-process.mjs';
const checks = (await import(assertModule)) as Record<string, Check>;
const { shellFiles, summarizeExecStream, summarizeTrace } = (await import(processModule)) as {
  shellFiles(command: string): { read: string[]; written: string[] };
  summarizeExecStream(stdout: string, durationMs: number | null): Summary;
  summarizeTrace(trace: unknown): Summary;
};

async function traceOf(file: string): Promise<Trace> {
  const ws = await workspaceWith([file]);
  for await (const t of readTraceStore(workspacePaths(ws).traceStore)) return t;
  throw new Error('no trace');
}

const ctx = (agentTrace: unknown, config?: Record<string, unknown>) => ({ providerResponse: { metadata: { agentTrace } }, ...(config ? { config } : {}) });

describe('what the agent did, from real traces', () => {
  it('reads commands, files written, skills, tokens and duration from a Codex rollout', async () => {
    const t = summarizeTrace(await traceOf('test/fixtures/codex-exec/rollout.base.jsonl'));
    expect(t.toolCalls.map((c) => [c.id, c.tool, c.command ?? null, c.exitCode ?? null])).toEqual([
      ['call_shell_1', 'exec_command', 'echo hello-from-mock && ls -a', 0],
      ['call_patch_2', 'apply_patch', null, 0],
    ]);
    expect(t.filesWritten).toEqual(['hello.txt']);
    expect(t.skillsRead).toEqual(['repo-agents-skill']);
    expect(t.tokens).toEqual({ input: 3600, output: 66, total: 3666 });
    expect(t.durationMs).toBe(1011);
  });

  it('reads MCP calls from an exec stream and from the ingested trace alike', async () => {
    const stream = summarizeExecStream(readFileSync('test/fixtures/codex-exec/exec.mcp.jsonl', 'utf8'), 1200);
    expect(stream.mcpCalls).toEqual([{ id: expect.any(String), server: 'probe', tool: 'echo', status: 'ok' }]);
    const replayed = summarizeTrace(await traceOf('test/fixtures/codex-exec/exec.mcp.jsonl'));
    expect(replayed.mcpCalls.map((m) => [m.server, m.tool, m.status])).toEqual([['probe', 'echo', 'ok']]);
    expect(checks.noMcpErrors!('', ctx(stream))).toMatchObject({ pass: true });
  });

  it('reads an errored run from an exec stream', () => {
    const t = summarizeExecStream(readFileSync('test/fixtures/codex-exec/exec.error.jsonl', 'utf8'), null);
    expect(checks.noErrors!('', ctx(t))).toEqual({
      pass: false,
      score: 0,
      reason:
        'error at error: `stream disconnected before completion: mock response.failed event`; error at turn: `stream disconnected before completion: mock response.failed event`',
    });
  });

  it('finds reads and writes in shell commands', () => {
    expect(shellFiles("sed -n '1,20p' docs/x.md && cat README.md | head")).toEqual({ read: ['docs/x.md', 'README.md'], written: [] });
    expect(shellFiles('cp src/a.js dist/a.js && echo hi > out/log.txt')).toEqual({ read: ['src/a.js'], written: ['out/log.txt', 'dist/a.js'] });
  });
});

describe('the checks name the offending call', () => {
  const t = {
    traceId: 't',
    source: 'replay',
    toolCalls: [
      { id: 'c1', tool: 'exec_command', command: 'rm -rf build', exitCode: 0, status: 'ok' },
      { id: 'c2', tool: 'exec_command', command: 'npm test', exitCode: 1, status: 'error' },
      { id: 'c3', tool: 'mcp__docs__search', status: 'error', error: 'timeout after 30s' },
    ],
    filesRead: ['docs/limits.md'],
    filesWritten: [],
    skillsRead: ['release-notes'],
    hooks: [{ id: 'h1', event: 'Stop', blocked: true, message: 'run the tests first' }],
    mcpCalls: [{ id: 'c3', server: 'docs', tool: 'search', status: 'error', error: 'timeout after 30s' }],
    errors: [],
    tokens: { input: 900, output: 200, total: 1100 },
    durationMs: 5000,
  };
  it.each([
    ['noFailedCommands', {}, false, 'call c2: `npm test` exited with code 1'],
    ['noFailedCommands', { command: "/bin/bash -lc 'npm test'" }, false, 'call c2: `npm test` exited with code 1'],
    ['noFailedCommands', { command: 'make' }, true, 'no matching command failed'],
    ['ranCommand', { pattern: '^npm test', succeeded: true }, false, 'every run of /^npm test/ failed: call c2 `npm test` exited 1'],
    ['neverRanCommand', { pattern: 'rm -rf', unless: '/tmp/' }, false, 'call c1 ran `rm -rf build`, which matches /rm -rf/'],
    ['readFile', { path: 'docs/limits.md' }, true, 'read `docs/limits.md`'],
    ['readFile', { path: 'docs/keys.md' }, false, 'never read `docs/keys.md` (read: `docs/limits.md`)'],
    ['skillRead', { skill: 'release-notes' }, true, 'skill `release-notes` was read'],
    ['noToolErrors', {}, false, 'call c3 (mcp__docs__search) failed: timeout after 30s'],
    ['noMcpErrors', {}, false, 'MCP call c3 docs/search failed: timeout after 30s'],
    ['noHookBlocks', { event: 'Stop' }, false, 'Stop hook blocked at h1: `run the tests first`'],
    ['maxTokens', { max: 1000 }, false, 'the run used 1100 tokens (input 900, output 200), more than 1000'],
    ['maxDurationMs', { max: 6000 }, true, '5000 ms ≤ 6000 ms'],
  ] as const)('%s %j', (check, config, pass, reason) => {
    const fn = checks[check]!;
    expect(fn('', ctx(t, config))).toEqual({ pass, score: pass ? 1 : 0, reason });
  });

  it('fails, saying why, when the provider returned no process record', () => {
    expect(checks.noErrors!('', { providerResponse: { metadata: {} } })).toMatchObject({
      pass: false,
      reason: expect.stringContaining('no agentTrace metadata'),
    });
  });
});
