import { describe, expect, it } from 'vitest';
import { generateAssertions, rubricHash, type GenerationRecord } from '../../../src/evals/assertions.js';

const options = { requiredSections: ['## Summary', '## Sources'], rubricThreshold: 0.8 };

function record(partial: Partial<GenerationRecord>): GenerationRecord {
  return { category: 'accuracy', observation: 'obs', requiredObservations: [], prohibitedClaims: [], weight: 1, ...partial };
}

function types(rec: Partial<GenerationRecord>) {
  return generateAssertions([record(rec)], options).map((g) => g.assertion);
}

describe('generateAssertions', () => {
  it('turns numbers with units, quoted text and cited files into deterministic checks', () => {
    const a = types({ requiredObservations: ['Cite `financials/p_and_l.csv`', 'Say "Type II"', 'State 34%', 'Quote the $2.9M burn exactly'] });
    expect(a.filter((x) => x.type !== 'llm-rubric')).toEqual([
      { type: 'contains', value: 'financials/p_and_l.csv', metric: 'citation' },
      { type: 'icontains', value: 'Type II', metric: 'required' },
      { type: 'regex', value: '(?<![\\d.])34\\s?(?:%|[Pp]ercent\\b)', metric: 'required' },
      { type: 'regex', value: '\\$\\s?2\\.9\\s?(?:[Mm]\\b|[Mm]n\\b|[Mm]illion\\b)', metric: 'required' },
    ]);
    // "burn" is meaning a literal cannot check, so that requirement also goes to the judge.
    const rubric = a.find((x) => x.type === 'llm-rubric');
    expect(rubric?.value).toBe(
      'The answer meets every point below (from reviewer feedback on an earlier answer to this task):\n- Quote the $2.9M burn exactly',
    );
  });

  it('generated regexes accept the usual spellings and reject other numbers', () => {
    const [months] = types({ requiredObservations: ['Name the 11-month runway'] });
    const re = new RegExp(String(months!.value));
    expect(['11 months of runway', 'an 11-month runway', '11 Months'].map((s) => re.test(s))).toEqual([true, true, true]);
    expect(['111 months', '1.11 months', '12 months'].map((s) => re.test(s))).toEqual([false, false, false]);
    const [money] = types({ requiredObservations: ['Report $2.9M'] });
    const moneyRe = new RegExp(String(money!.value));
    expect(['$2.9M per month', '$2.9 million', '$ 2.9M', '$2.95M'].map((s) => moneyRe.test(s))).toEqual([true, true, true, false]);
  });

  it('leaves requirements with a negation to the judge (the literal may be the wrong one)', () => {
    const a = types({ requiredObservations: ['Say 11 months, not 18 months'] });
    expect(a.map((x) => x.type)).toEqual(['llm-rubric']);
  });

  it('forbids quoted, "do not say" and short literal claims; instructions about meaning go to the judge', () => {
    const a = types({
      prohibitedClaims: [
        'Do not claim SOC 2 is complete',
        'Never call it "Aurora"',
        '18 months of runway',
        'Do not imply the company has more than 12 months of runway',
      ],
    });
    expect(a.filter((x) => x.type !== 'llm-rubric')).toEqual([
      { type: 'not-icontains', value: 'SOC 2 is complete', metric: 'prohibited' },
      { type: 'not-icontains', value: 'Aurora', metric: 'prohibited' },
      { type: 'not-icontains', value: '18 months of runway', metric: 'prohibited' },
    ]);
    expect(a.at(-1)).toEqual({
      type: 'llm-rubric',
      value:
        'The answer meets every point below (from reviewer feedback on an earlier answer to this task):\n- Do not imply the company has more than 12 months of runway',
      threshold: 0.8,
      metric: 'rubric',
    });
  });

  it('checks required sections named by a missing_section record at any heading level and case', () => {
    const a = types({
      category: 'missing_section',
      observation: 'The final answer lacks the required section(s): "## Sources"',
      missingSections: ['## Sources'],
    });
    expect(a).toHaveLength(1);
    expect(a[0]!.type).toBe('javascript');
    const check = new Function('output', `return ${String(a[0]!.value)}`) as (o: string) => boolean;
    expect(check('# Title\n\n### sources\n- a.md')).toBe(true);
    expect(check('# Title\n\nSee sources below')).toBe(false);
  });

  it('falls back to the configured sections a missing_section observation names', () => {
    const a = types({ category: 'missing_section', observation: 'Lacks "## Summary"' });
    expect(a.map((x) => x.metric)).toEqual(['section']);
  });

  it('asks for JSON when a requirement says the output is JSON', () => {
    expect(types({ requiredObservations: ['Return valid JSON'] }).map((x) => x.type)).toEqual(['is-json']);
  });

  it('gives an observation-only human record a rubric worded as what a good answer does', () => {
    const a = types({ category: 'tone', observation: 'Too chatty for a status update.' });
    expect(a).toEqual([
      {
        type: 'llm-rubric',
        value:
          'The answer gets right what a reviewer found wrong in an earlier answer to the same task; it passes only if it is free of this problem: Too chatty for a status update.',
        threshold: 0.8,
        metric: 'rubric',
      },
    ]);
  });

  it('dedupes the same check from several records and keeps the heaviest weight', () => {
    const g = generateAssertions(
      [
        record({ weight: 0.4, prohibitedClaims: ['"Aurora"'] }),
        record({ weight: 1, prohibitedClaims: ['"Aurora"'] }),
        record({ weight: 0.8, prohibitedClaims: ['"Aurora"'] }),
      ],
      options,
    );
    expect(g).toHaveLength(1);
    expect(g[0]!.assertion).toEqual({ type: 'not-icontains', value: 'Aurora', metric: 'prohibited' });
  });

  it("weights an llm record's checks by its weight and hashes rubrics stably", () => {
    const g = generateAssertions([record({ weight: 0.4, requiredObservations: ['Tie burn to financing pressure'] })], options);
    expect(g[0]!.assertion.weight).toBe(0.4);
    expect(g[0]!.rubricHash).toBe(rubricHash(String(g[0]!.assertion.value)));
    expect(g[0]!.rubricHash).toMatch(/^rb-[0-9a-f]{16}$/);
  });
});
