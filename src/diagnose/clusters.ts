// Clusters of evidence keyed by what the traces show. Feedback joins the cluster of the span it
// cites (or of the incident its text names); otherwise it forms a finding cluster by the problem
// its text describes and the files its trace wrote. The category is a hint, never the key. Pure.
import type { Feedback } from '../schema/feedback.js';
import type { Trace } from '../schema/trace.js';
import { activityOf, globOf, incidentsOf, type ErrorClass, type Incident, type TraceActivity } from './signatures.js';

/** What a finding is about, read from its text (category as a hint). */
export const PROBLEM_KINDS = ['forbidden', 'validation', 'structure', 'citation', 'tokens', 'blocked', 'reasoning', 'content'] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** One failing eval test with what the suite recorded about where it came from. */
export interface TestOutcomeForDiagnosis {
  id: string;
  pass: boolean;
  category?: string;
  feedbackIds?: string[];
  traceId?: string;
  reasons?: string[];
}

export interface Cluster {
  /** Stable across runs: built from the signature, never from record ids. */
  key: string;
  /** incident: a failing step; finding: a problem with the answer or the work. */
  kind: 'incident' | 'finding';
  errorClass?: ErrorClass;
  subject?: string;
  problem?: ProblemKind;
  /** Output glob the finding is about, or 'answer'. */
  scope?: string;
  categories: Set<string>;
  incidents: Incident[];
  feedback: Feedback[];
  failing: TestOutcomeForDiagnosis[];
  traceIds: Set<string>;
}

/** Classes of failure that are the harness's own (never an expected failure of a task). */
const HARNESS_CLASSES = new Set<ErrorClass>(['sandbox_denied', 'network', 'mcp_startup', 'mcp_call', 'hook_error', 'hook_slow']);

const KIND_PATTERNS: [ProblemKind, RegExp][] = [
  [
    'forbidden',
    /private key|secret|credential|password|api[ _-]?key|token (?:leak|written|exposed)|rm -rf|force[- ]push|--force|destructive|deleted? (?:the|a|all)|outside the (?:repo|workspace)|wrote .* into|must never|not allowed to/i,
  ],
  [
    'validation',
    /\bclaim(?:ed|s)?\b[^.]*\b(?:pass|passed|deploy|deployed|fixed|works?|green|done|ran)\b|without running|never ran|did not run|didn't run|not run the|tests? (?:fail|failed|failing|broke)|build (?:fail|broke)|lint (?:error|fail)|unverified claim/i,
  ],
  ['structure', /section|heading|format(?:ted)?\b|\bjson\b|schema|required field|missing field|template|structure/i],
  [
    'citation',
    /cit(?:e|es|ed|ation)|source|quote|does not (?:exist|support|say)|doesn't (?:exist|support|say)|not in the (?:doc|file)|reference|unsupported claim/i,
  ],
  ['tokens', /token (?:budget|use|usage)|runaway|context window|too many tokens/i],
  ['blocked', /blocked by .* hook|hook block|permissionDecision|denied by (?:the )?(?:guard|hook)/i],
  [
    'reasoning',
    /\bwrong\b|incorrect|logic|reasoning|shallow|misread|miscalculat|overlook|missed|careless|superficial|not think|mistake|edge case|off[- ]by[- ]one|did not consider|didn't consider|failed to consider|arithmetic|math/i,
  ],
];

/** The problem a feedback record describes. */
export function problemKindOf(record: Pick<Feedback, 'category' | 'observation' | 'evidence' | 'prohibitedClaims' | 'requiredObservations'>): ProblemKind {
  const text = [record.observation, record.category.replace(/_/g, ' '), ...record.prohibitedClaims].join('\n');
  for (const [kind, re] of KIND_PATTERNS) if (re.test(text)) return kind;
  const hint = record.category.toLowerCase();
  if (/section/.test(hint)) return 'structure';
  if (/citation|artifact|claim/.test(hint)) return 'citation';
  return 'content';
}

/** Words in feedback text that name an incident of the same trace: its subject, or its class. */
function mentions(text: string, incident: Incident): boolean {
  const t = text.toLowerCase();
  const subject = incident.subject.replace(/^(?:mcp|hook|host):/, '').toLowerCase();
  if (subject.length >= 3 && t.includes(subject)) return true;
  const byClass: Partial<Record<ErrorClass, RegExp>> = {
    network: /network|offline|internet|dns|could not (?:reach|download|fetch)/,
    sandbox_denied: /sandbox|permission denied|not permitted|read-only/,
    mcp_startup: /\bmcp\b/,
    mcp_call: /\bmcp\b/,
    hook_error: /\bhook\b/,
    hook_slow: /\bhook\b.*(?:slow|latenc|took)/,
  };
  return byClass[incident.errorClass]?.test(t) ?? false;
}

/** Harness components feedback text may name: MCP servers and the team's hooks. */
export interface HarnessNames {
  mcpServers: string[];
  hooks: { command: string; event: string }[];
}

/**
 * The harness failure a record's text names when no span shows it (Codex does not record hook runs,
 * and MCP start-up failures reach rollouts only as later failed calls): an MCP server, a hook, the
 * network, the sandbox. Only for text that names no other kind of problem.
 */
export function namedByText(text: string, names: HarnessNames): { errorClass: ErrorClass; subject: string } | null {
  const t = text.toLowerCase();
  const word = (w: string) => new RegExp(`(^|[^\\w-])${w.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w-]|$)`).test(t);
  const server = names.mcpServers.find((n) => n.length >= 3 && word(n));
  if (server || /\bmcp\b/.test(t)) {
    const name = server ?? (names.mcpServers.length === 1 ? names.mcpServers[0]! : 'unknown');
    return { errorClass: /start|launch|handshake|initiali[sz]|spawn|connect/.test(t) ? 'mcp_startup' : 'mcp_call', subject: `mcp:${name}` };
  }
  if (/\bhooks?\b/.test(t)) {
    const slow = /slow|latenc|took \d|\d+(?:\.\d+)?\s?(?:s|sec|seconds|ms)\b|timeout|timed out|hang|lag/.test(t);
    const broken = /crash|fail|error|exception|broken|exit(?:s|ed)? (?:with )?(?:code )?[1-9]|cannot find|not found/.test(t);
    if (!slow && !broken) return null;
    const base = (c: string) =>
      c
        .split(/[\s/"']/)
        .filter(Boolean)
        .pop()
        ?.replace(/\.(?:c?m?js|py|sh|ts)$/, '') ?? c;
    const hook =
      names.hooks.find((h) => base(h.command).length >= 3 && t.includes(base(h.command).toLowerCase())) ??
      names.hooks.find((h) => t.includes(h.event.toLowerCase())) ??
      (names.hooks.length === 1 ? names.hooks[0] : undefined);
    return hook ? { errorClass: slow ? 'hook_slow' : 'hook_error', subject: `hook:${hook.command}` } : null;
  }
  if (
    /\b(?:no|without|blocked|lack of|lacks|disabled|denied) (?:the )?(?:network|internet)|(?:network|internet) (?:access|error|failure|is (?:blocked|disabled|off|unreachable)|was (?:blocked|disabled|off|unreachable))|\boffline\b|could not resolve|couldn't resolve|dns (?:error|failure)|no route to host|registry (?:is )?unreachable|could not (?:reach|download|fetch)|couldn't (?:reach|download|fetch)/.test(
      t,
    )
  )
    return { errorClass: 'network', subject: 'network' };
  if (/\bsandbox\b|permission denied|operation not permitted|read-only file system/.test(t)) return { errorClass: 'sandbox_denied', subject: 'sandbox' };
  return null;
}

export interface ClusterInput {
  /** Names the feedback text may use for harness components. */
  names?: HarnessNames;
  traces: readonly Trace[];
  /** Feedback that counts (weight > 0, on a known trace). */
  feedback: readonly Feedback[];
  failing: readonly TestOutcomeForDiagnosis[];
}

export interface Clustering {
  clusters: Cluster[];
  activities: Map<string, TraceActivity>;
  incidents: Map<string, Incident[]>;
}

export function clusterEvidence(input: ClusterInput): Clustering {
  const activities = new Map(input.traces.map((t) => [t.id, activityOf(t)]));
  const incidents = new Map(input.traces.map((t) => [t.id, incidentsOf(t)]));
  const clusters = new Map<string, Cluster>();
  const get = (key: string, init: () => Omit<Cluster, 'key' | 'categories' | 'incidents' | 'feedback' | 'failing' | 'traceIds'>): Cluster => {
    let c = clusters.get(key);
    if (!c) clusters.set(key, (c = { key, ...init(), categories: new Set(), incidents: [], feedback: [], failing: [], traceIds: new Set() }));
    return c;
  };
  const incidentCluster = (i: Incident) =>
    get(`incident:${i.errorClass}:${i.subject}`, () => ({ kind: 'incident', errorClass: i.errorClass, subject: i.subject }));
  const addIncident = (c: Cluster, i: Incident) => {
    if (!c.incidents.some((x) => x.traceId === i.traceId && x.spanId === i.spanId)) c.incidents.push(i);
    c.traceIds.add(i.traceId);
  };
  const byFeedback = new Map<string, Cluster>();

  for (const f of input.feedback) {
    const own = incidents.get(f.traceId) ?? [];
    const text = [f.observation, ...f.evidence].join('\n');
    const cited = f.spanId ? own.find((i) => i.spanId === f.spanId) : undefined;
    // Feedback without a span joins the harness failure its text names, or, when its text names no
    // other kind of problem, the single harness failure of the trace it cites.
    const harnessOwn = own.filter((i) => HARNESS_CLASSES.has(i.errorClass));
    const bySubject = f.source === 'human' || f.source === 'llm' ? harnessOwn.find((i) => mentions(text, i)) : undefined;
    const byTrace =
      !f.spanId && new Set(harnessOwn.map((i) => i.subject)).size === 1 && ['content', 'validation', 'reasoning', 'blocked'].includes(problemKindOf(f))
        ? harnessOwn[0]
        : undefined;
    const named = cited ?? bySubject ?? byTrace;
    const kind = named ? null : problemKindOf(f);
    const byText = !named && input.names && (kind === 'content' || kind === 'reasoning' || kind === 'blocked') ? namedByText(text, input.names) : null;
    let c: Cluster;
    if (named) {
      c = incidentCluster(named);
      addIncident(c, named);
    } else if (byText) {
      c = get(`incident:${byText.errorClass}:${byText.subject}`, () => ({ kind: 'incident', errorClass: byText.errorClass, subject: byText.subject }));
    } else {
      const problem = problemKindOf(f);
      const written = activities.get(f.traceId)?.written ?? [];
      const scope = written.find((p) => text.includes(p)) ?? written[0];
      const scopeGlob = scope ? globOf(scope) : 'answer';
      // A generic problem keeps its category apart: two unrelated complaints about one answer are two clusters.
      const hint = problem === 'content' || problem === 'reasoning' ? `:${f.category.toLowerCase().replace(/[^a-z0-9]+/g, '_')}` : '';
      c = get(`finding:${problem}${hint}:${scopeGlob}`, () => ({ kind: 'finding', problem, scope: scopeGlob }));
    }
    c.feedback.push(f);
    c.categories.add(f.category);
    c.traceIds.add(f.traceId);
    byFeedback.set(f.id, c);
  }
  // Failures of the harness itself count even when nobody wrote them up.
  for (const list of incidents.values()) for (const i of list) if (HARNESS_CLASSES.has(i.errorClass)) addIncident(incidentCluster(i), i);

  for (const test of input.failing) {
    const viaFeedback = (test.feedbackIds ?? []).map((id) => byFeedback.get(id)).find((c) => c !== undefined);
    const viaTrace = test.traceId ? [...clusters.values()].filter((c) => c.traceIds.has(test.traceId!)) : [];
    const c =
      viaFeedback ??
      (viaTrace.length === 1
        ? viaTrace[0]!
        : get(
            `finding:${problemKindOf({ category: test.category ?? 'eval_failure', observation: (test.reasons ?? []).join('\n'), evidence: [], prohibitedClaims: [], requiredObservations: [] })}:answer`,
            () => ({
              kind: 'finding',
              problem: problemKindOf({
                category: test.category ?? 'eval_failure',
                observation: (test.reasons ?? []).join('\n'),
                evidence: [],
                prohibitedClaims: [],
                requiredObservations: [],
              }),
              scope: 'answer',
            }),
          ));
    c.failing.push(test);
    if (test.traceId) c.traceIds.add(test.traceId);
    if (test.category) c.categories.add(test.category);
  }
  return { clusters: [...clusters.values()], activities, incidents };
}

/** The cluster's signature in one line, for the handoff and recommendations.json. */
export function describeSignature(c: Cluster, activities: Map<string, TraceActivity>): string {
  const traces = [...c.traceIds];
  if (c.kind === 'incident') {
    const exit = [...new Set(c.incidents.map((i) => i.exitCode).filter((e) => e !== null))];
    return `${c.errorClass} on ${c.subject}${exit.length ? ` (exit ${exit.join(', ')})` : ''} in ${traces.length} trace(s)`;
  }
  const written = [...new Set(traces.flatMap((t) => activities.get(t)?.written ?? []))];
  const skills = [...new Set(traces.flatMap((t) => [...(activities.get(t)?.skillsRead ?? []), ...(activities.get(t)?.skillNames ?? []).map((n) => `$${n}`)]))];
  return `${c.problem} problem in ${c.scope === 'answer' ? 'the final answer' : c.scope} across ${traces.length} trace(s)${written.length ? `; wrote ${written.slice(0, 3).join(', ')}${written.length > 3 ? ', …' : ''}` : ''}; skills read: ${skills.length ? skills.join(', ') : 'none'}`;
}
