// The deterministic ranker: cluster failures, weigh them by who reported them and how badly,
// and prefer the fastest layer that can catch them. Pure: everything comes in as data.
import type { Feedback, FeedbackWeights, Severity } from '../schema/feedback.js';
import { LAYERS, type Layer, type Recommendation, type RuleStatus } from '../schema/diagnosis.js';
import { stableId } from '../util/hash.js';
import { remediesFor, type PlaybookContext, type Remedy } from './playbook.js';

/** A harness file as read from the workspace. */
export interface HarnessFile {
  path: string;
  text: string;
}

/** One test outcome, with what the suite recorded about where it came from. */
export interface TestOutcomeForDiagnosis {
  id: string;
  pass: boolean;
  category?: string;
  feedbackIds?: string[];
  traceId?: string;
  reasons?: string[];
}

export interface RankInput {
  traceIds: Set<string>;
  feedback: Feedback[];
  tests: TestOutcomeForDiagnosis[];
  harness: HarnessFile[];
  weights: FeedbackWeights;
  context: Omit<PlaybookContext, 'contradiction' | 'category' | 'observation'>;
}

const SEVERITY_FACTOR: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 5 };
/** Cost divisor per effort size. */
export const EFFORT_COST = { S: 1, M: 2, L: 4 } as const;
/** Faster layers win ties and near-ties: a hook in milliseconds beats a review in hours. */
export const LAYER_BONUS: Record<Layer, number> = { hook: 1.5, 'pre-commit': 1.3, ci: 1.15, review: 1, loop: 0.9 };
const SOURCE_LAYER: Record<Feedback['source'], Layer> = { hook: 'hook', detector: 'ci', human: 'review', llm: 'loop' };

/** What a record counts for in diagnosis: unverified LLM observations count for nothing. */
export function diagnosisWeight(record: Feedback, weights: FeedbackWeights): number {
  if (record.status === 'contradicted' || record.status === 'rejected' || record.status === 'unverified') return 0;
  const base = record.source === 'llm' && record.verifiedBy !== undefined ? weights.human : weights[record.source];
  return base * SEVERITY_FACTOR[record.severity];
}

interface Cluster {
  remedy: Remedy;
  categories: Set<string>;
  feedback: Feedback[];
  failing: TestOutcomeForDiagnosis[];
  weight: number;
}

/** The first harness line matching any pattern. */
function findLine(harness: HarnessFile[], patterns: RegExp[]): { file: string; line: number; text: string } | null {
  for (const file of harness) {
    const lines = file.text.split('\n');
    for (let i = 0; i < lines.length; i++) if (patterns.some((p) => p.test(lines[i]!))) return { file: file.path, line: i + 1, text: lines[i]! };
  }
  return null;
}

export function ruleStatusOf(remedy: Remedy, harness: HarnessFile[]): { status: RuleStatus; quote: { file: string; line: number; text: string } | null } {
  const contradiction = remedy.contradictPatterns.length ? findLine(harness, remedy.contradictPatterns) : null;
  if (contradiction) return { status: 'contradicted', quote: contradiction };
  const present = remedy.rulePatterns.length ? findLine(harness, remedy.rulePatterns) : null;
  return present ? { status: 'present-not-followed', quote: present } : { status: 'missing', quote: null };
}

function slowestFirst(a: Layer, b: Layer): Layer {
  return LAYERS.indexOf(a) >= LAYERS.indexOf(b) ? a : b;
}

/** Clusters feedback and failing tests by remedy, scores each remedy, and ranks them. */
export function rankRecommendations(input: RankInput): Recommendation[] {
  const feedbackById = new Map(input.feedback.map((f) => [f.id, f]));
  const counted = input.feedback.filter((f) => input.traceIds.has(f.traceId) && diagnosisWeight(f, input.weights) > 0);
  const failing = input.tests.filter((t) => !t.pass);
  const clusters = new Map<string, Cluster>();
  const clusterFor = (remedy: Remedy, category: string): Cluster => {
    const key = remedy.key === 'rule' ? `rule:${category}` : remedy.key;
    let c = clusters.get(key);
    if (!c) {
      c = { remedy, categories: new Set(), feedback: [], failing: [], weight: 0 };
      clusters.set(key, c);
    }
    c.categories.add(category);
    return c;
  };
  for (const record of counted) {
    for (const remedy of remediesFor(record.category)) {
      const c = clusterFor(remedy, record.category);
      c.feedback.push(record);
      c.weight += diagnosisWeight(record, input.weights);
    }
  }
  for (const test of failing) {
    const fromFeedback = (test.feedbackIds ?? []).map((id) => feedbackById.get(id)?.category).filter((c): c is string => !!c);
    const categories = new Set(fromFeedback.length ? fromFeedback : [test.category ?? 'eval_failure']);
    for (const category of categories) for (const remedy of remediesFor(category)) clusterFor(remedy, category).failing.push(test);
  }

  const totalFailing = failing.length;
  const totalTraces = Math.max(1, input.traceIds.size);
  const recs: Recommendation[] = [];
  for (const c of clusters.values()) {
    if (c.feedback.length === 0 && c.failing.length === 0) continue;
    const category = [...c.categories].sort().join(', ');
    const traceIds = [...new Set([...c.feedback.map((f) => f.traceId), ...c.failing.map((t) => t.traceId).filter((t): t is string => !!t && input.traceIds.has(t))])].sort();
    const { status, quote } = ruleStatusOf(c.remedy, input.harness);
    const ctx: PlaybookContext = {
      ...input.context,
      contradiction: status === 'contradicted' ? quote : null,
      category: [...c.categories][0]!,
      // Failing tests without feedback still say what went wrong: their assertion reasons.
      observation:
        [...c.feedback].sort((a, b) => diagnosisWeight(b, input.weights) - diagnosisWeight(a, input.weights))[0]?.observation ??
        c.failing.flatMap((t) => t.reasons ?? [])[0] ??
        `${c.failing.length} eval test(s) fail: ${c.failing.map((t) => t.id).slice(0, 3).join(', ')}`,
    };
    const fixed = new Set(c.failing.map((t) => t.id)).size;
    const impactRatio = totalFailing > 0 ? fixed / totalFailing : traceIds.length / totalTraces;
    // A cluster with feedback but no failing test still matters; give it a floor so it ranks.
    const impact = Math.max(impactRatio, traceIds.length / totalTraces / 4);
    const weight = c.weight + fixed * 0.5;
    const motivating = c.feedback.length
      ? c.feedback.reduce<Layer>((layer, f) => slowestFirst(layer, SOURCE_LAYER[f.source]), 'hook')
      : 'ci';
    const score = (impact * weight * LAYER_BONUS[c.remedy.layer]) / EFFORT_COST[c.remedy.effort.size];
    const quotes = [
      ...c.feedback.flatMap((f) => f.evidence.slice(0, 1).map((text) => ({ source: f.traceId, text }))),
      ...c.failing.flatMap((t) => (t.reasons ?? []).slice(0, 1).map((text) => ({ source: t.id, text }))),
    ].slice(0, 6);
    recs.push({
      id: stableId('rec_', c.remedy.key, category),
      rank: 0,
      title: c.remedy.title,
      category,
      target: c.remedy.target,
      ruleStatus: status,
      harnessQuotes: quote ? [{ source: quote.file, line: quote.line, text: quote.text.trim() }] : [],
      change: c.remedy.change(ctx),
      files: c.remedy.files(ctx),
      evidence: {
        traceIds,
        feedbackIds: [...new Set(c.feedback.map((f) => f.id))].sort(),
        failingTestIds: [...new Set(c.failing.map((t) => t.id))].sort(),
        quotes,
      },
      impact: {
        failingTestsFixed: fixed,
        failingTestsTotal: totalFailing,
        feedbackCount: c.feedback.length,
        summary: totalFailing > 0 ? `fixes ${fixed} of ${totalFailing} failing tests` : `addresses ${c.feedback.length} feedback record(s) on ${traceIds.length} trace(s)`,
      },
      effort: c.remedy.effort,
      layer: c.remedy.layer,
      motivatingLayer: motivating,
      weight: round(weight),
      score: round(score),
    });
  }
  recs.sort((a, b) => b.score - a.score || LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer) || a.id.localeCompare(b.id));
  return recs.map((r, i) => ({ ...r, rank: i + 1 }));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
