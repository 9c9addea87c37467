// `harness-loop feedback critique` end to end: the built CLI runs the real Codex binary, which
// talks to the loopback mock model. The mock is the only stand-in.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeedbackStore } from '../../src/feedback/store.js';
import { BatchManifestSchema, type BatchManifest } from '../../src/schema/batch.js';
import { workspacePaths } from '../../src/util/workspace.js';
import { runCli, type CliResult } from '../support/cli.js';
import { codexBin, isolatedEnv, mockProviderArgs } from '../support/codex.js';
import { startMockResponses, type MockServer, type MockStep, type RecordedRequest } from '../support/mock-responses.js';

const SESSIONS = 'examples/docs-qa/recorded/baseline/sessions';
/** The pro-price session: it greps docs where the FAQ ($39) and the pricing page ($49) disagree. */
const PRO_PRICE = '01a213bb-e5d1-7c71-82ee-396abfd7f261';
const SCHEMA = JSON.parse(readFileSync('schemas/critique.schema.json', 'utf8')) as unknown;

const VERIFIED = {
  traceId: PRO_PRICE,
  spanId: 'call_shell_1',
  category: 'conflict_not_surfaced',
  severity: 'high',
  observation: 'The FAQ says $39 and the pricing page $49; the answer gives $49 without mentioning the conflict.',
  evidence: ['Pro costs $39 per month and includes 5 seats.', '| Pro | $49 per month | 5 |'],
  requiredObservations: ['Mentions that docs/faq.md and docs/pricing.md disagree'],
  prohibitedClaims: [],
};
const INVENTED = {
  ...VERIFIED,
  spanId: null,
  category: 'citation_error',
  severity: 'medium',
  observation: 'Claims a discount the docs never mention.',
  evidence: ['Pro is free for students'],
  requiredObservations: [],
};

let mock: MockServer;
/** What the mock answers, chosen per request from the batch file named in the prompt. */
let answerFor: (batchFile: string) => MockStep = () => ({ json: { observations: [] } });

beforeAll(async () => {
  mock = await startMockResponses(({ input }) => answerFor(/Batch batch_[0-9a-f]{16} \((batch-\d+\.jsonl)\)/.exec(JSON.stringify(input))?.[1] ?? '?'));
});
afterAll(async () => {
  await mock.close();
});

interface Setup {
  ws: string;
  env: NodeJS.ProcessEnv;
  manifest: BatchManifest;
}

/** A workspace holding the docs-qa sessions (model gpt-5.5), batched, and an isolated Codex home. */
async function setup(batchArgs: string[] = []): Promise<Setup> {
  const root = await mkdtemp(join(tmpdir(), 'hl-critique-e2e-'));
  const ws = join(root, 'ws');
  expect((await runCli(['ingest', '-C', ws, '--all-repos', SESSIONS])).exitCode).toBe(0);
  expect((await runCli(['batch', '-C', ws, ...batchArgs])).exitCode).toBe(0);
  const manifest = BatchManifestSchema.parse(JSON.parse(await readFile(workspacePaths(ws).batchManifest, 'utf8')));
  return { ws, env: isolatedEnv(root), manifest };
}

function critique(s: Setup, extra: string[] = []): Promise<CliResult> {
  return runCli(['feedback', 'critique', '-C', s.ws, '--codex-bin', codexBin(), ...mockProviderArgs(mock.url), ...extra], { env: s.env });
}

async function records(s: Setup) {
  const store = workspacePaths(s.ws).feedbackStore;
  return existsSync(store) ? readFeedbackStore(store) : [];
}

function promptOf(request: RecordedRequest): string {
  return JSON.stringify(request.body.input);
}

describe('harness-loop feedback critique (real codex, mock model)', () => {
  it('merges a valid answer: the checked observation active, the one quoting words not in the trace unverified', async () => {
    const s = await setup();
    const batch = s.manifest.batches[0]!;
    answerFor = () => ({ json: { observations: [VERIFIED, INVENTED] } });
    const before = mock.requests.length;
    const r = await critique(s);
    expect(r).toMatchObject({ exitCode: 0 });
    expect(r.stdout).toBe(
      'feedback critique: 1 batch(es) with gpt-5.4-mini: 1 answered, 0 answered earlier, 0 failed; 2 record(s) added (1 verified, 1 unverified), 0 already recorded\n',
    );
    expect(r.stderr).toContain(`critique: batch-001.jsonl (${batch.id}): 5 trace(s), asking gpt-5.4-mini…\n`);

    const requests = mock.requests.slice(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body.model).toBe('gpt-5.4-mini');
    expect(requests[0]!.body.text).toMatchObject({ format: { type: 'json_schema', strict: true, schema: SCHEMA } });
    for (const id of batch.traceIds) expect(promptOf(requests[0]!)).toContain(id);

    const stored = await records(s);
    expect(stored.map((f) => [f.source, f.author, f.category, f.status, f.attributes])).toEqual([
      ['llm', 'gpt-5.4-mini', 'conflict_not_surfaced', 'active', { batchId: batch.id }],
      [
        'llm',
        'gpt-5.4-mini',
        'citation_error',
        'unverified',
        { batchId: batch.id, unverifiedReason: `evidence not found in trace "${PRO_PRICE}": "Pro is free for students"` },
      ],
    ]);
    expect(readdirSync(join(s.ws, '.harness-loop', 'critique'))).toEqual([`${batch.id}.json`]);

    // Re-running asks nothing: the kept answer stands for the batch.
    const again = await critique(s);
    expect(again.exitCode).toBe(0);
    expect(mock.requests.length).toBe(before + 1);
    expect(again.stdout).toContain('0 answered, 1 answered earlier, 0 failed; 0 record(s) added');
    expect(await records(s)).toEqual(stored);
  });

  it('reports an answer that is not JSON with its batch id, merges nothing (exit 1), and asks again on the next run', async () => {
    const s = await setup();
    const batch = s.manifest.batches[0]!;
    answerFor = () => ({ raw: '{"observations":[{"traceId":"01a21398-20d0' });
    const r = await critique(s);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`critique: batch-001.jsonl (${batch.id}): not merged: the answer is not valid JSON (truncated?)`);
    expect(r.stdout).toContain(`  failed: batch-001.jsonl (${batch.id}): the answer is not valid JSON (truncated?)`);
    expect(await records(s)).toEqual([]);
    expect(readdirSync(join(s.ws, '.harness-loop', 'critique'))).toEqual([`${batch.id}.rejected.txt`]);

    answerFor = () => ({ json: { observations: [VERIFIED] } });
    const retry = await critique(s);
    expect(retry.exitCode).toBe(0);
    expect((await records(s)).map((f) => f.status)).toEqual(['active']);
    expect(readdirSync(join(s.ws, '.harness-loop', 'critique'))).toEqual([`${batch.id}.json`]);
  });

  it('reports an answer of the wrong shape with its batch id and the bad fields, and merges nothing (exit 1)', async () => {
    const s = await setup();
    const batch = s.manifest.batches[0]!;
    answerFor = () => ({ json: { observations: [{ traceId: PRO_PRICE, severity: 'urgent', observation: 'x' }] } });
    const r = await critique(s, ['--json']);
    expect(r.exitCode).toBe(1);
    const out = JSON.parse(r.stdout) as { failed: number; added: number; batches: { batchId: string; status: string; reason: string }[] };
    expect(out).toMatchObject({ failed: 1, added: 0, batches: [{ batchId: batch.id, status: 'failed' }] });
    expect(out.batches[0]!.reason).toMatch(/^the answer does not match the output schema:\n {2}→ at observations\.0\.spanId: /);
    expect(out.batches[0]!.reason).toContain('→ at observations.0.severity');
    expect(r.stderr).toContain(`critique: batch-001.jsonl (${batch.id}): not merged: the answer does not match the output schema:`);
    expect(await records(s)).toEqual([]);
  });

  it('refuses a critic that is the model that produced the traces (exit 2) before asking anything', async () => {
    const s = await setup();
    const before = mock.requests.length;
    const r = await critique(s, ['--model', 'gpt-5.5']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`harness-loop feedback: critic model "gpt-5.5" also produced the traces of batch-001.jsonl (${s.manifest.batches[0]!.id})`);
    expect(r.stderr).toContain('or pass --allow-same-model');
    expect(mock.requests.length).toBe(before);

    answerFor = () => ({ json: { observations: [] } });
    const allowed = await critique(s, ['--model', 'gpt-5.5', '--allow-same-model']);
    expect(allowed.exitCode).toBe(0);
    expect(mock.requests.slice(before).map((q) => q.body.model)).toEqual(['gpt-5.5']);
  });

  it('continues an interrupted pass: only the batch without a valid answer is asked again', async () => {
    const s = await setup(['--max-tokens', '1200']);
    const files = s.manifest.batches.map((b) => b.file);
    expect(files.length).toBeGreaterThan(1);
    const broken = files[1]!;
    answerFor = (file) => (file === broken ? { raw: 'Sorry, I cannot help with that.' } : { json: { observations: [] } });
    const before = mock.requests.length;
    const first = await critique(s);
    expect(first.exitCode).toBe(1);
    expect(first.stdout).toContain(`${files.length - 1} answered, 0 answered earlier, 1 failed`);
    expect(mock.requests.length - before).toBe(files.length);

    answerFor = () => ({ json: { observations: [] } });
    const middle = mock.requests.length;
    const second = await critique(s);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain(`1 answered, ${files.length - 1} answered earlier, 0 failed`);
    expect(mock.requests.slice(middle).map((q) => /\((batch-\d+\.jsonl)\)/.exec(promptOf(q))?.[1])).toEqual([broken]);
  });
});
