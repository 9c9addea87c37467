// What `diagnose --llm` keeps of a model's proposals: only changes whose every cited id exists,
// scored from that evidence the same way as the deterministic ranker. Pure.
import { isAbsolute } from 'node:path';
import { quoteOccurs, type TraceEvidence } from '../critique/verify.js';
import type { Recommendation } from '../schema/diagnosis.js';
import type { Feedback, FeedbackWeights } from '../schema/feedback.js';
import type { LlmRecommendation } from '../schema/llm-diagnosis.js';
import { LAYERS } from '../schema/diagnosis.js';
import { stableId } from '../util/hash.js';
import { EFFORT_COST, LAYER_BONUS, diagnosisWeight, type HarnessFile, type TestOutcomeForDiagnosis } from './rank.js';

/** Everything an LLM proposal may cite, and what scoring needs. */
export interface LlmEvidenceContext {
  /** Every trace in the store, indexed for quotes. */
  traces: ReadonlyMap<string, TraceEvidence>;
  feedback: ReadonlyMap<string, Feedback>;
  /** Tests that fail in the latest results, by id. */
  failing: ReadonlyMap<string, TestOutcomeForDiagnosis>;
  harness: readonly HarnessFile[];
  weights: FeedbackWeights;
}

/** Why a proposal cannot be used, or undefined: every cited id must exist and the files stay in the workspace. */
export function checkLlmRecommendation(rec: LlmRecommendation, context: LlmEvidenceContext): string | undefined {
  const { traceIds, feedbackIds, failingTestIds } = rec.evidence;
  if (traceIds.length + feedbackIds.length + failingTestIds.length === 0) return 'cites no evidence (no trace, feedback or failing test id)';
  const unknown = [
    ...traceIds.filter((id) => !context.traces.has(id)).map((id) => `trace "${id}"`),
    ...feedbackIds.filter((id) => !context.feedback.has(id)).map((id) => `feedback "${id}"`),
    ...failingTestIds.filter((id) => !context.failing.has(id)).map((id) => `failing test "${id}"`),
  ];
  if (unknown.length > 0) return `unknown ${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''}`;
  const outside = rec.files.find((f) => isAbsolute(f) || f.split(/[\\/]/).includes('..'));
  if (outside !== undefined) return `file "${outside}" is outside the workspace`;
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

/** A checked proposal as a recommendation, with impact, weight and score from the evidence it cites. */
export function scoreLlmRecommendation(rec: LlmRecommendation, context: LlmEvidenceContext): Recommendation {
  const feedback = [...new Set(rec.evidence.feedbackIds)].map((id) => context.feedback.get(id)!);
  const failingIds = [...new Set(rec.evidence.failingTestIds)].sort();
  const traceIds = [...new Set([...rec.evidence.traceIds, ...feedback.map((f) => f.traceId)])].filter((id) => context.traces.has(id)).sort();
  const totalFailing = context.failing.size;
  const totalTraces = Math.max(1, context.traces.size);
  const fixed = failingIds.length;
  const impactRatio = totalFailing > 0 ? fixed / totalFailing : traceIds.length / totalTraces;
  const impact = Math.max(impactRatio, traceIds.length / totalTraces / 4);
  // Only the evidence weighs: a proposal backed by nothing that counts scores 0 and ranks last.
  const weight = feedback.reduce((sum, f) => sum + diagnosisWeight(f, context.weights), 0) + fixed * 0.5;
  const score = (impact * weight * LAYER_BONUS[rec.layer]) / EFFORT_COST[rec.effort.size];
  return {
    id: stableId('rec_llm_', rec.category, rec.target, rec.change),
    rank: 0,
    title: rec.title,
    category: rec.category,
    target: rec.target,
    ruleStatus: rec.ruleStatus,
    harnessQuotes: [],
    change: rec.change,
    files: rec.files,
    evidence: { traceIds, feedbackIds: feedback.map((f) => f.id).sort(), failingTestIds: failingIds, quotes: checkedQuotes(rec, context) },
    impact: {
      failingTestsFixed: fixed,
      failingTestsTotal: totalFailing,
      feedbackCount: feedback.length,
      summary: totalFailing > 0 ? `fixes ${fixed} of ${totalFailing} failing tests` : `addresses ${feedback.length} feedback record(s) on ${traceIds.length} trace(s)`,
    },
    effort: rec.effort,
    layer: rec.layer,
    motivatingLayer: 'loop',
    weight: round(weight),
    score: round(score),
  };
}

/** Deterministic and LLM recommendations in one ranking (a repeated id keeps its first copy). */
export function mergeRecommendations(deterministic: readonly Recommendation[], llm: readonly Recommendation[]): Recommendation[] {
  const seen = new Set<string>();
  const all = [...deterministic, ...llm].filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
  all.sort((a, b) => b.score - a.score || LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer) || a.id.localeCompare(b.id));
  return all.map((r, i) => ({ ...r, rank: i + 1 }));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
