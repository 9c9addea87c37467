import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getQueue, getTrace, getVerdicts, postCritique, postFeedback, postVerdict, type ReviewContext } from '../../../src/review/api.js';
import { ReviewDataSource } from '../../../src/review/data.js';
import { FeedbackSchema, type Feedback } from '../../../src/schema/feedback.js';
import { workspacePaths } from '../../../src/util/workspace.js';
import { appendFeedback } from '../../../src/feedback/store.js';
import { exampleWorkspace } from '../../support/example-workspace.js';

async function context(): Promise<ReviewContext> {
  const { workspace, config } = await exampleWorkspace();
  return { workspace, config, data: new ReviewDataSource(workspace), reviewer: 'sam', now: () => '2026-11-26T10:00:00.000Z' };
}
const stored = (ctx: ReviewContext) =>
  readFileSync(workspacePaths(ctx.workspace).feedbackStore, 'utf8')
    .trim()
    .split('\n')
    .map((l) => FeedbackSchema.parse(JSON.parse(l)));

describe('review API', () => {
  it('pages the queue and refuses bad filters', async () => {
    const ctx = await context();
    const all = (await getQueue(ctx, new URLSearchParams())).body as { total: number; items: unknown[] };
    const page = (await getQueue(ctx, new URLSearchParams({ offset: '2', limit: '3' }))).body as { total: number; items: unknown[]; offset: number };
    expect(page).toMatchObject({ total: all.total, offset: 2 });
    expect(page.items).toEqual(all.items.slice(2, 5));
    expect((await getQueue(ctx, new URLSearchParams({ status: 'nope' }))).status).toBe(400);
  });

  it('reports every blank required field at once and writes nothing', async () => {
    const ctx = await context();
    const before = stored(ctx).length;
    const r = await postFeedback(ctx, { traceId: [...(await ctx.data.get()).traces.keys()][0], requiredObservations: ['x'] });
    expect(r).toMatchObject({ status: 422, body: { fields: { category: 'required', severity: expect.stringMatching(/^required/), observation: 'required' } } });
    expect((await postFeedback(ctx, { traceId: 'no-such-trace', category: 'c', severity: 'low', observation: 'o' })).body).toMatchObject({
      fields: { traceId: expect.stringMatching(/unknown trace/) },
    });
    expect(stored(ctx)).toHaveLength(before);
  });

  it('loses nothing when two tabs save at once', async () => {
    const ctx = await context();
    const traceId = [...(await ctx.data.get()).traces.keys()][0]!;
    const before = stored(ctx).length;
    const saves = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        postFeedback(ctx, { traceId, category: 'tool_error', severity: 'low', observation: `tab ${i}`, evidence: ['"a, b" (answer)'] }),
      ),
    );
    expect(saves.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const after = stored(ctx);
    expect(after).toHaveLength(before + 6);
    expect(after.find((r) => r.observation === 'tab 0')!.evidence).toEqual(['"a, b" (answer)']);
  });

  it('accepts a pending critique once; a second accept of the same id is refused', async () => {
    const ctx = await context();
    const traceId = [...(await ctx.data.get()).traces.keys()][0]!;
    const llm: Feedback = {
      schemaVersion: 1,
      id: 'fb_llm_test',
      traceId,
      source: 'llm',
      author: 'critic',
      category: 'tool_error',
      severity: 'low',
      observation: 'x',
      evidence: [],
      requiredObservations: [],
      prohibitedClaims: [],
      status: 'active',
      createdAt: '2026-11-25T10:00:00.000Z',
      attributes: {},
    };
    await appendFeedback(workspacePaths(ctx.workspace).feedbackStore, [llm]);
    expect(((await getTrace(ctx, new URLSearchParams({ id: traceId }))).body as { critiques: Feedback[] }).critiques.map((c) => c.id)).toEqual(['fb_llm_test']);
    const [a, b] = await Promise.all([postCritique(ctx, { id: 'fb_llm_test', action: 'accept' }), postCritique(ctx, { id: 'fb_llm_test', action: 'accept' })]);
    expect([a.status, b.status].sort()).toEqual([200, 404]);
    expect((await postCritique(ctx, { id: 'fb_llm_test', action: 'reject', reason: 'late' })).status).toBe(404);
    expect(stored(ctx).filter((r) => r.attributes.reviewOf === 'fb_llm_test')).toHaveLength(1);
  });

  it('records a verdict only for a rubric that waits, with a reason, once', async () => {
    const ctx = await context();
    // The example's run has every verdict recorded: nothing waits, so nothing can be recorded.
    expect((await getVerdicts(ctx)).body).toEqual({ pending: [] });
    expect(await postVerdict(ctx, { rubricHash: 'rb-0000000000000000', answerHash: 'ah-0000000000000000', pass: true, reason: 'fine' })).toMatchObject({
      status: 409,
    });
    expect(await postVerdict(ctx, { rubricHash: 'rb-0000000000000000', answerHash: 'ah-0000000000000000', pass: true, reason: '  ' })).toMatchObject({
      status: 422,
      body: { fields: { reason: 'required' } },
    });
    expect(await postVerdict(ctx, { rubricHash: 'rb-0000000000000000', answerHash: 'ah-0000000000000000', pass: 'yes', reason: 'x' })).toMatchObject({
      status: 400,
    });
  });
});
