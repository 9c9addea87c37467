// codex_handoff.md: what Codex acts on. It keeps the cookbook's seven sections, in order, so a
// reader of the cookbook finds what they expect, and puts THE change and the rules up front.
import { cutQuote } from '../diagnose/words.js';
import { LAYERS, type Diagnosis, type Layer, type Recommendation, type RuleStatus, type TargetKind } from '../schema/diagnosis.js';
import type { Feedback } from '../schema/feedback.js';
import type { LedgerEntry } from '../schema/ledger.js';

export interface HandoffInput {
  diagnosis: Diagnosis;
  feedback: Feedback[];
  /** Pass rate of the latest eval run, 0..1, or null when none ran. */
  passRate: number | null;
  harnessFiles: string[];
  /** Globs of files the change may touch (the guard's allow-list). */
  harnessGlobs: string[];
  /** Cycles already verified: the only source of measured effects. */
  ledger?: readonly LedgerEntry[];
  /** Eval tests that pass in the latest run. */
  passingTests?: number;
}

const LAYER_SPEED: Record<Layer, string> = {
  runtime: 'configuration, before the agent acts',
  hook: 'milliseconds',
  'pre-commit': 'seconds',
  ci: 'minutes',
  review: 'hours',
  loop: 'weekly',
};
const STATUS_TEXT: Record<RuleStatus, string> = {
  missing: 'missing requirement',
  'present-not-followed': 'present but not reliably followed',
  contradicted: 'contradicted by another rule',
  'not-applicable': 'not a matter of rules (a setting or a check)',
};
const SECTION_OF: Record<TargetKind, string> = {
  'agents-md-rule': 'Prompt',
  'skill-description': 'Skills',
  'skill-body': 'Skills',
  sandbox: 'Tools',
  'mcp-server': 'Tools',
  'pre-tool-use-hook': 'Control flow',
  'post-tool-use-hook': 'Control flow',
  'hook-fix': 'Control flow',
  'validation-script': 'Control flow',
  'model-config': 'Routing',
  'output-schema': 'Artifact schema',
  'eval-suite': 'Evals',
};

/** A quote in double quotes, cut at a word boundary, never doubled. */
function quoted(text: string, max = 240): string {
  return `"${cutQuote(text, max).replace(/"/g, "'")}"`;
}

/** `trace` or `trace` span `span`, from a quote source written as `trace#span`. */
function where(source: string): string {
  const [trace, span] = source.split('#');
  return span ? `trace \`${trace}\` span \`${span}\`` : `\`${trace}\``;
}

/** The speed rule: a check faster than the feedback that motivated it, or why none fits. */
function speedLine(r: Recommendation): string {
  if (LAYERS.indexOf(r.layer) < LAYERS.indexOf(r.motivatingLayer))
    return `Speed: this acts at ${r.layer} (${LAYER_SPEED[r.layer]}), faster than ${r.motivatingLayer} (${LAYER_SPEED[r.motivatingLayer]}), where the problem was found.`;
  return `Speed: no faster layer fits. ${r.speedNote ?? `The problem was found at ${r.motivatingLayer} and this change acts at ${r.layer}.`}`;
}

/** Markdown table cells cannot hold pipes or newlines. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function ruleLine(r: Recommendation): string {
  const at = r.harnessQuotes.map((q) => `\`${q.source}:${q.line}\`: ${quoted(q.text, 160)}`).join('; ');
  return `${STATUS_TEXT[r.ruleStatus]}${at ? ` (${at})` : ''}`;
}

function confidence(r: Recommendation): string {
  if (r.evidence.failingTestIds.length > 0 && r.evidence.feedbackIds.length > 0) return 'high';
  if (r.evidence.failingTestIds.length > 0 || r.evidence.feedbackIds.length > 1) return 'medium';
  return 'low';
}

function renderTheChange(r: Recommendation): string[] {
  return [
    `### THE change for this cycle: ${r.title}`,
    '',
    `- Recommendation: \`${r.id}\` (rank ${r.rank}, component ${r.target}${r.origin && r.origin !== 'deterministic' ? `, proposed by ${r.origin === 'merged' ? 'the ranker and the model' : 'the model'}` : ''})`,
    ...(r.signature ? [`- What the traces show: ${r.signature}`] : []),
    `- Evidence: ${r.impact.summary}; the measured effect comes from \`harness-loop verify\` and the ledger`,
    `- Layer: ${r.layer} (${LAYER_SPEED[r.layer]}); the feedback behind it was found at ${r.motivatingLayer} (${LAYER_SPEED[r.motivatingLayer]})`,
    `- ${speedLine(r)}`,
    ...(r.demotion ? [`- Tried before: ${r.demotion.reason}`] : []),
    `- Effort: ${r.effort.size}, ${r.effort.reason}`,
    `- Current harness: ${ruleLine(r)}`,
    `- Files you may touch: ${r.files.map((f) => `\`${f}\``).join(', ')}`,
    '',
    '**The change**',
    '',
    r.change,
    '',
    '**Evidence**',
    '',
    `- Traces: ${r.evidence.traceIds.map((t) => `\`${t}\``).join(', ') || 'none'}`,
    `- Feedback: ${r.evidence.feedbackIds.map((t) => `\`${t}\``).join(', ') || 'none'}`,
    `- Failing tests: ${r.evidence.failingTestIds.map((t) => `\`${t}\``).join(', ') || 'none'}`,
    ...r.evidence.quotes.map((q) => `- ${where(q.source)}: ${quoted(q.text)}`),
    ...(r.spans && r.spans.length > 0
      ? [
          `- Spans: ${r.spans
            .slice(0, 8)
            .map((s) => `\`${s.traceId}#${s.spanId}\``)
            .join(', ')}${r.spans.length > 8 ? `, and ${r.spans.length - 8} more` : ''}`,
        ]
      : []),
  ];
}

function bySource(feedback: Feedback[], source: Feedback['source']): Feedback[] {
  return feedback.filter((f) => f.source === source);
}

export function renderHandoff(input: HandoffInput): string {
  const { diagnosis } = input;
  const recs = diagnosis.recommendations;
  const top = recs[0];
  const out: string[] = [];
  const passText = input.passRate === null ? 'no eval run yet' : `${Math.round(input.passRate * 100)}% of ${diagnosis.inputs.totalTests} tests passed`;
  out.push(
    '# Codex handoff',
    '',
    `Generated ${diagnosis.createdAt} by harness-loop from ${diagnosis.inputs.traces} traces, ${diagnosis.inputs.feedback} feedback records and ${diagnosis.inputs.resultsRunId ? `eval run \`${diagnosis.inputs.resultsRunId}\`` : 'no eval run'}.`,
    '',
  );

  out.push('## Executive summary', '');
  out.push('Rules for this cycle:', '');
  out.push(
    `1. Change only harness artefacts (${input.harnessGlobs.map((g) => `\`${g}\``).join(', ')}). Application code, the documents the agent answers from, and tests stay as they are.`,
  );
  out.push('2. Implement exactly ONE recommendation: THE change below. The others wait for later cycles.');
  out.push(
    '3. Run `harness-loop cycle start` before editing and `harness-loop verify --provider codex` after; commit as `harness: <title>` only when the verdict is `improved` (`unchanged` closes the cycle without a commit; `regressed`, `inconclusive` and `not_measured` exit 1 and never commit).',
  );
  out.push(
    '4. Never edit the eval suite, results, traces, feedback, recorded verdicts or the guard: verify refuses when any of them changed during the cycle.',
  );
  out.push('');
  if (!top) {
    out.push(`Eval gate: ${passText}. No recommendation: the feedback and results show no failure to act on.`);
  } else {
    const failing = diagnosis.inputs.failingTests;
    out.push(
      `Eval gate: ${passText}${failing > 0 ? `; ${failing} failing` : ''}. Gaps found: ${recs.length} ranked change(s) from ${recs.length} evidence cluster(s). ` +
        `The strongest signal: ${top.signature ?? top.category} (${top.impact.summary}).`,
    );
    const clean = Math.max(0, diagnosis.inputs.traces - new Set(input.feedback.map((f) => f.traceId)).size);
    const strengths = [
      input.passingTests ? `${input.passingTests} of ${diagnosis.inputs.totalTests} eval tests pass` : '',
      clean > 0 ? `${clean} of ${diagnosis.inputs.traces} traces drew no finding` : '',
      ...(input.ledger ?? [])
        .filter((e) => e.verdict === 'improved')
        .map(
          (e) =>
            `cycle ${e.cycle} (${e.recommendation.title}) improved the pass rate ${Math.round(e.passRateBefore * 100)}% → ${Math.round((e.passRateAfter ?? 0) * 100)}%`,
        ),
    ].filter(Boolean);
    out.push('', `Strengths: ${strengths.length ? `${strengths.join('; ')}.` : 'none measured yet.'}`);
    const measured = (input.ledger ?? []).filter((e) => e.kind === 'verify');
    if (measured.length > 0) {
      out.push('', 'Measured so far (ledger):');
      for (const e of measured)
        out.push(
          `- Cycle ${e.cycle}, ${e.recommendation.title} (\`${e.recommendation.id}\`): ${e.verdict}, ${Math.round(e.passRateBefore * 100)}% → ${Math.round((e.passRateAfter ?? 0) * 100)}%, ${e.testsFixed.length} fixed, ${e.testsRegressed.length} regressed.`,
        );
    }
  }
  out.push('');

  out.push('## Top 3 changes to implement first', '');
  if (top) {
    out.push(...renderTheChange(top), '');
    for (const r of recs.slice(1, 3))
      out.push(`### Later: ${r.title}`, '', `\`${r.id}\`: ${r.impact.summary}; layer ${r.layer}; effort ${r.effort.size}. Not in this cycle.`, '');
  } else out.push('None.', '');

  out.push('## Ranked recommendation table', '');
  out.push('| rank | recommendation | impact | confidence | implementation effort | evidence | validation |', '|---|---|---|---|---|---|---|');
  for (const r of recs) {
    const evidence = `${r.evidence.traceIds.length} traces, ${r.evidence.feedbackIds.length} feedback, ${r.evidence.failingTestIds.length} failing tests`;
    const validation = r.evidence.failingTestIds.length
      ? `\`harness-loop verify\`: ${r.evidence.failingTestIds.length} failing test(s) rest on this evidence`
      : '`harness-loop verify`: no regressions, verdict measured on runs under the changed harness';
    out.push(
      `| ${r.rank}${r.rank === 1 ? ' (THE change)' : ''} | ${cell(r.title)} (\`${r.id}\`, ${r.layer}) | ${cell(r.impact.summary)} | ${confidence(r)} | ${r.effort.size}: ${cell(r.effort.reason)} | ${evidence} | ${validation} |`,
    );
  }
  out.push('');

  out.push('## Supporting diagnosis and evidence', '');
  for (const r of recs)
    out.push(`- ${r.signature ?? r.category} (${r.target}) → ${ruleLine(r)}. Traces: ${r.evidence.traceIds.map((t) => `\`${t}\``).join(', ') || 'none'}.`);
  if (recs.length === 0) out.push('No failures to classify.');
  out.push('');

  out.push('## Detailed recommendations', '');
  const detail = (heading: string) => {
    const here = recs.filter((r) => SECTION_OF[r.target] === heading);
    return here.length
      ? here.map((r) => `- Rank ${r.rank}, \`${r.id}\`: ${r.title}. ${r.change.replace(/\n+/g, ' ')} Files: ${r.files.map((f) => `\`${f}\``).join(', ')}.`)
      : ['No change recommended.'];
  };
  const tree: [string, string[]][] = [
    ['Behavior contract', ['Prompt', 'Skills']],
    ['Runtime implementation', ['Tools', 'Control flow', 'Routing']],
    ['Output contract', ['Artifact schema']],
    ['Observability and evals', ['Observability', 'Evals']],
  ];
  for (const [h3, h4s] of tree) {
    out.push(`### ${h3}`, '');
    for (const h4 of h4s) {
      out.push(`#### ${h4}`, '');
      if (h4 === 'Observability')
        out.push(
          `- ${diagnosis.inputs.traces} traces in the store; keep \`harness-loop ingest --last 5\` in every cycle so the next diagnosis sees the effect of this one.`,
        );
      else out.push(...detail(h4));
      out.push('');
    }
  }

  out.push('## Insights by feedback source', '');
  const human = bySource(input.feedback, 'human');
  const llm = bySource(input.feedback, 'llm');
  out.push(`- Traces: ${diagnosis.inputs.traces} read.`);
  out.push(`- Human: ${human.length} record(s)${human.length ? `: ${[...new Set(human.map((f) => f.category))].join(', ')}` : ''}. Weighted highest.`);
  out.push(
    `- LLM: ${llm.length} record(s), ${llm.filter((f) => f.status === 'unverified').length} unverified (not counted), ${llm.filter((f) => f.status === 'contradicted').length} contradicted by a human.`,
  );
  out.push(`- Detectors and hooks: ${bySource(input.feedback, 'detector').length} detector and ${bySource(input.feedback, 'hook').length} hook record(s).`);
  out.push(`- Generated evals and eval gate: ${passText}.`);
  out.push(`- Harness config: ${input.harnessFiles.map((f) => `\`${f}\``).join(', ') || 'no harness files found'}.`);
  out.push('');

  out.push('## Machine-readable summary', '', '```json');
  out.push(
    JSON.stringify(
      {
        the_change: top ? { id: top.id, title: top.title, files: top.files } : null,
        top_priorities: recs.slice(0, 3).map((r) => ({ rank: r.rank, id: r.id, title: r.title, impact: r.impact.summary, layer: r.layer, files: r.files })),
        pass_rate: input.passRate,
      },
      null,
      2,
    ),
  );
  out.push('```', '');
  return out.join('\n');
}
