// What `diagnose --llm` keeps of a model's proposals: only changes whose every cited id exists and
// whose files are the team's harness files a change may edit. A kept proposal is merged with the
// deterministic cluster that holds the same evidence and scored exactly like a deterministic
// change for that cluster: no penalty, no bonus for coming from the model. Pure.
import { quoteOccurs, type TraceEvidence } from '../critique/verify.js';
import type { Recommendation } from '../schema/diagnosis.js';
import type { Feedback, FeedbackWeights } from '../schema/feedback.js';
import type { HarnessModel } from '../schema/harness.js';
import type { LlmRecommendation } from '../schema/llm-diagnosis.js';
import { stableId } from '../util/hash.js';
import type { Cluster, TestOutcomeForDiagnosis } from './clusters.js';
import type { HarnessFile } from './harness.js';
import { mayEdit } from './harness-view.js';
import { DEMOTION, EFFORT_COST, LAYER_SPEED, diagnosisWeight, impactSummary, rankOrder, scoreCluster } from './rank.js';

/** The model's top proposals per batch; more are not read. */
export const LLM_TOP = 5;

/** Everything an LLM proposal may cite, and what scoring needs. */
export interface LlmEvidenceContext {
  /** Every trace in the store, indexed for quotes. */
  traces: ReadonlyMap<string, TraceEvidence>;
  feedback: ReadonlyMap<string, Feedback>;
  /** Tests that fail in the latest results, by id. */
  failing: ReadonlyMap<string, TestOutcomeForDiagnosis>;
  /** Team harness files with their text (for quotes). */
  harness: readonly HarnessFile[];
  weights: FeedbackWeights;
  /** The harness model: which files are harness-loop's own. */
  model?: HarnessModel;
  /** The edit guard's allow-list. */
  allow?: readonly string[];
  /** Deterministic clusters, to merge with. */
  clusters?: readonly Cluster[];
  /** Recommendation ids the ledger saw fail (verdict not `improved`). */
  triedIds?: ReadonlySet<string>;
}

function harnessLoopFiles(model: HarnessModel | undefined): Set<string> {
  if (!model) return new Set();
  return new Set([...model.skills.filter((s) => s.owner === 'harness-loop').map((s) => s.file), '.harness-loop/evals/promptfooconfig.yaml']);
}

/** Why a proposal cannot be used, or undefined: every cited id must exist and every file be editable team harness. */
export function checkLlmRecommendation(rec: LlmRecommendation, context: LlmEvidenceContext): string | undefined {
  const { traceIds, feedbackIds, failingTestIds } = rec.evidence;
  if (traceIds.length + feedbackIds.length + failingTestIds.length === 0) return 'cites no evidence (no trace, feedback or failing test id)';
  const unknown = [
    ...traceIds.filter((id) => !context.traces.has(id)).map((id) => `trace "${id}"`),
    ...feedbackIds.filter((id) => !context.feedback.has(id)).map((id) => `feedback "${id}"`),
    ...failingTestIds.filter((id) => !context.failing.has(id)).map((id) => `failing test "${id}"`),
  ];
  if (unknown.length > 0) return `unknown ${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''}`;
  const own = harnessLoopFiles(context.model);
  for (const f of rec.files) {
    if (f.startsWith('/') || f.split(/[\\/]/).includes('..')) return `file "${f}" is outside the workspace`;
    if (own.has(f) || /(^|\/)\.codex\/harness-loop\//.test(f)) return `file "${f}" is harness-loop's own, never a remedy target`;
    if (context.allow && !mayEdit(f, context.allow)) return `file "${f}" is not a harness file the edit guard lets a change touch`;
  }
  return undefined;
}

/** Keeps the quotes that occur in the trace or harness file they name; the rest are dropped. */
function checkedQuotes(rec: LlmRecommendation, context: LlmEvidenceContext): { source: string; text: string }[] {
  const normalize = (t: string) => t.replace(/\s+/g, ' ').trim();
  return rec.evidence.quotes.filter((q) => {
    const trace = context.traces.get(q.source);
    if (trace) return quoteOccurs(q.text, trace);
    const file = context.harness.find((h) => h.path === q.source);
    return file !== undefined && normalize(q.text) !== '' && normalize(file.text).includes(normalize(q.text));
  });
}

/** The deterministic cluster sharing most evidence with the proposal (feedback, then failing tests, then traces). */
export function matchingCluster(rec: LlmRecommendation, clusters: readonly Cluster[]): Cluster | undefined {
  let best: { c: Cluster; n: number } | undefined;
  for (const c of clusters) {
    const n =
      rec.evidence.feedbackIds.filter((id) => c.feedback.some((f) => f.id === id)).length * 100 +
      rec.evidence.failingTestIds.filter((id) => c.failing.some((t) => t.id === id)).length * 10 +
      rec.evidence.traceIds.filter((id) => c.traceIds.has(id)).length;
    if (n > 0 && (!best || n > best.n)) best = { c, n };
  }
  return best?.c;
}

/** A checked proposal as a recommendation, scored from its cluster's evidence (or its own). */
export function scoreLlmRecommendation(rec: LlmRecommendation, context: LlmEvidenceContext): Recommendation {
  const cited = [...new Set(rec.evidence.feedbackIds)].map((id) => context.feedback.get(id)!).filter((f) => diagnosisWeight(f, context.weights) > 0);
  const failingTests = [...new Set(rec.evidence.failingTestIds)].map((id) => context.failing.get(id)!);
  const cluster = matchingCluster(rec, context.clusters ?? []);
  const own: Cluster = {
    key: `llm:${rec.title}`,
    kind: 'finding',
    categories: new Set([rec.category]),
    incidents: cluster?.incidents ?? [],
    feedback: [...new Map([...(cluster?.feedback ?? []), ...cited].map((f) => [f.id, f])).values()],
    failing: [...new Map([...(cluster?.failing ?? []), ...failingTests].map((t) => [t.id, t])).values()],
    traceIds: new Set([...(cluster?.traceIds ?? []), ...rec.evidence.traceIds.filter((id) => context.traces.has(id)), ...cited.map((f) => f.traceId)]),
  };
  const s = scoreCluster(own, context.weights);
  const id = stableId('rec_llm_', cluster?.key ?? rec.category, rec.target, [...rec.files].sort().join(','));
  const value = (s.weight * s.breadth * LAYER_SPEED[rec.layer]) / EFFORT_COST[rec.effort.size];
  const demoted = context.triedIds?.has(id) === true;
  const failingIds = own.failing.map((t) => t.id).sort();
  return {
    id,
    rank: 0,
    title: rec.title,
    category: rec.category,
    target: rec.target,
    ruleStatus: rec.ruleStatus,
    harnessQuotes: [],
    change: rec.change,
    files: rec.files,
    evidence: {
      traceIds: [...own.traceIds].sort(),
      feedbackIds: own.feedback.map((f) => f.id).sort(),
      failingTestIds: failingIds,
      quotes: checkedQuotes(rec, context),
    },
    impact: {
      failingTestsFixed: failingIds.length,
      failingTestsTotal: context.failing.size,
      feedbackCount: own.feedback.length,
      summary: impactSummary(failingIds.length, own.feedback.length, own.traceIds.size),
    },
    effort: rec.effort,
    layer: rec.layer,
    motivatingLayer: s.motivating,
    weight: Math.round(s.weight * 1000) / 1000,
    score: Math.round((demoted ? value * DEMOTION : value) * 1000) / 1000,
    ...(cluster ? { signature: `${cluster.key} (merged with the deterministic cluster)` } : {}),
    origin: 'llm',
  };
}

/**
 * Deterministic and LLM recommendations in one ranking. A model proposal that targets the same
 * component and files as the deterministic change for the same evidence is one change, marked
 * `merged`; any other proposal stands on its own score.
 */
export function mergeRecommendations(deterministic: readonly Recommendation[], llm: readonly Recommendation[]): Recommendation[] {
  const out = [...deterministic];
  const seen = new Set(out.map((r) => r.id));
  for (const r of llm) {
    if (seen.has(r.id)) continue;
    const same = out.findIndex(
      (d) =>
        d.origin !== 'llm' &&
        d.target === r.target &&
        [...d.files].sort().join() === [...r.files].sort().join() &&
        d.evidence.feedbackIds.some((id) => r.evidence.feedbackIds.includes(id)),
    );
    if (same !== -1) {
      out[same] = { ...out[same]!, origin: 'merged', score: Math.max(out[same]!.score, r.score) };
      continue;
    }
    seen.add(r.id);
    out.push(r);
  }
  return rankOrder(out);
}
