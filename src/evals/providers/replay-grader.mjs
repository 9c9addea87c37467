// @ts-check
/**
 * Offline grader for `llm-rubric` shipped with harness-loop: instead of asking a model, it
 * replays verdicts recorded in rubric-verdicts.jsonl, one JSON object per line:
 *   {"testId": "ev-…", "rubricHash": "rb-…", "answerHash": "ah-…", "grader": "human", "pass": true, "score": 1, "reason": "…"}
 * A line matches when its rubricHash equals the rubric's hash (or it has only a testId equal to the
 * test's), and its answerHash equals the hash of the answer being graded (a line without one, from
 * before answer hashes, matches by traceId when it gives one). The last matching line wins.
 *
 * With no match the rubric is UNJUDGED: Promptfoo is told it passes (so one open rubric neither
 * fails the row nor hides a failing deterministic check beside it), and the metadata
 * `harnessLoopVerdict: "missing"` makes harness-loop report the test as `unjudged`, apart from
 * pass and fail and outside the pass rate, with what to record (`harness-loop review`).
 *
 * Config (paths relative to the suite folder, .harness-loop/evals/):
 *   verdicts: rubric-verdicts.jsonl
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SUITE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} text */
function unprotect(text) {
  if (!text.includes('{{ "')) return text;
  const body = text.startsWith('{{ "" }}') ? text.slice('{{ "" }}'.length) : text;
  return body.replace(/\{\{ "([{#])" \}\}/g, '$1');
}

/** The same hash as harness-loop's `rubricHash` (stableId('rb-', text)). @param {string} text */
export function rubricHash(text) {
  return `rb-${createHash('sha256').update(text).update('\0').digest('hex').slice(0, 16)}`;
}

/** Promptfoo hands the grader the parsed answer (tryParse); harness-loop's answerHash hashes the same form. @param {unknown} output */
function canonicalAnswer(output) {
  if (typeof output === 'string') {
    try {
      const parsed = JSON.parse(output);
      return typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
    } catch {
      return output;
    }
  }
  return JSON.stringify(output);
}

/** The same hash as harness-loop's `answerHash`. @param {unknown} output */
export function answerHash(output) {
  return `ah-${createHash('sha256').update(canonicalAnswer(output)).digest('hex').slice(0, 16)}`;
}

/** @param {string} file */
function readVerdicts(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return { verdicts: [], problems: [] };
    throw error;
  }
  /** @type {any[]} */
  const verdicts = [];
  /** @type {string[]} */
  const problems = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const v = JSON.parse(line);
      if (
        v &&
        typeof v === 'object' &&
        typeof v.pass === 'boolean' &&
        typeof v.score === 'number' &&
        (typeof v.testId === 'string' || typeof v.rubricHash === 'string')
      )
        verdicts.push(v);
      else problems.push(`${file}:${i + 1}: needs pass (boolean), score (number) and a testId or rubricHash`);
    } catch {
      problems.push(`${file}:${i + 1}: malformed JSON`);
    }
  });
  return { verdicts, problems };
}

export default class ReplayGrader {
  /** @param {{ id?: string, config?: { verdicts?: string } }} [options] */
  constructor(options = {}) {
    this.providerId = options.id || 'harness-loop:replay-grader';
    this.verdictsPath = resolve(SUITE_DIR, options.config?.verdicts || 'rubric-verdicts.jsonl');
  }

  id() {
    return this.providerId;
  }

  /** @param {string} _prompt @param {{ vars?: Record<string, unknown> }} [context] */
  async callApi(_prompt, context) {
    const vars = context?.vars ?? {};
    const rubric = typeof vars.rubric === 'string' ? vars.rubric : null;
    if (rubric === null) return { error: 'the replay grader only grades llm-rubric assertions (no rubric text in the grading call)' };
    const hash = rubricHash(rubric);
    const testId = typeof vars.test_id === 'string' ? unprotect(vars.test_id) : undefined;
    // The codex provider scores a fresh run, recorded under its own thread id.
    const traceId = typeof vars.trace_id === 'string' ? unprotect(vars.trace_id) : undefined;
    const answer = answerHash(vars.output ?? '');
    // Read on every call: verdicts recorded while a run is going are picked up, and the file is small.
    const { verdicts, problems } = readVerdicts(this.verdictsPath);
    const match = verdicts
      .filter((v) => (v.rubricHash !== undefined ? v.rubricHash === hash && (v.testId === undefined || v.testId === testId) : v.testId === testId))
      .filter((v) => (typeof v.answerHash === 'string' ? v.answerHash === answer : v.traceId === undefined || v.traceId === traceId))
      .at(-1);
    const where = { testId, rubricHash: hash, traceId, answerHash: answer };
    if (match) {
      return {
        output: JSON.stringify({
          pass: match.pass,
          score: match.score,
          reason: `${match.reason ?? (match.pass ? 'recorded pass' : 'recorded fail')} (recorded verdict${match.grader ? ` by ${match.grader}` : ''})`,
        }),
        metadata: { harnessLoopVerdict: 'recorded', ...where },
      };
    }
    const reason =
      `UNJUDGED: no verdict yet for rubric ${hash} on this answer (${answer}${testId ? `, test ${testId}` : ''}); ` +
      'it is counted apart and never as a failure. Record one with `harness-loop review` (or run with a grader).' +
      (problems.length > 0 ? ` Unreadable verdict lines: ${problems.slice(0, 3).join('; ')}` : '');
    return { output: JSON.stringify({ pass: true, score: 1, reason }), metadata: { harnessLoopVerdict: 'missing', rubric, ...where } };
  }
}
