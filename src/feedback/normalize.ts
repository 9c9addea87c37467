// Turns one feedback record in any accepted input shape into our record:
//   ours     {schemaVersion, id, traceId, source, category, severity, observation, …}
//   article  {trace_id, category, severity, observation, evidence}
//   cookbook {feedback_id, trace_id, theme, summary, required_observations, prohibited_claims, …}
//   insight  {insight_id, trace_id, source_type: "llm_insight", observations: [...]}
import {
  FeedbackSchema,
  FeedbackSourceSchema,
  SEVERITIES,
  type Feedback,
  type FeedbackSource,
  type FeedbackStatus,
  type Polarity,
  type Severity,
} from '../schema/feedback.js';
import type { Redactor } from '../redact/redact.js';
import { finishFeedback, type FeedbackDraft } from './record.js';

/** A problem with one field of one input record; `key` is the input's own spelling of the field. */
export interface FieldIssue {
  key: string;
  message: string;
}

/** What a record may inherit from where it was found and from the command line. */
export interface NormalizeContext {
  /** The key the record sat under in a file keyed by trace id. */
  keyTraceId?: string;
  /** `--trace`: used when the record names no trace. */
  defaultTraceId?: string;
  /** `--source`: used when the record names no source. */
  defaultSource: FeedbackSource;
  /** `--author`: used when the record names no author. */
  defaultAuthor: string;
  /** Creation time for records without one. */
  now: string;
  /** `--positive`: the polarity of records that do not give one. */
  defaultPolarity?: Polarity;
  redactor: Redactor;
}

/** Our field → the input spellings accepted for it, first match wins. */
const ALIASES = {
  traceId: ['trace_id', 'traceId'],
  spanId: ['span_id', 'spanId'],
  source: ['source'],
  sourceType: ['source_type', 'sourceType'],
  author: ['author'],
  category: ['category', 'theme'],
  severity: ['severity'],
  observation: ['observation', 'summary', 'comment'],
  observations: ['observations'],
  evidence: ['evidence'],
  requiredObservations: ['required_observations', 'requiredObservations'],
  prohibitedClaims: ['prohibited_claims', 'prohibitedClaims'],
  createdAt: ['created_at', 'createdAt'],
  status: ['status'],
  verifiedBy: ['verified_by', 'verifiedBy'],
  polarity: ['polarity', 'thumbs', 'thumbs_up', 'thumbsUp', 'rating', 'label', 'verdict'],
} as const;

/** Label words (label / verdict / polarity / thumbs) → polarity; docs/feedback.md lists them. */
const POLARITY_WORDS: Record<string, Polarity> = {
  positive: 'positive',
  good: 'positive',
  great: 'positive',
  up: 'positive',
  'thumbs-up': 'positive',
  thumbs_up: 'positive',
  '👍': 'positive',
  pass: 'positive',
  correct: 'positive',
  praise: 'positive',
  keep: 'positive',
  like: 'positive',
  yes: 'positive',
  negative: 'negative',
  bad: 'negative',
  poor: 'negative',
  down: 'negative',
  'thumbs-down': 'negative',
  thumbs_down: 'negative',
  '👎': 'negative',
  fail: 'negative',
  incorrect: 'negative',
  wrong: 'negative',
  problem: 'negative',
  fix: 'negative',
  dislike: 'negative',
  no: 'negative',
};

/**
 * A polarity from the common shapes: a word (polarity, label, verdict, thumbs), a boolean
 * (thumbs_up), or a rating on a 1–5 scale (4–5 positive, 1–2 negative; 3 says neither) or 0–1
 * (≥ 0.5 positive). Returns an issue message when the value says neither.
 */
export function readPolarity(key: string, value: unknown): Polarity | { issue: string } {
  if (key === 'thumbs_up' || key === 'thumbsUp') {
    if (typeof value === 'boolean') return value ? 'positive' : 'negative';
    return { issue: `must be true or false (got ${describe(value)})` };
  }
  if (key === 'rating') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(n)) return { issue: `must be a number: 1–5, or 0–1 (got ${describe(value)})` };
    if (n >= 0 && n <= 1 && !Number.isInteger(n)) return n >= 0.5 ? 'positive' : 'negative';
    if (n === 0) return 'negative';
    if (n === 1 || n === 2) return 'negative';
    if (n === 4 || n === 5) return 'positive';
    if (n === 3) return { issue: 'a rating of 3 of 5 is neither praise nor a problem; give a polarity, or leave the record out' };
    return { issue: `must be 1–5 or between 0 and 1 (got ${n})` };
  }
  if (typeof value === 'boolean' && key === 'polarity') return value ? 'positive' : 'negative';
  if (typeof value !== 'string') return { issue: `must be a word such as positive/negative, good/bad, up/down (got ${describe(value)})` };
  const word = POLARITY_WORDS[value.trim().toLowerCase()];
  return word ?? { issue: `"${value}" is not a polarity; use positive/negative, good/bad, up/down, pass/fail or a 1–5 rating` };
}

/** Input keys kept as attributes (ids of the source system, labels), or derived and dropped. */
const EXTRA_KEYS: Record<string, string | null> = {
  id: 'externalId',
  feedback_id: 'externalId',
  insight_id: 'externalId',
  trace_label: 'traceLabel',
  question: 'question',
  schemaVersion: null,
  contradictedBy: null,
  attributes: null,
};

const SOURCE_TYPES: Record<string, FeedbackSource> = {
  human_feedback: 'human',
  human: 'human',
  llm_insight: 'llm',
  llm_feedback: 'llm',
  llm: 'llm',
  detector: 'detector',
  hook: 'hook',
};

const KNOWN_KEYS = new Set<string>([...Object.values(ALIASES).flat(), ...Object.keys(EXTRA_KEYS)]);

/** Whether `key` is a field of some accepted record shape (tells a record from a trace-id-keyed map). */
export function isRecordKey(key: string): boolean {
  return KNOWN_KEYS.has(key);
}

/** The result: a finished record, or the issues that stop it. */
export type NormalizeResult = { record: Feedback; issues: [] } | { record: null; issues: FieldIssue[] };

/** Converts one input record; never throws, so every bad record of a file can be reported together. */
export function normalizeFeedback(raw: unknown, ctx: NormalizeContext): NormalizeResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { record: null, issues: [{ key: '(record)', message: `expected an object, got ${describe(raw)}` }] };
  }
  const input = raw as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  const used: Partial<Record<keyof Feedback, string>> = {};
  const attributes: Record<string, unknown> = {};

  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) issues.push({ key, message: `unknown field (accepted: ${[...KNOWN_KEYS].sort().join(', ')})` });
  }
  const pick = (field: keyof typeof ALIASES): { key: string; value: unknown } | undefined => {
    for (const key of ALIASES[field]) if (input[key] !== undefined && input[key] !== null) return { key, value: input[key] };
    return undefined;
  };
  const pickString = (field: keyof typeof ALIASES, target: keyof Feedback = field as keyof Feedback): string | undefined => {
    const found = pick(field);
    if (!found) return undefined;
    used[target] = found.key;
    if (typeof found.value !== 'string') {
      issues.push({ key: found.key, message: `must be a string (got ${describe(found.value)})` });
      return undefined;
    }
    return found.value;
  };
  const pickList = (field: 'evidence' | 'requiredObservations' | 'prohibitedClaims' | 'observations'): string[] => {
    const found = pick(field);
    if (!found) return [];
    if (field !== 'observations') used[field] = found.key;
    const list = Array.isArray(found.value) ? found.value : [found.value];
    const out: string[] = [];
    list.forEach((item, i) => {
      if (typeof item === 'string') out.push(item);
      else
        issues.push({
          key: Array.isArray(found.value) ? `${found.key}[${i}]` : found.key,
          message: `must be a string or a list of strings (got ${describe(item)})`,
        });
    });
    return out;
  };

  // Trace id: the record's own, else the key it was filed under, else --trace.
  const ownTrace = pickString('traceId');
  if (ownTrace !== undefined && ctx.keyTraceId !== undefined && ownTrace !== ctx.keyTraceId) {
    issues.push({ key: used.traceId!, message: `"${ownTrace}" differs from the key it is filed under ("${ctx.keyTraceId}")` });
  }
  const traceId = ownTrace ?? ctx.keyTraceId ?? ctx.defaultTraceId;
  if (traceId === undefined && !used.traceId)
    issues.push({ key: 'trace_id', message: 'required (give it in the record, key the file by trace id, or pass --trace)' });

  const source = readSource(pick('source'), pick('sourceType'), ctx.defaultSource, issues, used);
  const category = pickString('category') ?? (isInsight(input) ? 'llm_insight' : undefined);

  let polarity: Polarity | undefined;
  const polarityField = pick('polarity');
  if (polarityField) {
    const read = readPolarity(polarityField.key, polarityField.value);
    if (typeof read === 'string') polarity = read;
    else issues.push({ key: polarityField.key, message: read.issue });
  }
  if (ctx.defaultPolarity !== undefined && polarity === undefined) polarity = ctx.defaultPolarity;

  // Praise has no severity of its own: it weighs like a medium finding unless the record says otherwise.
  const cookbookShape = ['theme', 'summary', 'required_observations', 'prohibited_claims', 'observations'].some((k) => k in input) || polarity === 'positive';
  const severityText = pickString('severity');
  let severity: Severity | undefined;
  if (severityText !== undefined) {
    const lower = severityText.trim().toLowerCase();
    if ((SEVERITIES as readonly string[]).includes(lower)) severity = lower as Severity;
    else issues.push({ key: used.severity!, message: `must be one of ${SEVERITIES.join(', ')} (got "${severityText}")` });
  } else if (!used.severity) {
    if (cookbookShape) severity = 'medium';
    else issues.push({ key: 'severity', message: `required: one of ${SEVERITIES.join(', ')}` });
  }

  const finalCategory = category ?? (polarity === 'positive' ? 'praised' : undefined);
  if (finalCategory === undefined && !used.category) issues.push({ key: 'category', message: 'required (category, or the cookbook theme)' });

  const requiredObservations = pickList('requiredObservations');
  const prohibitedClaims = pickList('prohibitedClaims');
  const observations = pickList('observations');
  let observation = pickString('observation');
  if (observation === undefined && !used.observation) {
    if (observations.length > 0) {
      observation = observations.join('\n');
      used.observation = 'observations';
    } else if (requiredObservations.length > 0) {
      observation = `Required: ${requiredObservations.join('; ')}`;
    } else {
      issues.push({ key: 'observation', message: 'required (observation, or the cookbook summary)' });
    }
  }
  const evidence = pickList('evidence');

  const createdText = pickString('createdAt');
  let createdAt = ctx.now;
  if (createdText !== undefined) {
    const ms = Date.parse(createdText);
    if (Number.isNaN(ms)) issues.push({ key: used.createdAt!, message: `must be an ISO-8601 time (got "${createdText}")` });
    else createdAt = new Date(ms).toISOString();
  }
  const spanId = pickString('spanId');
  const author = pickString('author') ?? ctx.defaultAuthor;
  const verifiedBy = pickString('verifiedBy');
  const statusText = pickString('status');
  const status = readStatus(statusText, source, verifiedBy, issues, used);

  const native = input.schemaVersion !== undefined && typeof input.id === 'string' && input.id !== '';
  for (const [key, target] of Object.entries(EXTRA_KEYS)) {
    if (target && input[key] !== undefined && !(native && key === 'id')) attributes[target] = input[key];
  }
  if (typeof input.attributes === 'object' && input.attributes !== null && !Array.isArray(input.attributes)) Object.assign(attributes, input.attributes);
  // Values that lost to an alias (theme beside category, summary beside observation) are kept, not dropped.
  for (const field of ['category', 'observation'] as const) {
    for (const key of ALIASES[field]) if (key !== used[field] && input[key] !== undefined) attributes[key] = input[key];
  }

  // The raw rating / label stays with the record; the polarity field holds what it means.
  if (polarityField && polarityField.key !== 'polarity') attributes[polarityField.key] = polarityField.value;
  if (issues.length > 0 || traceId === undefined || finalCategory === undefined || severity === undefined || observation === undefined) {
    return { record: null, issues };
  }
  const draft: FeedbackDraft = {
    traceId,
    ...(spanId !== undefined ? { spanId } : {}),
    source,
    author,
    category: finalCategory,
    severity,
    observation,
    evidence,
    requiredObservations,
    prohibitedClaims,
    status,
    ...(polarity === 'positive' ? { polarity } : {}),
    ...(verifiedBy !== undefined ? { verifiedBy } : {}),
    createdAt,
    attributes,
  };
  const finished = finishFeedback(draft, ctx.redactor);
  // A record in our own stored format keeps its id, so re-importing an exported store adds nothing
  // (detector ids hash the detector and span, not the content, and would not be recomputed alike).
  const record = native ? { ...finished, id: input.id as string } : finished;
  const checked = FeedbackSchema.safeParse(record);
  if (!checked.success) {
    return {
      record: null,
      issues: checked.error.issues.map((issue) => {
        const [field, ...rest] = issue.path.map(String);
        const key = used[field as keyof Feedback] ?? field ?? '(record)';
        return { key: rest.length > 0 ? `${key}[${rest.join('].[')}]` : key, message: issue.message };
      }),
    };
  }
  return { record: checked.data, issues: [] };
}

function readSource(
  own: { key: string; value: unknown } | undefined,
  type: { key: string; value: unknown } | undefined,
  fallback: FeedbackSource,
  issues: FieldIssue[],
  used: Partial<Record<keyof Feedback, string>>,
): FeedbackSource {
  if (own) {
    used.source = own.key;
    const parsed = FeedbackSourceSchema.safeParse(own.value);
    if (parsed.success) return parsed.data;
    issues.push({ key: own.key, message: `must be one of ${FeedbackSourceSchema.options.join(', ')} (got ${describe(own.value)})` });
    return fallback;
  }
  if (type) {
    used.source = type.key;
    const mapped = typeof type.value === 'string' ? SOURCE_TYPES[type.value] : undefined;
    if (mapped) return mapped;
    issues.push({ key: type.key, message: `must be one of ${Object.keys(SOURCE_TYPES).join(', ')} (got ${describe(type.value)})` });
  }
  return fallback;
}

function readStatus(
  text: string | undefined,
  source: FeedbackSource,
  verifiedBy: string | undefined,
  issues: FieldIssue[],
  used: Partial<Record<keyof Feedback, string>>,
): FeedbackStatus {
  const allowed: FeedbackStatus[] = ['active', 'unverified', 'contradicted', 'rejected'];
  if (text !== undefined) {
    if ((allowed as string[]).includes(text)) return text as FeedbackStatus;
    issues.push({ key: used.status!, message: `must be one of ${allowed.join(', ')} (got "${text}")` });
  }
  // An LLM record counts at LLM weight until a human accepts it.
  return source === 'llm' && verifiedBy === undefined ? 'unverified' : 'active';
}

function isInsight(input: Record<string, unknown>): boolean {
  return 'insight_id' in input || input.source_type === 'llm_insight' || Array.isArray(input.observations);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
