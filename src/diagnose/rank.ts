// The deterministic ranker: cluster the evidence by what the traces show, find the component that
// could have prevented each cluster, and score the change by who reported the problem and how
// badly, how widely it occurred, how fast the layer catches it and what it costs. Pure.
import type { Feedback, FeedbackWeights, Severity } from '../schema/feedback.js';
import { LAYERS, type Layer, type Recommendation } from '../schema/diagnosis.js';
import type { HarnessModel } from '../schema/harness.js';
import type { LedgerEntry } from '../schema/ledger.js';
import type { Trace } from '../schema/trace.js';
import { stableId } from '../util/hash.js';
import { clusterEvidence, describeSignature, type Cluster, type TestOutcomeForDiagnosis } from './clusters.js';
import { remediesFor, type Candidate } from './remedies.js';
import { cutQuote } from './words.js';

export type { TestOutcomeForDiagnosis } from './clusters.js';

export interface RankInput {
  traces: readonly Trace[];
  feedback: readonly Feedback[];
  tests: readonly TestOutcomeForDiagnosis[];
  harness: HarnessModel;
  weights: FeedbackWeights;
  /** The edit guard's allow-list: where a change may write. */
  allow: readonly string[];
  /** Cycles already run; a change whose verdict was not `improved` is not proposed again as is. */
  ledger?: readonly LedgerEntry[];
}

/**
 * Severity grows geometrically so that one critical finding outweighs any pile of low ones:
 * a cluster's weight is at most twice its strongest record and breadth at most triples it.
 */
export const SEVERITY_FACTOR: Record<Severity, number> = { low: 1, medium: 3, high: 9, critical: 27 };
/** Cost divisor per effort size. */
export const EFFORT_COST = { S: 1, M: 1.5, L: 2 } as const;
/** Faster layers score higher: a setting or hook acts in milliseconds, a review takes hours. */
export const LAYER_SPEED: Record<Layer, number> = { runtime: 1.5, hook: 1.5, 'pre-commit': 1.3, ci: 1.15, review: 1, loop: 0.9 };
/** A change the ledger shows did not help keeps a quarter of its score. */
export const DEMOTION = 0.25;
const SOURCE_LAYER: Record<Feedback['source'], Layer> = { hook: 'hook', detector: 'ci', human: 'review', llm: 'loop' };
/** What a failing test or a harness incident nobody wrote up counts for: a low detector finding. */
const UNREPORTED = 0.8;

/** What a record counts for: human > detector/hook > checked LLM > unverified LLM (0). */
export function diagnosisWeight(record: Feedback, weights: FeedbackWeights): number {
  if (record.status === 'contradicted' || record.status === 'rejected' || record.status === 'unverified') return 0;
  const base = record.source === 'llm' && record.verifiedBy !== undefined ? weights.human : weights[record.source];
  return base * SEVERITY_FACTOR[record.severity];
}

/** The strongest record plus a tenth of the rest, capped at twice the strongest. */
export function clusterWeight(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const max = Math.max(...values);
  const rest = values.reduce((a, b) => a + b, 0) - max;
  return max + Math.min(max, rest * 0.1);
}

/** 1 for one trace, growing with the log of traces and failing tests, at most 3. */
export function breadthFactor(traces: number, failingTests: number): number {
  return Math.min(3, 1 + Math.log2(Math.max(1, traces + failingTests)));
}

function slowest(a: Layer, b: Layer): Layer {
  return LAYERS.indexOf(a) >= LAYERS.indexOf(b) ? a : b;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** The evidence weight of a cluster, with the parts the score needs. */
export function scoreCluster(c: Cluster, weights: FeedbackWeights): { weight: number; breadth: number; motivating: Layer } {
  const values = [
    ...c.feedback.map((f) => diagnosisWeight(f, weights)),
    ...(c.feedback.length === 0 ? c.incidents.map(() => UNREPORTED * SEVERITY_FACTOR.low) : []),
    ...c.failing.filter((t) => !(t.feedbackIds ?? []).some((id) => c.feedback.some((f) => f.id === id))).map(() => UNREPORTED),
  ];
  const motivating = c.feedback.length ? c.feedback.reduce<Layer>((l, f) => slowest(l, SOURCE_LAYER[f.source]), 'hook') : 'ci';
  return { weight: clusterWeight(values), breadth: breadthFactor(c.traceIds.size, new Set(c.failing.map((t) => t.id)).size), motivating };
}

export function recommendationId(c: Cluster, candidate: Candidate): string {
  return stableId('rec_', c.key, candidate.key);
}

/** The ledger's last word on each recommendation id. */
function triedWithoutImprovement(ledger: readonly LedgerEntry[]): Map<string, LedgerEntry> {
  const out = new Map<string, LedgerEntry>();
  for (const e of ledger) {
    if (e.verdict === 'improved') out.delete(e.recommendation.id);
    else out.set(e.recommendation.id, e);
  }
  return out;
}

/** "N failing tests rest on this evidence": what the evidence supports, not a promise. */
export function impactSummary(failing: number, feedback: number, traces: number): string {
  if (failing > 0) return `${failing} failing test${failing === 1 ? '' : 's'} rest${failing === 1 ? 's' : ''} on this evidence`;
  return `no failing test rests on this evidence yet; ${feedback} feedback record(s) on ${traces} trace(s)`;
}

/** Builds a recommendation from a cluster and the remedy chosen for it. */
export function toRecommendation(
  c: Cluster,
  candidate: Candidate,
  score: { weight: number; breadth: number; motivating: Layer },
  signature: string,
  totalFailing: number,
  demotion?: Recommendation['demotion'],
): Recommendation {
  const failingIds = [...new Set(c.failing.map((t) => t.id))].sort();
  const value = (score.weight * score.breadth * LAYER_SPEED[candidate.layer]) / EFFORT_COST[candidate.effort.size];
  const quotes = [
    ...c.feedback.flatMap((f) =>
      f.evidence.slice(0, 1).map((text) => ({ source: f.spanId ? `${f.traceId}#${f.spanId}` : f.traceId, text: cutQuote(text, 240) })),
    ),
    ...c.incidents.slice(0, 2).map((i) => ({ source: `${i.traceId}#${i.spanId}`, text: cutQuote(i.text, 240) })),
    ...c.failing.flatMap((t) => (t.reasons ?? []).slice(0, 1).map((text) => ({ source: t.id, text: cutQuote(text, 240) }))),
  ].slice(0, 6);
  const spans = [
    ...c.incidents.map((i) => ({ traceId: i.traceId, spanId: i.spanId })),
    ...c.feedback.filter((f) => f.spanId).map((f) => ({ traceId: f.traceId, spanId: f.spanId! })),
  ];
  const uniqueSpans = [...new Map(spans.map((s) => [`${s.traceId}#${s.spanId}`, s])).values()];
  return {
    id: recommendationId(c, candidate),
    rank: 0,
    title: candidate.title,
    category: [...c.categories].sort().join(', ') || c.errorClass || c.problem || 'eval_failure',
    target: candidate.target,
    ruleStatus: candidate.ruleStatus,
    harnessQuotes: candidate.harnessQuotes,
    change: candidate.change,
    files: candidate.files,
    evidence: { traceIds: [...c.traceIds].sort(), feedbackIds: [...new Set(c.feedback.map((f) => f.id))].sort(), failingTestIds: failingIds, quotes },
    impact: {
      failingTestsFixed: failingIds.length,
      failingTestsTotal: totalFailing,
      feedbackCount: c.feedback.length,
      summary: impactSummary(failingIds.length, c.feedback.length, c.traceIds.size),
    },
    effort: candidate.effort,
    layer: candidate.layer,
    motivatingLayer: score.motivating,
    weight: round(score.weight),
    score: round(demotion ? value * DEMOTION : value),
    signature,
    spans: uniqueSpans,
    origin: 'deterministic',
    ...(candidate.speedNote && (candidate.target === 'agents-md-rule' || candidate.target === 'skill-body' || candidate.target === 'skill-description')
      ? { speedNote: candidate.speedNote }
      : {}),
    ...(demotion ? { demotion } : {}),
  };
}

/** Sorts by score (ties: faster layer, then id) and numbers the ranks. */
export function rankOrder(recs: readonly Recommendation[]): Recommendation[] {
  return [...recs]
    .sort((a, b) => b.score - a.score || LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer) || a.id.localeCompare(b.id))
    .map((r, i) => ({ ...r, rank: i + 1 }));
}

export interface RankedDiagnosis {
  recommendations: Recommendation[];
  clusters: Cluster[];
}

/** Clusters the evidence, picks a remedy per cluster (skipping ones the ledger saw fail), ranks. */
export function rankRecommendations(input: RankInput): RankedDiagnosis {
  const traceIds = new Set(input.traces.map((t) => t.id));
  const counted = input.feedback.filter((f) => traceIds.has(f.traceId) && diagnosisWeight(f, input.weights) > 0);
  const failing = input.tests.filter((t) => !t.pass);
  const names = {
    mcpServers: [...new Set(input.harness.config.flatMap((c) => c.mcpServers.map((s) => s.name)))],
    hooks: input.harness.hooks.filter((h) => h.owner === 'team').map((h) => ({ command: h.command, event: h.event })),
  };
  const { clusters, activities } = clusterEvidence({ traces: input.traces, feedback: counted, failing, names });
  const tried = triedWithoutImprovement(input.ledger ?? []);
  const recs: Recommendation[] = [];
  for (const c of clusters) {
    const candidates = remediesFor(c, { harness: input.harness, activities, allow: input.allow });
    if (candidates.length === 0) continue;
    const score = scoreCluster(c, input.weights);
    if (score.weight === 0) continue;
    const signature = describeSignature(c, activities);
    const fresh = candidates.find((cand) => !tried.has(recommendationId(c, cand)));
    const failedBefore = candidates.map((cand) => tried.get(recommendationId(c, cand))).find((e) => e !== undefined);
    if (fresh) {
      const demotion = failedBefore
        ? {
            recommendationId: failedBefore.recommendation.id,
            cycle: failedBefore.cycle,
            verdict: failedBefore.verdict,
            reason: `Cycle ${failedBefore.cycle} tried "${failedBefore.recommendation.title}" for this evidence and the verdict was ${failedBefore.verdict}; this proposal changes ${fresh.target} (${fresh.layer}) instead.`,
          }
        : undefined;
      // The fresh alternative is not itself demoted: it has not been tried.
      const rec = toRecommendation(c, fresh, score, signature, failing.length);
      recs.push(demotion ? { ...rec, demotion, change: `${demotion.reason}\n${rec.change}` } : rec);
    } else {
      const first = candidates[0]!;
      const entry = tried.get(recommendationId(c, first))!;
      recs.push(
        toRecommendation(c, first, score, signature, failing.length, {
          recommendationId: entry.recommendation.id,
          cycle: entry.cycle,
          verdict: entry.verdict,
          reason: `Every remedy for this evidence was tried; cycle ${entry.cycle} came out ${entry.verdict}. Demoted until new evidence arrives.`,
        }),
      );
    }
  }
  return { recommendations: rankOrder(recs), clusters };
}
