/**
 * The assertion types Promptfoo runs, and a check for the ones it would not.
 *
 * Promptfoo's own schema accepts any `type` (`AssertionTypeSchema` ends in `z.custom()`), so
 * `promptfoo validate config` passes a misspelled type and the row only errors at eval time
 * ("Unknown assertion type: contanis"). We check before writing or running a suite.
 *
 * Source of the list: promptfoo 0.121.9, `BaseAssertionTypesSchema` and
 * `SpecialAssertionTypesSchema` in node_modules/promptfoo/dist/src/types-C_e_SykX.js (declared in
 * dist/src/index.d.ts, `declare const BaseAssertionTypesSchema`), i.e. src/types/index.ts upstream.
 * The evaluator (dist/src/evaluator-*.js, `runAssertion`) also accepts `not-<base type>`,
 * `assert-set` and any `promptfoo:redteam:*` type. test/unit/evals/assertion-types.test.ts compares
 * this copy with the installed package, so an upgrade that changes the list fails a test.
 */

/** `BaseAssertionTypesSchema.options` of promptfoo 0.121.9, in its order. */
export const PROMPTFOO_BASE_ASSERTION_TYPES = [
  'answer-relevance',
  'bleu',
  'classifier',
  'contains',
  'contains-all',
  'contains-any',
  'contains-html',
  'contains-json',
  'contains-sql',
  'contains-xml',
  'context-faithfulness',
  'context-recall',
  'context-relevance',
  'conversation-relevance',
  'cost',
  'equals',
  'factuality',
  'finish-reason',
  'g-eval',
  'gleu',
  'guardrails',
  'icontains',
  'icontains-all',
  'icontains-any',
  'is-html',
  'is-json',
  'is-refusal',
  'is-sql',
  'is-valid-function-call',
  'is-valid-openai-function-call',
  'is-valid-openai-tools-call',
  'is-xml',
  'javascript',
  'latency',
  'levenshtein',
  'llm-rubric',
  'pi',
  'meteor',
  'model-graded-closedqa',
  'model-graded-factuality',
  'moderation',
  'perplexity',
  'perplexity-score',
  'python',
  'regex',
  'rouge-n',
  'ruby',
  'similar',
  'similar:cosine',
  'similar:dot',
  'similar:euclidean',
  'starts-with',
  'tool-call-f1',
  'skill-used',
  'trajectory:goal-success',
  'trajectory:tool-args-match',
  'trajectory:step-count',
  'trajectory:tool-sequence',
  'trajectory:tool-used',
  'trace-error-spans',
  'trace-span-count',
  'trace-span-duration',
  'search-rubric',
  'webhook',
  'word-count',
] as const;

/** `SpecialAssertionTypesSchema.options` of promptfoo 0.121.9. */
export const PROMPTFOO_SPECIAL_ASSERTION_TYPES = ['select-best', 'human', 'max-score'] as const;

const BASE = new Set<string>(PROMPTFOO_BASE_ASSERTION_TYPES);
const SPECIAL = new Set<string>(PROMPTFOO_SPECIAL_ASSERTION_TYPES);

/** Whether Promptfoo 0.121.9 can run an assertion of this type. */
export function isSupportedAssertionType(type: string): boolean {
  if (BASE.has(type) || SPECIAL.has(type) || type === 'assert-set') return true;
  if (type.startsWith('not-') && BASE.has(type.slice(4))) return true;
  return /^promptfoo:redteam:.+/.test(type);
}

/** The closest supported type, for "did you mean" (null when nothing is close). */
export function suggestAssertionType(type: string): string | null {
  const negated = type.startsWith('not-');
  const base = negated ? type.slice(4) : type;
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(base.length / 3)) + 1;
  for (const candidate of [...BASE, ...(negated ? [] : SPECIAL)]) {
    const d = editDistance(base, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === null ? null : negated ? `not-${best}` : best;
}

/** An assertion Promptfoo would reject at eval time, located in the config. */
export interface AssertionTypeProblem {
  /** Where, e.g. `tests[3].assert[1].type`. */
  path: string;
  /** The offending value. */
  type: unknown;
  /** The sentence to show. */
  message: string;
}

/** Every assertion in a Promptfoo config (defaultTest, tests, scenarios) whose type Promptfoo would not run. */
export function checkAssertionTypes(config: unknown): AssertionTypeProblem[] {
  const problems: AssertionTypeProblem[] = [];
  if (!isRecord(config)) return problems;
  const visitTest = (test: unknown, path: string) => {
    if (isRecord(test)) visitAsserts(test.assert, `${path}.assert`, problems);
  };
  visitTest(config.defaultTest, 'defaultTest');
  if (Array.isArray(config.tests)) config.tests.forEach((t, i) => visitTest(t, `tests[${i}]`));
  if (Array.isArray(config.scenarios)) {
    config.scenarios.forEach((s, i) => {
      if (!isRecord(s)) return;
      if (Array.isArray(s.config)) s.config.forEach((t, j) => visitTest(t, `scenarios[${i}].config[${j}]`));
      if (Array.isArray(s.tests)) s.tests.forEach((t, j) => visitTest(t, `scenarios[${i}].tests[${j}]`));
    });
  }
  return problems;
}

function visitAsserts(asserts: unknown, path: string, problems: AssertionTypeProblem[]): void {
  if (asserts === undefined) return;
  if (!Array.isArray(asserts)) {
    problems.push({ path, type: asserts, message: `${path} must be a list of assertions` });
    return;
  }
  asserts.forEach((a, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(a)) {
      problems.push({ path: at, type: a, message: `${at} must be an object with a type` });
      return;
    }
    const type = a.type;
    if (typeof type !== 'string') {
      problems.push({ path: `${at}.type`, type, message: `${at}.type is missing or not a string` });
      return;
    }
    if (!isSupportedAssertionType(type)) {
      const hint = suggestAssertionType(type);
      problems.push({
        path: `${at}.type`,
        type,
        message: `${at}.type: unknown assertion type "${type}"${hint ? ` (did you mean "${hint}"?)` : ''}; Promptfoo would error on it at eval time`,
      });
      return;
    }
    if (type === 'assert-set') visitAsserts(a.assert, `${at}.assert`, problems);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
