import { describe, expect, it } from 'vitest';
import {
  PROMPTFOO_BASE_ASSERTION_TYPES,
  PROMPTFOO_SPECIAL_ASSERTION_TYPES,
  checkAssertionTypes,
  isSupportedAssertionType,
} from '../../../src/evals/assertion-types.js';

describe('supported assertion types', () => {
  it('match the installed promptfoo exactly (an upgrade that changes the list fails here)', async () => {
    const promptfoo = (await import('promptfoo')) as unknown as {
      BaseAssertionTypesSchema: { options: string[] };
      SpecialAssertionTypesSchema: { options: string[] };
    };
    expect([...PROMPTFOO_BASE_ASSERTION_TYPES].sort()).toEqual([...promptfoo.BaseAssertionTypesSchema.options].sort());
    expect([...PROMPTFOO_SPECIAL_ASSERTION_TYPES].sort()).toEqual([...promptfoo.SpecialAssertionTypesSchema.options].sort());
  });

  it('accepts base types, their not- forms, special types, assert-set and redteam types', () => {
    for (const t of ['contains', 'not-icontains', 'llm-rubric', 'is-json', 'javascript', 'max-score', 'assert-set', 'promptfoo:redteam:harmful']) {
      expect(isSupportedAssertionType(t), t).toBe(true);
    }
  });

  it('rejects a misspelled type that promptfoo validate would let through, with a suggestion', () => {
    const problems = checkAssertionTypes({
      defaultTest: { assert: [{ type: 'not-contians', value: 'x' }] },
      tests: [
        {
          assert: [
            { type: 'contains', value: 'ok' },
            { type: 'contanis', value: 'foo' },
          ],
        },
        { assert: [{ type: 'assert-set', assert: [{ type: 'regexp', value: 'a' }] }] },
        { assert: [{ value: 'no type' }] },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual([
      'defaultTest.assert[0].type',
      'tests[0].assert[1].type',
      'tests[1].assert[0].assert[0].type',
      'tests[2].assert[0].type',
    ]);
    expect(problems[0]!.message).toContain('did you mean "not-contains"?');
    expect(problems[1]!.message).toBe(
      'tests[0].assert[1].type: unknown assertion type "contanis" (did you mean "contains"?); Promptfoo would error on it at eval time',
    );
    expect(problems[2]!.message).toContain('did you mean "regex"?');
  });

  it('rejects not- on a special type', () => {
    expect(isSupportedAssertionType('not-max-score')).toBe(false);
    expect(isSupportedAssertionType('not-assert-set')).toBe(false);
  });
});
