// `harness-loop diagnose --llm` end to end: the built CLI, the real Codex binary, the mock model.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeedbackStore } from '../../src/feedback/store.js';
import { DiagnosisSchema } from '../../src/schema/diagnosis.js';
import { workspacePaths } from '../../src/util/workspace.js';
import { runCli } from '../support/cli.js';
import { codexBin, isolatedEnv, mockProviderArgs } from '../support/codex.js';
import { startMockResponses, type MockServer, type MockStep } from '../support/mock-responses.js';

const SESSIONS = 'examples/docs-qa/recorded/baseline/sessions';
const PRO_PRICE = '01a213bb-e5d1-7c71-82ee-396abfd7f261';
const SCHEMA = JSON.parse(readFileSync('schemas/llm-recommendations.schema.json', 'utf8')) as unknown;

let mock: MockServer;
let step: MockStep = { json: { recommendations: [] } };

beforeAll(async () => {
  mock = await startMockResponses(() => step);
});
afterAll(async () => {
  await mock.close();
});

function proposal(title: string, feedbackIds: string[]) {
  return {
    title,
    category: 'conflict_not_surfaced',
    target: 'agents-md-rule',
    ruleStatus: 'missing',
    change: `${title}: add to AGENTS.md "When two docs disagree, say so and cite both."`,
    files: ['AGENTS.md'],
    evidence: {
      traceIds: [PRO_PRICE],
      feedbackIds,
      failingTestIds: [],
      quotes: [{ source: PRO_PRICE, text: 'Pro costs $39 per month and includes 5 seats.' }],
    },
    effort: { size: 'S', reason: 'one rule' },
    layer: 'review',
  };
}

describe('harness-loop diagnose --llm (real codex, mock model)', () => {
  it('ranks the proposals whose evidence ids exist with the rest, drops the others, and reuses kept answers', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hl-diagnose-llm-'));
    const ws = join(root, 'ws');
    expect((await runCli(['ingest', '-C', ws, '--all-repos', SESSIONS])).exitCode).toBe(0);
    expect((await runCli(['batch', '-C', ws])).exitCode).toBe(0);
    const add = [
      'feedback',
      'add',
      '-C',
      ws,
      '--trace',
      PRO_PRICE,
      '--category',
      'conflict_not_surfaced',
      '--severity',
      'high',
      '--observation',
      'The FAQ says $39; the answer only gives $49.',
    ];
    expect((await runCli(add, { env: { USER: 'reviewer' } })).exitCode).toBe(0);
    const [human] = await readFeedbackStore(workspacePaths(ws).feedbackStore);
    // The Codex binary and provider come from the config here, as a scheduled run would set them.
    await writeFile(
      join(ws, '.harness-loop', 'config.yaml'),
      `critic:\n  codexBin: ${JSON.stringify(codexBin())}\n  codexConfig:\n${mockProviderArgs(mock.url)
        .filter((a) => a !== '-c')
        .map((a) => `    - ${JSON.stringify(a)}`)
        .join('\n')}\n`,
    );
    step = { json: { recommendations: [proposal('Surface conflicting docs', [human!.id]), proposal('Invented evidence', ['fb_0000000000000000'])] } };
    const env = isolatedEnv(root);
    const before = mock.requests.length;

    const r = await runCli(['diagnose', '-C', ws, '--llm'], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('dropped "Invented evidence": unknown feedback "fb_0000000000000000"');
    expect(r.stdout).toContain('--llm (gpt-5.4-mini): 1 batch(es), 0 failed; 1 proposal(s) kept, 1 dropped');
    expect(mock.requests.length).toBe(before + 1);
    expect(mock.requests[before]!.body).toMatchObject({ model: 'gpt-5.4-mini', text: { format: { type: 'json_schema', strict: true, schema: SCHEMA } } });
    expect(JSON.stringify(mock.requests[before]!.body.input)).toContain(human!.id);

    const file = join(ws, '.harness-loop', 'diagnosis', 'recommendations.json');
    const diagnosis = DiagnosisSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    // The same change as the deterministic one for the same evidence: one recommendation, proposed by both.
    const fromModel = diagnosis.recommendations.filter((x) => x.origin !== 'deterministic');
    expect(fromModel.map((x) => [x.target, x.files, x.motivatingLayer, x.evidence.feedbackIds, x.evidence.traceIds, x.origin])).toEqual([
      ['agents-md-rule', ['AGENTS.md'], 'review', [human!.id], [PRO_PRICE], 'merged'],
    ]);
    expect(diagnosis.recommendations.map((x) => x.rank)).toEqual(diagnosis.recommendations.map((_, i) => i + 1));

    const again = await runCli(['diagnose', '-C', ws, '--llm'], { env });
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('answered earlier, not asked again: 2 proposal(s), 1 kept');
    expect(mock.requests.length).toBe(before + 1);
  });

  it('exits 1 when the answer is not valid, still writing the deterministic diagnosis', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hl-diagnose-llm-'));
    const ws = join(root, 'ws');
    expect((await runCli(['ingest', '-C', ws, '--all-repos', SESSIONS])).exitCode).toBe(0);
    expect((await runCli(['batch', '-C', ws])).exitCode).toBe(0);
    expect((await runCli(['feedback', 'detect', '-C', ws])).exitCode).toBe(0);
    step = { raw: '{"recommendations": [' };
    const r = await runCli(['diagnose', '-C', ws, '--llm', '--codex-bin', codexBin(), ...mockProviderArgs(mock.url)], { env: isolatedEnv(root) });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/ {2}failed: batch-001\.jsonl \(batch_[0-9a-f]{16}\): the answer is not valid JSON \(truncated\?\)/);
    expect(r.stdout).toContain('wrote ');
  });

  it('runs in `loop` when diagnose.llm is configured, and merges the checked proposals into the handoff', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hl-loop-llm-'));
    const ws = join(root, 'ws');
    await runCli(['ingest', '-C', ws, '--all-repos', SESSIONS]);
    await writeFile(
      join(ws, '.harness-loop', 'config.yaml'),
      `diagnose:\n  llm: { model: gpt-5.4-mini }\ncritic:\n  codexBin: ${JSON.stringify(codexBin())}\n  codexConfig:\n${mockProviderArgs(mock.url)
        .filter((a) => a !== '-c')
        .map((a) => `    - ${JSON.stringify(a)}`)
        .join('\n')}\n`,
    );
    step = {
      json: { recommendations: [{ ...proposal('Say when two docs disagree', []), files: ['.agents/skills/docs-answer/SKILL.md'], target: 'skill-body' }] },
    };
    const before = mock.requests.length;
    const r = await runCli(['loop', '-C', ws, '--all-repos', SESSIONS], { env: isolatedEnv(root) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/batch +1 batch\(es\)/);
    expect(r.stdout).toMatch(/diagnose +\d+ recommendation\(s\) \(1 from gpt-5\.4-mini, 0 dropped, 0 batch\(es\) failed\)/);
    expect(mock.requests.length).toBe(before + 1);
    const diagnosis = DiagnosisSchema.parse(JSON.parse(await readFile(join(ws, '.harness-loop', 'diagnosis', 'recommendations.json'), 'utf8')));
    const fromModel = diagnosis.recommendations.find((x) => x.origin === 'llm');
    expect(fromModel?.title).toBe('Say when two docs disagree');
    expect(fromModel?.evidence.traceIds).toContain(PRO_PRICE);
    expect(await readFile(join(ws, '.harness-loop', 'codex_handoff.md'), 'utf8')).toContain('Say when two docs disagree');
  });

  it('refuses --model without --llm', async () => {
    const r = await runCli(['diagnose', '--model', 'gpt-5.4-mini']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--model applies only with --llm');
  });
});
