import { describe, expect, it } from 'vitest';
import { critiqueToFeedback, indexTraceEvidence, quoteOccurs, type TraceEvidence } from '../../../src/critique/verify.js';
import { markContradictions } from '../../../src/feedback/store.js';
import { computeFeedbackId } from '../../../src/feedback/record.js';
import { Redactor } from '../../../src/redact/redact.js';
import type { CritiqueObservation } from '../../../src/schema/critique.js';
import { FEEDBACK_SCHEMA_VERSION, type Feedback } from '../../../src/schema/feedback.js';
import { span, trace } from '../feedback/helpers.js';

const NOW = '2026-12-01T10:00:00.000Z';

// Shaped like the docs-qa example: a grep over two docs that disagree, and an answer citing one.
const PRICING = trace({
  id: 'trace-pricing',
  task: 'How much does the Pro plan cost per month?',
  finalAnswer: 'The Pro plan costs $49 per month and includes 5 seats [docs/pricing.md].',
  spans: [
    span({ id: 'turn-1', kind: 'turn' }),
    span({
      id: 'call_shell_1',
      kind: 'tool_call',
      name: 'exec_command',
      input: '{"cmd":"grep -rn \\"Pro\\" docs","yield_time_ms":2000}',
      output:
        'Process exited with code 0\nOutput:\ndocs/pricing.md:8:| Pro | $49 per month | 5 |\ndocs/faq.md:4:Pro costs $39 per month and includes 5 seats. Customers who signed up before\n',
      exitCode: 0,
    }),
    span({ id: 'call_read_2', kind: 'tool_call', name: 'read', input: { path: 'docs/faq.md', note: 'old FAQ' }, output: null }),
  ],
});

function observation(fields: Partial<CritiqueObservation> = {}): CritiqueObservation {
  return {
    traceId: 'trace-pricing',
    spanId: 'call_shell_1',
    category: 'conflict_not_surfaced',
    severity: 'high',
    observation: 'The FAQ says $39 and the pricing page says $49; the answer does not mention the conflict.',
    evidence: ['Pro costs $39 per month and includes 5 seats.', '| Pro | $49 per month | 5 |'],
    requiredObservations: ['Mentions that the FAQ and the pricing page disagree'],
    prohibitedClaims: [],
    ...fields,
  };
}

function check(observations: CritiqueObservation[], traces: TraceEvidence[] = [indexTraceEvidence(PRICING)]): Feedback[] {
  return critiqueToFeedback(
    { observations },
    { batchId: 'batch_0123456789abcdef', model: 'gpt-5.4-mini', now: NOW, traces: new Map(traces.map((t) => [t.id, t])), redactor: new Redactor() },
  );
}

describe('critiqueToFeedback', () => {
  it('stores an observation whose ids and quotes check out as an active LLM record by the critic model', () => {
    const [record] = check([observation()]);
    const { id, schemaVersion, ...draft } = record!;
    expect(record).toEqual({
      schemaVersion: FEEDBACK_SCHEMA_VERSION,
      id: computeFeedbackId(draft),
      traceId: 'trace-pricing',
      spanId: 'call_shell_1',
      source: 'llm',
      author: 'gpt-5.4-mini',
      category: 'conflict_not_surfaced',
      severity: 'high',
      observation: 'The FAQ says $39 and the pricing page says $49; the answer does not mention the conflict.',
      evidence: ['Pro costs $39 per month and includes 5 seats.', '| Pro | $49 per month | 5 |'],
      requiredObservations: ['Mentions that the FAQ and the pricing page disagree'],
      prohibitedClaims: [],
      status: 'active',
      createdAt: NOW,
      attributes: { batchId: 'batch_0123456789abcdef' },
    });
    expect([id, schemaVersion]).toEqual([expect.stringMatching(/^fb_[0-9a-f]{16}$/), 1]);
  });

  it('marks an observation about a trace outside the batch unverified, naming the trace', () => {
    const [record] = check([observation({ traceId: 'trace-invented', spanId: null })]);
    expect(record).toMatchObject({
      status: 'unverified',
      traceId: 'trace-invented',
      attributes: { unverifiedReason: 'unknown trace "trace-invented": not among the stored traces of this batch' },
    });
  });

  it('marks an observation naming a span the trace does not have unverified', () => {
    const [record] = check([observation({ spanId: 'call_shell_9' })]);
    expect(record).toMatchObject({
      status: 'unverified',
      spanId: 'call_shell_9',
      attributes: { unverifiedReason: 'unknown span "call_shell_9" in trace "trace-pricing"' },
    });
  });

  it('marks an observation whose quote is not in the trace unverified, naming the quote', () => {
    const [record] = check([observation({ evidence: ['| Pro | $49 per month | 5 |', 'The Pro plan is free for students.'] })]);
    expect(record!.status).toBe('unverified');
    expect(record!.attributes.unverifiedReason).toBe('evidence not found in trace "trace-pricing": "The Pro plan is free for students."');
  });

  it('marks an observation that quotes nothing unverified', () => {
    expect(check([observation({ evidence: [] })])[0]!.attributes.unverifiedReason).toBe('no evidence quoted');
  });

  it('keeps each record of an answer with its own status', () => {
    const records = check([observation(), observation({ spanId: null, category: 'citation_error', evidence: ['Pro costs $29 per month'] })]);
    expect(records.map((r) => [r.category, r.status])).toEqual([
      ['conflict_not_surfaced', 'active'],
      ['citation_error', 'unverified'],
    ]);
    expect(records[1]!.spanId).toBeUndefined();
  });

  it('gives the same observation the same id on a re-run, so appending it again adds nothing', () => {
    expect(check([observation()])[0]!.id).toBe(check([observation()])[0]!.id);
  });

  it('lets a human record contradict an active critic record', () => {
    const [llm] = check([observation({ severity: 'critical' })]);
    const human: Feedback = { ...llm!, id: 'fb_human', source: 'human', author: 'ana', severity: 'low', evidence: [], status: 'active', attributes: {} };
    expect(markContradictions([human, llm!])[1]).toMatchObject({ status: 'contradicted', contradictedBy: 'fb_human' });
  });
});

describe('quoteOccurs', () => {
  const evidence = indexTraceEvidence(PRICING);

  it('ignores line breaks and runs of spaces', () => {
    expect(quoteOccurs('Pro costs $39 per month and includes 5 seats.   Customers who signed up before', evidence)).toBe(true);
    expect(quoteOccurs('Process exited with code 0 Output: docs/pricing.md:8:', evidence)).toBe(true);
  });

  it('is case-sensitive', () => {
    expect(quoteOccurs('pro costs $39 per month', evidence)).toBe(false);
  });

  it('finds words inside JSON arguments as the critic reads them, escaped or not', () => {
    expect(quoteOccurs('grep -rn "Pro" docs', evidence)).toBe(true);
    expect(quoteOccurs('grep -rn \\"Pro\\" docs', evidence)).toBe(true);
    expect(quoteOccurs('old FAQ', evidence)).toBe(true);
  });

  it('finds the task and the final answer', () => {
    expect(quoteOccurs('costs $49 per month and includes 5 seats [docs/pricing.md]', evidence)).toBe(true);
    expect(quoteOccurs('How much does the Pro plan cost', evidence)).toBe(true);
  });

  it('rejects a quote that joins two passages, and an empty one', () => {
    expect(quoteOccurs('$49 per month ... $39 per month', evidence)).toBe(false);
    expect(quoteOccurs('   ', evidence)).toBe(false);
  });
});
