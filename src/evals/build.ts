/**
 * `evals build` as a pure function: feedback + traces + the existing suite → the new suite text
 * and a summary. One test per feedback cluster (same trace task + same category).
 */
import { effectiveWeight } from '../feedback/store.js';
import type { Config } from '../schema/config.js';
import { SEVERITIES, type Feedback, type FeedbackSource, type Severity } from '../schema/feedback.js';
import type { Trace } from '../schema/trace.js';
import { InputError } from '../errors.js';
import { stableId } from '../util/hash.js';
import {
  checkAssertionTypes,
  generateAssertions,
  isTraceAssertion,
  keepRubric,
  LEGACY_OBSERVATION_RUBRIC,
  rubricHash,
  type GeneratedAssertion,
  type GenerationRecord,
  type SuiteAssertion,
} from './assertions.js';
import type { RubricVerdict } from '../schema/eval-suite.js';
import { answerHash } from './verdicts.js';
import { mergeSuite, type MergeStats } from './ratchet.js';
import { protectDeep, unprotectText } from './template-safe.js';

/** What the build needs of a trace; spans are never held. */
export interface TraceInfo {
  id: string;
  task: string | null;
  /** End (or start) time, to pick the newest answer to a task. */
  time: string | null;
  hasAnswer: boolean;
  /** The final answer, kept only for traces that praise is about (keep tests check against it). */
  answer?: string | null;
}

/** The light view of a trace the build keeps. */
export function toTraceInfo(trace: Trace): TraceInfo {
  return { id: trace.id, task: trace.task, time: trace.endTime ?? trace.startTime, hasAnswer: trace.finalAnswer !== null };
}

/** The light view plus the answer, for traces that praise is about. */
export function toTraceInfoWithAnswer(trace: Trace): TraceInfo {
  return { ...toTraceInfo(trace), answer: trace.finalAnswer };
}

/** Everything `buildEvalSuite` reads. */
export interface BuildInput {
  feedback: readonly Feedback[];
  traces: readonly TraceInfo[];
  /** The current suite text, or null when there is none. */
  existing: string | null;
  /** Ids removed by `evals prune`; never generated again. */
  prunedIds: ReadonlySet<string>;
  /** The cycle new tests are added in. */
  cycle: number;
  /** Weights and required sections. */
  config: Pick<Config, 'feedback'>;
  /** Threshold for generated llm-rubric assertions. */
  rubricThreshold: number;
  /** The suite's path, for messages. */
  file: string;
}

/** A generated test with what the ratchet needs to merge it. */
export interface GeneratedTest {
  id: string;
  /** The test as written (protected from templating). */
  test: Record<string, unknown>;
  assertions: GeneratedAssertion[];
  /** Sort key for new tests: heavier and more severe first. */
  weight: number;
  severity: Severity;
}

/** What a build did, for the command to print. */
export interface BuildSummary {
  cycle: number;
  tests: MergeStats & { total: number };
  clusters: number;
  feedback: { total: number; used: number; inactive: number; unknownTrace: string[] };
  /** Tests whose every assertion needs a judge: no deterministic floor. */
  rubricOnly: { id: string; description: string }[];
  /** Clusters not generated because their test was pruned. */
  skippedPruned: string[];
  /** Deterministic / rubric assertion counts over the generated tests. */
  assertions: Record<string, number>;
  /** Trace assertions among them, by check (noFailedCommands, …). */
  traceChecks: Record<string, number>;
  /** Tests from detector or hook findings that still hold a rubric an older build generated (a judge cannot see the process). */
  processRubrics: { id: string; description: string }[];
}

/** The suite text and the summary. */
export interface BuildOutput {
  text: string;
  summary: BuildSummary;
  /** Praise is a human verdict: each keep rubric passes on the answer it praises (appended to the verdict store). */
  praiseVerdicts: RubricVerdict[];
}

/** The header of a new suite: the replay provider and the offline grader, both copied into providers/. */
export function suiteHeader(): Record<string, unknown> {
  return {
    description: 'harness-loop eval suite: one test per feedback cluster (trace task + category)',
    prompts: ['{{task}}'],
    providers: [{ id: 'file://providers/replay-provider.mjs', label: 'replay', config: { traceStore: '../traces/traces.jsonl' } }],
    defaultTest: {
      options: { provider: { id: 'file://providers/replay-grader.mjs', label: 'replay-grader', config: { verdicts: 'rubric-verdicts.jsonl' } } },
    },
    sharing: false,
  };
}

/** Builds the suite: clusters feedback, generates tests, merges them into the existing suite. */
export function buildEvalSuite(input: BuildInput): BuildOutput {
  const { clusters, stats } = clusterFeedback(input);
  const generated: GeneratedTest[] = [];
  const skippedPruned: string[] = [];
  const assertionCounts: Record<string, number> = {};
  const traceChecks: Record<string, number> = {};
  const praiseVerdicts: RubricVerdict[] = [];
  // Answers are kept only for praised traces (build-stage reads them for those alone).
  const answers = new Map(input.traces.filter((t) => t.answer !== undefined).map((t) => [t.id, t.answer ?? null]));
  for (const cluster of clusters) {
    if (input.prunedIds.has(cluster.id)) {
      skippedPruned.push(cluster.id);
      continue;
    }
    const test = generateTest(cluster, input, answers);
    // A finding no check can see (an unknown detector) makes no test rather than a guess.
    if (test.assertions.length === 0) continue;
    for (const a of test.assertions) {
      assertionCounts[a.assertion.type] = (assertionCounts[a.assertion.type] ?? 0) + 1;
      if (isTraceAssertion(a.assertion)) {
        const check = String(a.assertion.value).split(':').at(-1)!;
        traceChecks[check] = (traceChecks[check] ?? 0) + 1;
      }
    }
    generated.push(test);
    praiseVerdicts.push(...test.praiseVerdicts);
  }
  generated.sort((a, b) => b.weight - a.weight || SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || (a.id < b.id ? -1 : 1));

  const merged = mergeSuite({ existing: input.existing, generated, header: suiteHeader(), cycle: input.cycle, file: input.file });
  const problems = checkAssertionTypes({ defaultTest: merged.defaultTest, tests: merged.tests });
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).map((p) => `  ${p.message}`);
    throw new InputError(
      `${problems.length} assertion(s) Promptfoo cannot run; fix them in the suite, then rebuild:\n${shown.join('\n')}`,
      input.file,
      undefined,
      'evals.assertion-type',
    );
  }
  const rubricOnly = merged.tests.filter(isRubricOnly).map((t) => ({ id: testIdOf(t), description: String(t.description ?? '') }));
  const processRubrics = merged.tests.filter(holdsProcessRubric).map((t) => ({ id: testIdOf(t), description: String(t.description ?? '') }));
  return {
    text: merged.text,
    summary: {
      cycle: input.cycle,
      tests: { ...merged.stats, total: merged.tests.length },
      clusters: clusters.length,
      feedback: stats,
      rubricOnly,
      skippedPruned,
      assertions: assertionCounts,
      traceChecks,
      processRubrics,
    },
    praiseVerdicts,
  };
}

interface Cluster {
  id: string;
  category: string;
  task: string | null;
  records: { record: Feedback; weight: number }[];
  traceIds: string[];
  /** The trace whose answer the test replays: the newest answer to the same task. */
  replayTraceId: string;
  /** A keep test (from praise). */
  keep: boolean;
}

function normalizeTask(task: string): string {
  return task.replace(/\s+/g, ' ').trim().toLowerCase();
}

function clusterFeedback(input: BuildInput): { clusters: Cluster[]; stats: BuildSummary['feedback'] } {
  const traces = new Map<string, TraceInfo>();
  const newestForTask = new Map<string, TraceInfo>();
  for (const t of input.traces) {
    traces.set(t.id, t);
    if (t.task === null || !t.hasAnswer) continue;
    const key = normalizeTask(t.task);
    const current = newestForTask.get(key);
    if (!current || (t.time ?? '') > (current.time ?? '') || ((t.time ?? '') === (current.time ?? '') && t.id > current.id)) newestForTask.set(key, t);
  }
  const stats: BuildSummary['feedback'] = { total: input.feedback.length, used: 0, inactive: 0, unknownTrace: [] };
  const clusters = new Map<string, Cluster>();
  const ordered = [...input.feedback].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const record of ordered) {
    const weight = effectiveWeight(record, input.config);
    // An LLM observation that failed the evidence check (or that no human accepted) never becomes a test.
    const unverifiedLlm = record.source === 'llm' && record.status === 'unverified' && record.verifiedBy === undefined;
    if (weight <= 0 || unverifiedLlm || (record.status !== 'active' && record.status !== 'unverified')) {
      stats.inactive++;
      continue;
    }
    const trace = traces.get(record.traceId);
    if (!trace) {
      stats.unknownTrace.push(record.id);
      continue;
    }
    stats.used++;
    const taskKey = trace.task !== null && trace.task.trim() !== '' ? `task:${normalizeTask(trace.task)}` : `trace:${trace.id}`;
    const category = record.category.trim();
    // Praise gets a test of its own: a keep test must pass on the answer a complaint test fails.
    const id = record.polarity === 'positive' ? stableId('ev-', taskKey, category.toLowerCase(), 'keep') : stableId('ev-', taskKey, category.toLowerCase());
    let cluster = clusters.get(id);
    if (!cluster) {
      const newest = trace.task !== null ? newestForTask.get(normalizeTask(trace.task)) : undefined;
      cluster = { id, category, task: trace.task, records: [], traceIds: [], replayTraceId: newest?.id ?? trace.id, keep: record.polarity === 'positive' };
      clusters.set(id, cluster);
    }
    cluster.records.push({ record, weight });
    if (!cluster.traceIds.includes(trace.id)) cluster.traceIds.push(trace.id);
  }
  return { clusters: [...clusters.values()], stats };
}

function generateTest(cluster: Cluster, input: BuildInput, answers: ReadonlyMap<string, string | null>): GeneratedTest & { praiseVerdicts: RubricVerdict[] } {
  const options = { requiredSections: input.config.feedback.requiredSections, rubricThreshold: input.rubricThreshold };
  const praiseVerdicts: RubricVerdict[] = [];
  const records: GenerationRecord[] = cluster.records.map(({ record, weight }) => {
    const missing = record.attributes.missingSections;
    const generation: GenerationRecord = {
      category: record.category,
      observation: record.observation,
      requiredObservations: record.requiredObservations,
      prohibitedClaims: record.prohibitedClaims,
      weight,
      ...(Array.isArray(missing) && missing.every((s) => typeof s === 'string') ? { missingSections: missing as string[] } : {}),
      source: record.source,
      polarity: record.polarity ?? 'negative',
      attributes: record.attributes,
      evidence: record.evidence,
      ...(record.polarity === 'positive' ? { praisedAnswer: answers.get(record.traceId) ?? null } : {}),
    };
    const rubric = keepRubric(generation, options);
    const praised = generation.praisedAnswer;
    if (rubric !== null && typeof praised === 'string') {
      praiseVerdicts.push({
        testId: cluster.id,
        rubricHash: rubricHash(rubric),
        answerHash: answerHash(praised),
        traceId: record.traceId,
        grader: 'human',
        author: record.author,
        pass: true,
        score: 1,
        reason: `Praised in feedback ${record.id}: ${truncate(record.observation.replace(/\s+/g, ' ').trim(), 200)}`,
        recordedAt: record.createdAt,
      });
    }
    return generation;
  });
  const assertions = generateAssertions(records, options);
  const weight = Math.max(...cluster.records.map((r) => r.weight));
  const severity = cluster.records.map((r) => r.record.severity).reduce((a, b) => (SEVERITIES.indexOf(b) > SEVERITIES.indexOf(a) ? b : a));
  const sources = [...new Set(cluster.records.map((r) => r.record.source))].sort() as FeedbackSource[];
  // The heaviest record's observation names the test; ties go to the oldest.
  const lead = cluster.records.reduce((a, b) => (b.weight > a.weight ? b : a));
  const raw = {
    description: `${cluster.keep ? 'keep ' : ''}${cluster.category}: ${truncate(lead.record.observation.replace(/\s+/g, ' ').trim(), 100)}`,
    vars: {
      task: cluster.task ?? `(no task recorded for trace ${cluster.replayTraceId})`,
      trace_id: cluster.replayTraceId,
      test_id: cluster.id,
    },
    metadata: {
      testId: cluster.id,
      category: cluster.category,
      feedbackIds: cluster.records.map((r) => r.record.id),
      sources,
      weight: Math.round(weight * 1000) / 1000,
      severity,
      addedInCycle: input.cycle,
      ...(cluster.keep ? { polarity: 'positive' } : {}),
      traceIds: cluster.traceIds,
      generated: { traceId: cluster.replayTraceId, assertions: assertions.map((a) => a.key) },
    },
    assert: [] as SuiteAssertion[],
  };
  // Our trace assertions name the shipped module by `file://`, which protection would turn into text; their config is protected.
  const protectedAsserts = assertions.map((a) => ({ ...a, assertion: protectAssertion(a.assertion) }));
  const test = { ...protectDeep(raw), assert: protectedAsserts.map((a) => a.assertion) };
  return { id: cluster.id, test, assertions: protectedAsserts, weight, severity, praiseVerdicts };
}

function protectAssertion(assertion: SuiteAssertion): SuiteAssertion {
  if (!isTraceAssertion(assertion)) return protectDeep(assertion);
  const { config, ...rest } = assertion;
  return { ...rest, ...(config !== undefined ? { config: protectDeep(config) } : {}) };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const MODEL_GRADED = new Set(['llm-rubric', 'g-eval', 'factuality', 'model-graded-closedqa', 'model-graded-factuality', 'answer-relevance', 'search-rubric']);

/** True when every assertion of a test needs a judge. */
export function isRubricOnly(test: Record<string, unknown>): boolean {
  const asserts = Array.isArray(test.assert) ? (test.assert as { type?: unknown }[]) : [];
  return asserts.length > 0 && asserts.every((a) => typeof a?.type === 'string' && MODEL_GRADED.has(a.type.replace(/^not-/, '')));
}

/** True for a test built from detector or hook findings only that holds a generated observation rubric of an older build. */
function holdsProcessRubric(test: Record<string, unknown>): boolean {
  const meta = (test.metadata ?? {}) as Record<string, unknown>;
  const sources = Array.isArray(meta.sources) ? meta.sources : [];
  if (sources.length === 0 || !sources.every((s) => s === 'detector' || s === 'hook')) return false;
  const asserts = Array.isArray(test.assert) ? (test.assert as { type?: unknown; value?: unknown }[]) : [];
  return asserts.some((a) => a?.type === 'llm-rubric' && typeof a.value === 'string' && unprotectText(a.value).startsWith(LEGACY_OBSERVATION_RUBRIC));
}

/** A test's id: metadata.testId (every test in a built suite has one). */
export function testIdOf(test: Record<string, unknown>): string {
  const meta = test.metadata as Record<string, unknown> | undefined;
  return typeof meta?.testId === 'string' ? meta.testId : '';
}
