import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarizeResults } from '../../../src/evals/results.js';

const load = (name: string) => JSON.parse(readFileSync(`test/fixtures/evals/${name}`, 'utf8')) as unknown;

describe('summarizeResults on real promptfoo 0.121.9 output', () => {
  it('names the failed assertion and its reason', () => {
    const { tests, promptfooVersion } = summarizeResults(load('out.fail.json'), []);
    expect(promptfooVersion).toBe('0.121.9');
    const failed = tests.filter((t) => t.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.failedAssertions).toEqual([{ type: 'contains', value: '18 months', reason: 'Expected output to contain "18 months"' }]);
    expect(failed[0]!.reasons).toEqual(['contains "18 months": Expected output to contain "18 months"']);
    expect(failed[0]!.pass).toBe(false);
  });

  it('reports a declared test with no row (an unknown assertion type) as an error, not a pass', () => {
    const { tests } = summarizeResults(load('out.bad_type.json'), [{ id: 'ev-typo', description: 'typo' }]);
    expect(tests).toEqual([
      {
        id: 'ev-typo',
        description: 'typo',
        status: 'error',
        pass: false,
        reasons: ['error: Promptfoo produced no result for this test (it errored before grading; see the raw output)'],
        failedAssertions: [{ type: 'error', reason: 'Promptfoo produced no result for this test (it errored before grading; see the raw output)' }],
      },
    ]);
  });

  it('passes a test over its threshold even with a failed assertion, and fails one under it', () => {
    const { tests } = summarizeResults(load('out.threshold.json'), []);
    expect(tests.map((t) => t.status)).toEqual(['fail', 'pass', 'fail', 'pass']);
    expect(tests[1]!.failedAssertions).toEqual([]);
    expect(tests[2]!.score).toBe(0.25);
  });

  it('treats an ERROR row as an error with the provider message', () => {
    const raw = {
      results: {
        results: [
          {
            success: false,
            failureReason: 2,
            error: 'no trace t-9 in traces.jsonl (was it ingested?)\n    at stack',
            gradingResult: null,
            testCase: { metadata: { testId: 'ev-1' }, vars: { trace_id: 't-9' } },
          },
        ],
      },
    };
    const { tests } = summarizeResults(raw, [{ id: 'ev-1' }]);
    expect(tests[0]).toMatchObject({ id: 'ev-1', status: 'error', reasons: ['error: no trace t-9 in traces.jsonl (was it ingested?)'], traceId: 't-9' });
  });
});
