/**
 * Turns feedback into Promptfoo assertions: deterministic checks wherever the text allows,
 * one `llm-rubric` per record for what only a judge can check.
 *
 * Values here are the raw text; `build.ts` protects them from templating when it writes the
 * config (see template-safe.ts). Keys and rubric hashes are computed on the raw text, so they
 * do not depend on the escape.
 */
import type { FeedbackSource, Polarity } from '../schema/feedback.js';
import { stableId } from '../util/hash.js';
import { normalizeHeading } from '../feedback/detectors/missing-sections.js';

export { checkAssertionTypes, isSupportedAssertionType, suggestAssertionType } from './assertion-types.js';

/** A Promptfoo assertion as we write it. */
export interface SuiteAssertion {
  type: string;
  value?: unknown;
  /** Settings of a trace assertion (Promptfoo hands them to the check as `context.config`). */
  config?: Record<string, unknown>;
  threshold?: number;
  weight?: number;
  metric?: string;
}

/** A generated assertion with the key the ratchet remembers it by. */
export interface GeneratedAssertion {
  /** Hash of type and value: the same check generated twice has the same key. */
  key: string;
  assertion: SuiteAssertion;
  /** For llm-rubric: the hash the replay grader looks verdicts up by. */
  rubricHash?: string;
  /** Keys of earlier wordings of the same check: a test that holds one does not get this one too. */
  aliasKeys?: string[];
}

/** What one feedback record contributes to generation. */
export interface GenerationRecord {
  category: string;
  observation: string;
  requiredObservations: readonly string[];
  prohibitedClaims: readonly string[];
  /** Effective weight (already > 0). */
  weight: number;
  /** Sections a `missing_section` detector record names (attributes.missingSections). */
  missingSections?: readonly string[];
  /** Who gave it: detector and hook findings become trace or content checks, never rubrics. */
  source?: FeedbackSource;
  /** positive: praise, which becomes checks that hold on the praised answer. */
  polarity?: Polarity;
  /** The record's attributes (detector name and details). */
  attributes?: Readonly<Record<string, unknown>>;
  /** The record's evidence lines. */
  evidence?: readonly string[];
  /** For praise: the answer praised, so only checks that hold on it are kept. */
  praisedAnswer?: string | null;
}

/** Settings that shape generation. */
export interface GenerationOptions {
  /** Markdown headings every answer must have (config feedback.requiredSections). */
  requiredSections: readonly string[];
  /** Threshold of llm-rubric assertions. */
  rubricThreshold: number;
}

/** The key of an assertion: its type, value and (trace assertions) config, canonically serialized. */
export function assertionKey(type: string, value: unknown, config?: unknown): string {
  // Without config the key is what it always was, so suites built before trace assertions keep theirs.
  return config === undefined ? stableId('a-', type, canonicalJson(value)) : stableId('a-', type, canonicalJson(value), canonicalJson(config));
}

/** The hash the replay grader uses for a rubric text. */
export function rubricHash(text: string): string {
  return stableId('rb-', text);
}

/** Assertions for a cluster of records, deterministic ones first, deduplicated by key. */
export function generateAssertions(records: readonly GenerationRecord[], options: GenerationOptions): GeneratedAssertion[] {
  const deterministic = new Map<string, GeneratedAssertion>();
  const rubrics = new Map<string, GeneratedAssertion>();
  const add = (into: Map<string, GeneratedAssertion>, assertion: SuiteAssertion, weight: number, hash?: string) => {
    const key = assertionKey(assertion.type, assertion.value, assertion.config);
    const existing = into.get(key);
    if (existing) {
      // The same check from a heavier source counts with that source's weight.
      if (weight > (existing.assertion.weight ?? 1)) setWeight(existing.assertion, weight);
      return;
    }
    const a = { ...assertion };
    setWeight(a, weight);
    into.set(key, { key, assertion: a, ...(hash ? { rubricHash: hash } : {}) });
  };
  for (const record of records) {
    // A detector or hook saw the problem in the process or in a file: it gets the check that can see it, never a judge.
    const found = findingChecks(record, options);
    if (found !== null) {
      for (const check of found) add(deterministic, check, record.weight);
      continue;
    }
    if (record.polarity === 'positive') {
      const keep = keepChecks(record, options);
      for (const check of keep.checks) add(deterministic, check, record.weight);
      if (keep.rubric !== null)
        add(rubrics, { type: 'llm-rubric', value: keep.rubric, threshold: options.rubricThreshold, metric: 'keep' }, record.weight, rubricHash(keep.rubric));
      continue;
    }
    const { checks, uncoveredRequired, uncoveredClaims } = deterministicChecks(record, options);
    for (const check of checks) add(deterministic, check, record.weight);
    const text = rubricText(record, uncoveredRequired, uncoveredClaims, checks.length > 0);
    if (text !== null) {
      add(rubrics, { type: 'llm-rubric', value: text, threshold: options.rubricThreshold, metric: 'rubric' }, record.weight, rubricHash(text));
      if (text.startsWith(OBSERVATION_RUBRIC)) {
        const entry = rubrics.get(assertionKey('llm-rubric', text))!;
        entry.aliasKeys = [assertionKey('llm-rubric', `${LEGACY_OBSERVATION_RUBRIC}${record.observation.trim()}`)];
      }
    }
  }
  return [...deterministic.values(), ...rubrics.values()];
}

function setWeight(assertion: SuiteAssertion, weight: number): void {
  // Weight 1 is Promptfoo's default; leaving it out keeps the YAML short.
  if (weight === 1) delete assertion.weight;
  else assertion.weight = Math.round(weight * 1000) / 1000;
}

interface DeterministicResult {
  checks: SuiteAssertion[];
  uncoveredRequired: string[];
  uncoveredClaims: string[];
}

function deterministicChecks(record: GenerationRecord, options: GenerationOptions): DeterministicResult {
  const checks: SuiteAssertion[] = [];
  const uncoveredRequired: string[] = [];
  const uncoveredClaims: string[] = [];

  for (const section of sectionsFor(record, options.requiredSections)) checks.push(sectionCheck(section));

  for (const raw of record.requiredObservations) {
    const text = raw.trim();
    const heading = /^#{1,6}\s+\S/.test(text);
    if (heading) {
      checks.push(sectionCheck(text));
      continue;
    }
    // "11 months, not 18" or "rather than the FAQ's wording": literals there may be the wrong ones.
    if (NEGATION.test(text)) {
      uncoveredRequired.push(text);
      continue;
    }
    const found = extractLiterals(text);
    checks.push(...found.checks);
    if (JSON_FORMAT.test(text)) checks.push({ type: 'is-json', metric: 'format' });
    const rest = JSON_FORMAT.test(text) ? found.rest.replace(/\bjson\b/gi, ' ') : found.rest;
    if (found.checks.length === 0 && !JSON_FORMAT.test(text)) uncoveredRequired.push(text);
    else if (!isFiller(rest)) uncoveredRequired.push(text);
  }

  for (const raw of record.prohibitedClaims) {
    const text = raw.trim();
    const quoted = [...text.matchAll(QUOTED)].map((m) => (m[1] ?? m[2] ?? m[3] ?? m[4] ?? '').trim()).filter((q) => q !== '');
    for (const q of quoted) checks.push({ type: 'not-icontains', value: q, metric: 'prohibited' });
    const literal = literalClaim(text);
    if (quoted.length === 0 && literal !== null) checks.push({ type: 'not-icontains', value: literal, metric: 'prohibited' });
    const covered = quoted.length > 0 ? isFiller(text.replace(QUOTED, ' ').replace(INSTRUCTION_PREFIX, ' ')) : literal !== null && isShortLiteral(literal);
    if (!covered) uncoveredClaims.push(text);
  }
  return { checks, uncoveredRequired, uncoveredClaims };
}

const NEGATION = /\b(?:not|never|no|don't|doesn't|isn't|aren't|without|rather than|instead of|avoid|except|unless)\b/i;
const JSON_FORMAT = /\b(?:valid|as|in|returns?|returned|outputs?|emits?|responds? with|be)\s+(?:a\s+|an\s+)?json\b/i;
const INSTRUCTION_PREFIX =
  /^\s*(?:do not|don't|never|must not|should not|shouldn't|avoid|no longer)\b\s*(?:(?:say|claim|state|write|assert|call it|report|present)(?:s|ing|ed)?\b\s*(?:that\s+)?)?/i;
const SAY_PREFIX =
  /^\s*(?:do not|don't|never|must not|should not|shouldn't)\s+(?:say|claim|state|write|assert|report|present)(?:s|ing)?\s+(?:that\s+)?(.+?)[.!]?\s*$/i;
const QUOTED = /"([^"\n]{2,200})"|“([^”\n]{2,200})”|`([^`\n]{1,200})`|(?<![\w'])'([^'\n]{2,200})'(?![\w'])/g;
const FILE_PATH =
  /(?<![\w/.@-])((?:\.{0,2}\/)?(?:[\w.-]+\/)+[\w.-]*\w\.[A-Za-z][A-Za-z0-9]{0,9}|[\w-]+\.(?:md|mdx|csv|tsv|json|jsonl|ya?ml|toml|txt|py|ts|tsx|js|mjs|cjs|sql|html|xml|pdf|ipynb|sh|go|rs|java|rb))(?![\w/])/g;
const NUMBER_FACT =
  /(?<![\w.$])(\$\s?)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?%|\s?percent\b|\s?(?:[KMB]|mn|bn|million|billion|thousand)\b|[\s-]?(?:months?|years?|weeks?|days?|hours?|minutes?|seconds?)\b)?/gi;

/** Words that say how to state a fact rather than which fact; a requirement made only of these and literals is fully checked. */
const FILLER = new Set(
  (
    'a an the and or of to in on at as for with by from that this these those its it is are be must should ' +
    'name names naming state states mention mentions say says include includes including cite cites citing quote quotes ' +
    'give gives report reports use uses show shows list lists explicitly clearly exactly exact answer response output file files ' +
    'source sources section heading value figure number correct correctly verbatim literal text word words phrase ' +
    'return returns valid format formatted'
  ).split(' '),
);

function isFiller(text: string): boolean {
  const words = text.toLowerCase().match(/[a-z][a-z'-]*/g) ?? [];
  return words.every((w) => FILLER.has(w));
}

/** Quoted spans, cited file paths and numbers with units in a requirement, as checks; `rest` is what they leave. */
function extractLiterals(text: string): { checks: SuiteAssertion[]; rest: string } {
  const checks: SuiteAssertion[] = [];
  let rest = text.replace(QUOTED, (_m, dq?: string, cq?: string, bq?: string, sq?: string) => {
    if (bq !== undefined) checks.push({ type: 'contains', value: bq, metric: FILE_PATH_ONLY.test(bq) ? 'citation' : 'required' });
    else checks.push({ type: 'icontains', value: (dq ?? cq ?? sq ?? '').trim(), metric: 'required' });
    return ' ';
  });
  rest = rest.replace(FILE_PATH, (path: string) => {
    checks.push({ type: 'contains', value: path.replace(/^\.\//, ''), metric: 'citation' });
    return ' ';
  });
  rest = rest.replace(NUMBER_FACT, (match: string, currency?: string, whole?: string, fraction?: string, unit?: string) => {
    if (!currency && !unit) return match;
    checks.push({ type: 'regex', value: numberPattern(currency, whole!, fraction, unit), metric: 'required' });
    return ' ';
  });
  return { checks: checks.filter((c) => typeof c.value !== 'string' || c.value !== ''), rest };
}

const FILE_PATH_ONLY = /^(?:\.{0,2}\/)?(?:[\w.-]+\/)*[\w.-]*\w\.[A-Za-z][A-Za-z0-9]{0,9}$/;

const UNIT_PATTERNS: [RegExp, string][] = [
  [/^(?:%|percent)$/i, '\\s?(?:%|[Pp]ercent\\b)'],
  [/^(?:k|thousand)$/i, '\\s?(?:[Kk]\\b|[Tt]housand\\b)'],
  [/^(?:m|mn|million)$/i, '\\s?(?:[Mm]\\b|[Mm]n\\b|[Mm]illion\\b)'],
  [/^(?:b|bn|billion)$/i, '\\s?(?:[Bb]\\b|[Bb]n\\b|[Bb]illion\\b)'],
  [/^months?$/i, '[\\s-]?[Mm]onths?\\b'],
  [/^years?$/i, '[\\s-]?[Yy]ears?\\b'],
  [/^weeks?$/i, '[\\s-]?[Ww]eeks?\\b'],
  [/^days?$/i, '[\\s-]?[Dd]ays?\\b'],
  [/^hours?$/i, '[\\s-]?[Hh]ours?\\b'],
  [/^minutes?$/i, '[\\s-]?[Mm]inutes?\\b'],
  [/^seconds?$/i, '[\\s-]?[Ss]econds?\\b'],
];

/** "$2.9M" → a pattern that also accepts "$2.9 million"; "11-month" → "11 months", "11-month". */
function numberPattern(currency: string | undefined, whole: string, fraction: string | undefined, unit: string | undefined): string {
  const digits = `${whole.replace(/,/g, ',?')}${fraction ? fraction.replace('.', '\\.') : ''}`;
  let unitPattern = '';
  if (unit) {
    const u = unit.trim().replace(/^-/, '');
    unitPattern = UNIT_PATTERNS.find(([re]) => re.test(u))?.[1] ?? '';
  }
  return `${currency ? '\\$\\s?' : '(?<![\\d.])'}${digits}${unitPattern}`;
}

/** The claim as literal text to forbid, or null when it is an instruction about meaning ("Do not imply …"). */
function literalClaim(text: string): string | null {
  const said = SAY_PREFIX.exec(text);
  if (said) return said[1]!.trim();
  if (/^\s*(?:do not|don't|never|must not|should not|shouldn't|avoid|no)\b/i.test(text)) return null;
  const words = text.split(/\s+/).filter((w) => w !== '');
  return words.length <= 12 ? text.trim().replace(/[.]$/, '') : null;
}

/** Short claims and non-prose (code, markup) are caught by a substring check; longer prose needs the judge too. */
function isShortLiteral(literal: string): boolean {
  const words = literal.match(/[A-Za-z]{2,}/g) ?? [];
  return words.length <= 6;
}

/** Sections a record asks for: the detector's list, or the configured sections its text names. */
function sectionsFor(record: GenerationRecord, requiredSections: readonly string[]): string[] {
  if (record.missingSections && record.missingSections.length > 0) return [...record.missingSections];
  if (!/section|heading/i.test(record.category)) return [];
  const text = record.observation.toLowerCase();
  return requiredSections.filter((s) => text.includes(normalizeHeading(s)));
}

/** A heading check matching any level and case, as `feedback detect` does. */
function sectionCheck(heading: string): SuiteAssertion {
  const words = normalizeHeading(heading).split(' ').map(escapeRegExp).join('\\s+');
  const source = `(?:^|\\n)[ ]{0,3}#{1,6}[ \\t]+${words}[ \\t]*#*[ \\t]*(?:\\r?\\n|$)`;
  return { type: 'javascript', value: `new RegExp(${JSON.stringify(source)}, "i").test(String(output))`, metric: 'section' };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The shipped trace assertion module, as the suite names it (relative to the suite folder). */
export const TRACE_ASSERT_MODULE = 'file://providers/trace-assert.mjs';

/** A trace assertion: a check of trace-assert.mjs over the provider's `agentTrace` metadata. */
export function traceAssertion(check: string, config?: Record<string, unknown>): SuiteAssertion {
  return { type: 'javascript', value: `${TRACE_ASSERT_MODULE}:${check}`, ...(config && Object.keys(config).length > 0 ? { config } : {}), metric: 'process' };
}

/** Whether an assertion is one of ours over the agent's process (its value must not be template-protected). */
export function isTraceAssertion(assertion: { type?: unknown; value?: unknown }): boolean {
  return assertion.type === 'javascript' && typeof assertion.value === 'string' && assertion.value.startsWith(`${TRACE_ASSERT_MODULE}:`);
}

const TRUNCATED = /… \[\d+ more characters\]$/;

/**
 * The checks for a detector or hook finding, or null when the record is not one. Process findings
 * (failed commands, tool and MCP errors, hook blocks, errored turns, token use) become trace
 * assertions; content findings (a cited file that does not exist, a missing section) become
 * content checks on the answer.
 */
function findingChecks(record: GenerationRecord, options: GenerationOptions): SuiteAssertion[] | null {
  if (record.source !== 'detector' && record.source !== 'hook') return null;
  const attrs = record.attributes ?? {};
  const str = (key: string) => (typeof attrs[key] === 'string' && attrs[key] !== '' ? (attrs[key] as string) : undefined);
  if (record.source === 'hook') {
    const file = str('file');
    return [traceAssertion('noHookBlocks', file ? { match: file } : {})];
  }
  switch (str('detector')) {
    case 'failed-commands': {
      const quoted = record.evidence?.find((e) => e.startsWith('command: '))?.slice('command: '.length);
      const command = str('command') ?? (quoted !== undefined && !TRUNCATED.test(quoted) ? quoted : undefined);
      return [traceAssertion('noFailedCommands', command ? { command } : {})];
    }
    case 'tool-errors': {
      const tool = str('tool');
      const mcp = tool ? /^mcp__(.+?)__/.exec(tool) : null;
      return [mcp ? traceAssertion('noMcpErrors', { server: mcp[1] }) : traceAssertion('noToolErrors', tool ? { tool } : {})];
    }
    case 'hook-blocks':
      return [traceAssertion('noHookBlocks', str('hookEvent') ? { event: str('hookEvent') } : {})];
    case 'errored-turns':
      return [traceAssertion('noErrors')];
    case 'runaway-tokens':
      return [traceAssertion('maxTokens', typeof attrs.budget === 'number' ? { max: attrs.budget } : {})];
    case 'missing-cited-files': {
      const path = str('path');
      return path ? [{ type: 'not-contains', value: path, metric: 'citation' }] : [];
    }
    case 'missing-sections':
      return sectionsFor(record, options.requiredSections).map(sectionCheck);
    default:
      return [];
  }
}

/**
 * Checks for praise: the literals of what was praised (and of its required observations) that
 * hold on the praised answer, and a rubric worded as the quality to keep when text is left that
 * only a reader can judge. A check that fails on the praised answer would fail the very answer
 * the reviewer held up, so it is dropped (a required observation then goes to the rubric).
 */
function keepChecks(record: GenerationRecord, options: GenerationOptions): { checks: SuiteAssertion[]; rubric: string | null } {
  const answer = record.praisedAnswer ?? null;
  const holds = (c: SuiteAssertion) => answer === null || holdsOn(c, answer) !== false;
  const base = deterministicChecks(record, options);
  const checks = base.checks.filter(holds);
  const leftOver = [...base.uncoveredRequired, ...record.requiredObservations.filter((r) => extractLiterals(r).checks.some((c) => !holds(c)))];
  const fromObservation = extractLiterals(record.observation).checks.filter((c) => answer !== null && holdsOn(c, answer) === true);
  checks.push(...fromObservation);
  const observationCovered = fromObservation.length > 0 && isFiller(extractLiterals(record.observation).rest);
  if (leftOver.length === 0 && base.uncoveredClaims.length === 0 && observationCovered) return { checks, rubric: null };
  const lines = [`The answer keeps what a reviewer praised in an earlier answer to the same task: ${record.observation.trim()}`];
  for (const r of [...new Set(leftOver)]) lines.push(`- ${r}`);
  for (const c of base.uncoveredClaims) lines.push(`- It does not claim: ${c}`);
  return { checks, rubric: lines.join('\n') };
}

/** The keep rubric a praise record contributes (its hash is what a praise verdict is recorded under), or null. */
export function keepRubric(record: GenerationRecord, options: GenerationOptions): string | null {
  return record.polarity === 'positive' && findingChecks(record, options) === null ? keepChecks(record, options).rubric : null;
}

/** Whether a generated content check passes on `answer`; null for a check this cannot evaluate. */
export function holdsOn(check: SuiteAssertion, answer: string): boolean | null {
  const v = check.value;
  switch (check.type) {
    case 'contains':
      return typeof v === 'string' ? answer.includes(v) : null;
    case 'icontains':
      return typeof v === 'string' ? answer.toLowerCase().includes(v.toLowerCase()) : null;
    case 'not-contains':
      return typeof v === 'string' ? !answer.includes(v) : null;
    case 'not-icontains':
      return typeof v === 'string' ? !answer.toLowerCase().includes(v.toLowerCase()) : null;
    case 'regex':
      try {
        return typeof v === 'string' ? new RegExp(v).test(answer) : null;
      } catch {
        return null;
      }
    case 'is-json':
      try {
        JSON.parse(answer);
        return true;
      } catch {
        return false;
      }
    case 'javascript': {
      // Our section checks: new RegExp("…", "i").test(String(output)).
      const m = typeof v === 'string' ? /^new RegExp\(("(?:[^"\\]|\\.)*"), "i"\)\.test\(String\(output\)\)$/.exec(v) : null;
      return m ? new RegExp(JSON.parse(m[1]!) as string, 'i').test(answer) : null;
    }
    default:
      return null;
  }
}

const OBSERVATION_RUBRIC =
  'The answer gets right what a reviewer found wrong in an earlier answer to the same task; it passes only if it is free of this problem: ';
/** How suites built before trace assertions worded the same rubric (kept in those suites by the ratchet). */
export const LEGACY_OBSERVATION_RUBRIC = 'The answer avoids this problem, which a reviewer found in an earlier answer to the same task: ';

/** The judge's part of a record, or null when deterministic checks cover all of it; worded as what a good answer does. */
function rubricText(record: GenerationRecord, required: string[], claims: string[], hasChecks: boolean): string | null {
  if (required.length === 0 && claims.length === 0) {
    if (hasChecks || record.requiredObservations.length > 0 || record.prohibitedClaims.length > 0) return null;
    return `${OBSERVATION_RUBRIC}${record.observation.trim()}`;
  }
  const lines = ['The answer meets every point below (from reviewer feedback on an earlier answer to this task):'];
  for (const r of required) lines.push(`- ${r}`);
  for (const c of claims) lines.push(/^\s*(?:do not|don't|never|must not|should not|shouldn't|avoid|no)\b/i.test(c) ? `- ${c}` : `- It does not claim: ${c}`);
  return lines.join('\n');
}

/** JSON with sorted keys, so equal values serialize equally. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
