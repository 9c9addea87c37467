import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { ingestRecordedRuns, readEvalProviderFlags, recordedTasks, renderCodexSuite, resolveCodexProviderConfig } from '../../../src/evals/codex-run.js';
import { evalPaths } from '../../../src/evals/paths.js';
import { renderNewSuite } from '../../../src/evals/suite-yaml.js';
import { suiteHeader } from '../../../src/evals/build.js';
import { protectText } from '../../../src/evals/template-safe.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { EvalsConfigSchema } from '../../../src/schema/eval-suite.js';
import type { Trace } from '../../../src/schema/trace.js';
import { makeWorkspace } from './helpers.js';

const config = ConfigSchema.parse({ critic: { codexBin: 'tools/codex.js' } });
const EXEC_THREAD = '01a20f59-f305-7e31-9c64-0113b2a3c47d';
const ERROR_THREAD = '01a20f5a-93ac-7e22-b1d1-7e5470b1fbab';

describe('readEvalProviderFlags', () => {
  it('turns --provider, --codex-bin, -c and --model into run options', () => {
    expect(readEvalProviderFlags({ provider: 'codex', 'codex-bin': 'bin/codex', 'codex-config': ['a=1', 'b=2'], model: 'gpt-5.5' })).toEqual({
      provider: 'codex',
      codex: { bin: 'bin/codex', model: 'gpt-5.5', config: ['a=1', 'b=2'] },
    });
    expect(readEvalProviderFlags({})).toEqual({ codex: { config: [] } });
    expect(readEvalProviderFlags({ provider: 'codex', 'keep-runs': true })).toEqual({ provider: 'codex', codex: { config: [], keepRuns: true } });
  });

  it('rejects an unknown provider and an empty value', () => {
    expect(() => readEvalProviderFlags({ provider: 'openai' })).toThrow(new UsageError('--provider must be replay or codex (got "openai")'));
    expect(() => readEvalProviderFlags({ 'codex-bin': ' ' })).toThrow(UsageError);
  });
});

describe('resolveCodexProviderConfig', () => {
  const paths = evalPaths('/work/ws');

  it('takes config paths relative to the workspace and puts flag overrides after the configured ones', () => {
    const evals = EvalsConfigSchema.parse({ codex: { codexConfig: ['model_provider=team'], model: 'gpt-5.4', timeoutMs: 5000 } });
    expect(resolveCodexProviderConfig(paths, config, evals)).toEqual({
      codexBin: '/work/ws/tools/codex.js',
      codexConfig: ['model_provider=team'],
      model: 'gpt-5.4',
      timeoutMs: 5000,
      workspace: '../..',
      traceDir: '../traces/incoming',
    });
    const flagged = resolveCodexProviderConfig(paths, config, evals, { bin: 'other/codex', config: ['x=1'], model: 'gpt-5.5' });
    expect(flagged).toMatchObject({ codexBin: resolve('other/codex'), codexConfig: ['model_provider=team', 'x=1'], model: 'gpt-5.5' });
  });

  it('leaves a bare command to PATH', () => {
    const evals = EvalsConfigSchema.parse({ codex: { codexBin: 'codex' } });
    expect(resolveCodexProviderConfig(paths, config, evals).codexBin).toBe('codex');
  });
});

describe('renderCodexSuite', () => {
  it('swaps only the providers, and keeps config text from being templated', () => {
    const tests = [{ description: 'd', vars: { task: protectText('Say {{ hi }}') }, assert: [{ type: 'contains', value: 'a' }] }];
    const suite = renderNewSuite({ ...suiteHeader(), tests });
    const derived = parse(
      renderCodexSuite(suite, 'promptfooconfig.yaml', {
        codexBin: '/c/codex.js',
        codexConfig: ['p={#x#}'],
        workspace: '../..',
        traceDir: '../traces/incoming',
      }),
      { customTags: ['timestamp'] },
    ) as Record<string, unknown>;
    const original = parse(suite, { customTags: ['timestamp'] }) as Record<string, unknown>;
    expect(derived.providers).toEqual([
      {
        id: 'file://providers/codex-provider.mjs',
        label: 'codex',
        config: { codexBin: '/c/codex.js', codexConfig: ['p={{ "{" }}#x{{ "#" }}}'], workspace: '../..', traceDir: '../traces/incoming' },
      },
    ]);
    expect({ ...derived, providers: null }).toEqual({ ...original, providers: null });
  });
});

describe('recording codex runs', () => {
  const raw = (rows: unknown[]) => ({ results: { results: rows } });

  it('maps each recorded trace to its test task', () => {
    const rows = [
      { vars: { task: protectText('Use {{ x }}') }, response: { output: 'a', metadata: { traceId: 't1' } } },
      { testCase: { vars: { task: 'Plain' } }, response: { metadata: { traceId: 't2' } } },
      { vars: { task: 'Replayed' }, response: { metadata: { replayedTraceId: 'r1' } } },
      { vars: {}, response: { metadata: { traceId: 't3' } } },
    ];
    expect([...recordedTasks(raw(rows))]).toEqual([
      ['t1', 'Use {{ x }}'],
      ['t2', 'Plain'],
      ['t3', undefined],
    ]);
  });

  it('ingests incoming runs into the store, gives --json streams their test task, and empties the folder', async () => {
    const ws = makeWorkspace([], []);
    const incoming = join(ws, '.harness-loop/traces/incoming');
    mkdirSync(incoming, { recursive: true });
    copyFileSync('test/fixtures/codex-exec/exec.base.jsonl', join(incoming, `ev-1-${EXEC_THREAD}.jsonl`));
    copyFileSync('test/fixtures/codex-exec/exec.error.jsonl', join(incoming, `ev-2-${ERROR_THREAD}.jsonl`));
    const rows = [{ vars: { task: 'Create hello.txt' }, response: { metadata: { traceId: EXEC_THREAD } } }];

    const result = await ingestRecordedRuns(evalPaths(ws), ConfigSchema.parse({}), raw(rows), { '.codex/config.toml': 'c1' });

    expect(result).toEqual({ files: 2, traces: 2, added: 2, skipped: [] });
    const stored = readFileSync(join(ws, '.harness-loop/traces/traces.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Trace);
    expect(stored.map((t) => [t.id, t.source.kind, t.task, t.finalAnswer]).sort()).toEqual([
      [EXEC_THREAD, 'codex-exec-json', 'Create hello.txt', 'All done: ran the shell command and created hello.txt.'],
      // No test named this run (an earlier run stopped before ingesting): its task stays unknown.
      [ERROR_THREAD, 'codex-exec-json', null, null],
    ]);
    // Runs harness-loop started carry the harness files of the copy they ran in.
    for (const t of stored) expect([t.harness?.derivedFrom, t.harness?.components['file:.codex/config.toml']]).toEqual(['run', 'c1']);
    expect(readdirSync(incoming)).toEqual([]);
  });

  it('does nothing when no run was recorded', async () => {
    const ws = makeWorkspace([], []);
    expect(await ingestRecordedRuns(evalPaths(ws), ConfigSchema.parse({}), raw([]))).toEqual({ files: 0, traces: 0, added: 0, skipped: [] });
    expect(existsSync(join(ws, '.harness-loop/traces/incoming'))).toBe(false);
  });
});
