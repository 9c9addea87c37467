import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFeedback } from '../../../src/feedback/detect.js';
import { importFeedback, parseFeedbackText } from '../../../src/feedback/import.js';
import { readFeedbackStore } from '../../../src/feedback/store.js';
import { workspacePaths } from '../../../src/util/workspace.js';
import { InputError } from '../../../src/errors.js';
import { BASE_TRACE, ERROR_TRACE, EXEC, FIX, NOW, defaultConfig, workspaceWith } from './helpers.js';

const traced = () => workspaceWith([`${EXEC}/exec.base.jsonl`, `${EXEC}/exec.error.jsonl`]);

async function writeTemp(name: string, text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'hl-import-')), name);
  await writeFile(file, text);
  return file;
}

async function importError(workspace: string, files: string[], extra: Partial<Parameters<typeof importFeedback>[0]> = {}): Promise<InputError> {
  const error = await importFeedback({ workspace, files, config: defaultConfig(), now: NOW, ...extra }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('feedback import: shapes', () => {
  it('imports cookbook records (theme → category, severity medium) and LLM insights', async () => {
    const workspace = await traced();
    const result = await importFeedback({ workspace, files: [`${FIX}/cookbook.feedback.json`], config: defaultConfig(), now: NOW });
    expect(result.added.map((r) => [r.source, r.category, r.severity, r.status])).toEqual([
      ['human', 'financial_risk', 'medium', 'active'],
      ['llm', 'llm_insight', 'medium', 'unverified'],
    ]);
    const [human] = result.added;
    expect(human).toMatchObject({
      traceId: BASE_TRACE,
      observation: 'State the 11-month runway and the burn as near-term financing risk.',
      requiredObservations: ['Name the 11-month runway', 'Tie burn to near-term financing pressure'],
      prohibitedClaims: ['Do not imply the company has more than 12 months of runway'],
      createdAt: NOW,
      attributes: { externalId: 'human-trace-01', traceLabel: 'trace-01', question: 'What do runway and burn tell us about near-term financing risk?' },
    });
  });

  it('imports article records from JSONL, evidence as a string or a list, severity in any case', async () => {
    const workspace = await traced();
    const result = await importFeedback({ workspace, files: [`${FIX}/article.feedback.jsonl`], config: defaultConfig(), now: NOW });
    expect(result.added.map((r) => [r.traceId, r.category, r.severity, r.evidence])).toEqual([
      [BASE_TRACE, 'missing_artifact', 'high', ['hello.txt']],
      [ERROR_TRACE, 'tool_error', 'medium', ['turn_1:failed']],
    ]);
  });

  it('takes the trace id from the key of a YAML file keyed by trace id', async () => {
    const workspace = await traced();
    const result = await importFeedback({ workspace, files: [`${FIX}/keyed.feedback.yaml`], config: defaultConfig(), now: NOW });
    expect(result.added.map((r) => [r.traceId, r.category, r.severity])).toEqual([
      [BASE_TRACE, 'instruction_not_followed', 'medium'],
      [BASE_TRACE, 'citation_error', 'low'],
      [ERROR_TRACE, 'conflict_not_surfaced', 'critical'],
    ]);
  });

  it('takes the trace id from a JSON object keyed by trace id', async () => {
    const workspace = await traced();
    const file = await writeTemp('keyed.json', JSON.stringify({ [ERROR_TRACE]: { theme: 'tool_error', summary: 'No retry after the disconnect.' } }));
    const result = await importFeedback({ workspace, files: [file], config: defaultConfig(), now: NOW });
    expect(result.added.map((r) => [r.traceId, r.category])).toEqual([[ERROR_TRACE, 'tool_error']]);
  });

  it('uses --trace for cookbook records without a trace id, and requires one otherwise', async () => {
    const workspace = await traced();
    const file = await writeTemp('cb.yaml', 'theme: revenue_quality\nsummary: Use controlled ARR.\n');
    const error = await importError(workspace, [file]);
    expect(error.message).toContain(`${file}:1: trace_id: required`);
    const result = await importFeedback({ workspace, files: [file], config: defaultConfig(), now: NOW, defaultTraceId: BASE_TRACE });
    expect(result.added[0]).toMatchObject({ traceId: BASE_TRACE, category: 'revenue_quality', severity: 'medium', observation: 'Use controlled ARR.' });
  });

  it('rejects a record whose trace id differs from the key it is filed under', async () => {
    const workspace = await traced();
    const file = await writeTemp('k.yaml', `${BASE_TRACE}:\n  trace_id: ${ERROR_TRACE}\n  category: x\n  severity: low\n  observation: y\n`);
    expect((await importError(workspace, [file])).message).toContain(`${file}:2: trace_id: "${ERROR_TRACE}" differs from the key`);
  });
});

describe('feedback import: invalid records', () => {
  it('reports JSON records with file:line and field', async () => {
    const workspace = await traced();
    const text = JSON.stringify(
      [
        { trace_id: BASE_TRACE, category: 'x', severity: 'high', observation: 'fine' },
        { trace_id: BASE_TRACE, category: 'x', severity: 'urgent', observation: 'bad severity' },
        { trace_id: BASE_TRACE, category: 'x', severity: 'low', observation: 'bad list', required_observations: ['ok', 7] },
      ],
      null,
      2,
    );
    const file = await writeTemp('bad.json', text);
    const error = await importError(workspace, [file]);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`${file}:11: severity: must be one of low, medium, high, critical (got "urgent")`);
    expect(error.message).toContain(`${file}:21: required_observations[1]: must be a string or a list of strings (got number 7)`);
    expect(error.message).toContain('nothing was written');
  });

  it('reports JSONL records with their line and field', async () => {
    const workspace = await traced();
    const file = await writeTemp(
      'bad.jsonl',
      `{"trace_id":"${BASE_TRACE}","category":"x","severity":"low","observation":"ok"}\n\n{"trace_id":"${BASE_TRACE}","category":"x","severity":"low"}\n{"trace_id": 5\n`,
    );
    const error = await importError(workspace, [file]);
    expect(error.message).toContain(`${file}:3: observation: required`);
    expect(error.message).toContain(`${file}:4: (line): invalid JSON`);
  });

  it('reports YAML records with the line of the bad field, and YAML syntax errors with theirs', async () => {
    const workspace = await traced();
    const file = await writeTemp(
      'bad.yaml',
      `- trace_id: ${BASE_TRACE}\n  category: x\n  severity: low\n  observation: ok\n- trace_id: ${BASE_TRACE}\n  category: x\n  severty: low\n  observation: typo\n`,
    );
    const error = await importError(workspace, [file]);
    expect(error.message).toContain(`${file}:7: severty: unknown field`);
    expect(error.message).toContain(`${file}:5: severity: required`);
    const broken = await writeTemp('broken.yaml', 'a: 1\nb: [unclosed\n');
    expect((await importError(workspace, [broken])).message).toMatch(new RegExp(`${broken}:\\d+: \\(file\\): invalid YAML`));
  });

  it('writes nothing when one record of many is invalid, in any of several files', async () => {
    const workspace = await traced();
    const bad = await writeTemp(
      'one-bad.jsonl',
      `{"trace_id":"${BASE_TRACE}","category":"x","severity":"low","observation":"ok"}\n{"trace_id":"${BASE_TRACE}","category":"","severity":"low","observation":"empty category"}\n`,
    );
    await importError(workspace, [`${FIX}/cookbook.feedback.json`, `${FIX}/article.feedback.jsonl`, bad]);
    expect(existsSync(workspacePaths(workspace).feedbackStore)).toBe(false);
  });
});

describe('feedback import: trace ids', () => {
  it('rejects a trace id that is not in the trace store, naming the line', async () => {
    const workspace = await traced();
    const file = await writeTemp(
      'unknown.jsonl',
      `{"trace_id":"${BASE_TRACE}","category":"x","severity":"low","observation":"ok"}\n{"trace_id":"no-such-trace","category":"x","severity":"low","observation":"ok"}\n`,
    );
    const error = await importError(workspace, [file]);
    expect(error.message).toContain(`${file}:2: trace_id: unknown trace "no-such-trace"`);
    expect(existsSync(workspacePaths(workspace).feedbackStore)).toBe(false);
  });

  it('keeps it with a warning under --allow-unknown-trace', async () => {
    const workspace = await traced();
    const file = await writeTemp('unknown.jsonl', `{"trace_id":"no-such-trace","category":"x","severity":"low","observation":"ok"}\n`);
    const result = await importFeedback({ workspace, files: [file], config: defaultConfig(), now: NOW, allowUnknownTrace: true });
    expect(result.added).toHaveLength(1);
    expect(result.warnings).toEqual([`${file}:1: trace_id: unknown trace "no-such-trace" (kept because of --allow-unknown-trace)`]);
  });
});

describe('feedback import: idempotence and data safety', () => {
  it('adds nothing when the same files are imported twice', async () => {
    const workspace = await traced();
    const files = [`${FIX}/cookbook.feedback.json`, `${FIX}/article.feedback.jsonl`, `${FIX}/keyed.feedback.yaml`];
    const first = await importFeedback({ workspace, files, config: defaultConfig(), now: NOW });
    const second = await importFeedback({ workspace, files, config: defaultConfig(), now: '2027-01-01T00:00:00.000Z' });
    expect(first.added).toHaveLength(7);
    expect(second.added).toHaveLength(0);
    expect(second.duplicates).toBe(7);
    expect(await readFeedbackStore(workspacePaths(workspace).feedbackStore)).toHaveLength(7);
  });

  it('adds nothing when the store itself is imported back, detector records included', async () => {
    const workspace = await traced();
    await importFeedback({ workspace, files: [`${FIX}/cookbook.feedback.json`], config: defaultConfig(), now: NOW });
    await detectFeedback({ workspace, config: defaultConfig(), now: NOW, fileExists: () => true });
    const store = workspacePaths(workspace).feedbackStore;
    const before = await readFeedbackStore(store);
    const copy = await writeTemp('export.jsonl', await readFile(store, 'utf8'));
    const again = await importFeedback({ workspace, files: [copy], config: defaultConfig(), now: NOW });
    expect(again.added).toEqual([]);
    expect(again.duplicates).toBe(before.length);
    expect(before.some((r) => r.source === 'detector')).toBe(true);
  });

  it('stores text with JavaScript, YAML and template metacharacters verbatim', async () => {
    const workspace = await traced();
    const nasty = [
      '"); process.exit(1); //',
      ': - &anchor *alias',
      '{{ constructor.constructor("return process")() }}',
      '${process.env.HOME}',
      '<script>alert(1)</script>',
    ];
    const json = await writeTemp(
      'nasty.json',
      JSON.stringify(nasty.map((observation) => ({ trace_id: BASE_TRACE, category: 'x', severity: 'low', observation }))),
    );
    const yaml = await writeTemp(
      'nasty.yaml',
      nasty.map((o) => `- trace_id: ${BASE_TRACE}\n  category: "{{ }}"\n  severity: low\n  observation: ${JSON.stringify(o)}\n`).join(''),
    );
    await importFeedback({ workspace, files: [json, yaml], config: defaultConfig(), now: NOW });
    const stored = await readFeedbackStore(workspacePaths(workspace).feedbackStore);
    expect(stored.map((r) => r.observation)).toEqual([...nasty, ...nasty]);
    expect(stored.slice(5).every((r) => r.category === '{{ }}')).toBe(true);
  });

  it('treats YAML anchors, aliases and custom tags as plain data', async () => {
    const workspace = await traced();
    const file = await writeTemp(
      'tags.yaml',
      `- trace_id: ${BASE_TRACE}\n  category: &cat !!js/function "function () { process.exit(1) }"\n  severity: low\n  observation: *cat\n`,
    );
    const result = await importFeedback({ workspace, files: [file], config: defaultConfig(), now: NOW });
    expect(result.added[0]).toMatchObject({ category: 'function () { process.exit(1) }', observation: 'function () { process.exit(1) }' });
  });

  it('reports a self-referencing alias instead of looping over it', () => {
    const parsed = parseFeedbackText(`- &a\n  trace_id: t\n  attributes: *a\n`, 'x.yaml');
    expect(parsed.raws).toEqual([]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toEqual({ file: 'x.yaml', line: 1, field: '(file)', message: 'an alias refers to its own anchor (circular data)' });
  });

  it('redacts secrets before anything is written, and hashes the redacted text into the id', async () => {
    const workspace = await traced();
    const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
    const file = await writeTemp(
      'secret.jsonl',
      `{"trace_id":"${BASE_TRACE}","category":"x","severity":"low","observation":"the agent printed ${secret}","evidence":["OPENAI_API_KEY=${secret}"]}\n`,
    );
    const result = await importFeedback({ workspace, files: [file], config: defaultConfig(), now: NOW });
    expect(result.added[0]!.observation).toBe('the agent printed [REDACTED:openai-key]');
    expect(result.added[0]!.evidence).toEqual(['OPENAI_API_KEY=[REDACTED:openai-key]']);
    expect(await readFile(workspacePaths(workspace).feedbackStore, 'utf8')).not.toContain(secret);
  });
});
