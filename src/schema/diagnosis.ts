import { z } from 'zod';

export const DIAGNOSIS_SCHEMA_VERSION = 1 as const;

/** Where a check runs, fastest first; a problem caught earlier costs less. */
export const LAYERS = ['runtime', 'hook', 'pre-commit', 'ci', 'review', 'loop'] as const;
export const LayerSchema = z
  .enum(LAYERS)
  .describe(
    'Speed layer: runtime (Codex configuration, before the agent acts), hook (milliseconds), pre-commit (seconds), ci (minutes), review (hours), loop (weekly).',
  );
export type Layer = z.infer<typeof LayerSchema>;

export const TargetKindSchema = z
  .enum([
    'sandbox',
    'mcp-server',
    'model-config',
    'skill-description',
    'skill-body',
    'agents-md-rule',
    'pre-tool-use-hook',
    'post-tool-use-hook',
    'hook-fix',
    'output-schema',
    'validation-script',
    'eval-suite',
  ])
  .describe(
    'Harness component the change touches: sandbox/network settings, an MCP server table, model or reasoning effort, a skill description or body, an AGENTS.md rule, a new PreToolUse/PostToolUse hook, a fix to an existing hook, an output schema, a validation script (Stop hook, pre-commit, CI), the eval suite.',
  );
export type TargetKind = z.infer<typeof TargetKindSchema>;

export const RuleStatusSchema = z
  .enum(['missing', 'present-not-followed', 'contradicted', 'not-applicable'])
  .describe(
    'What the current harness says about the problem: no rule, a rule the agent did not follow, a rule that another rule contradicts, or not a matter of rules (a setting, a hook that fails).',
  );
export type RuleStatus = z.infer<typeof RuleStatusSchema>;

export const EffortSchema = z
  .object({ size: z.enum(['S', 'M', 'L']).describe('S: a line or a config key; M: a new rule set or hook setting; L: new code.'), reason: z.string().min(1) })
  .describe('How much work the change is.');

const QuoteSchema = z.object({ source: z.string().describe('Trace id or harness file.'), text: z.string().describe('The quoted words.') });

export const RecommendationSchema = z
  .object({
    id: z.string().min(1).describe('Stable hash of category, target and change.'),
    rank: z.number().int().positive().describe('1 is THE change for this cycle.'),
    title: z.string().min(1),
    category: z.string().min(1).describe('Feedback category the cluster shares.'),
    target: TargetKindSchema,
    ruleStatus: RuleStatusSchema,
    harnessQuotes: z.array(QuoteSchema.extend({ line: z.number().int().positive() })).describe('Lines of the current harness files that bear on the problem.'),
    change: z.string().min(1).describe('The concrete change, precise enough to implement without guessing.'),
    files: z.array(z.string().min(1)).min(1).describe('Workspace-relative files the change may touch; nothing else.'),
    evidence: z
      .object({
        traceIds: z.array(z.string()),
        feedbackIds: z.array(z.string()),
        failingTestIds: z.array(z.string()),
        quotes: z.array(QuoteSchema),
      })
      .describe('Ids that exist in the trace store, feedback store and latest results; never invented.'),
    impact: z
      .object({
        failingTestsFixed: z.number().int().nonnegative(),
        failingTestsTotal: z.number().int().nonnegative(),
        feedbackCount: z.number().int().nonnegative(),
        summary: z.string().describe('E.g. "3 failing tests rest on this evidence"; the measured effect comes only from the ledger.'),
      })
      .describe('The evidence the change rests on (not a measured effect).'),
    effort: EffortSchema,
    layer: LayerSchema,
    motivatingLayer: LayerSchema.describe(
      'Layer at which the motivating feedback was found (human review: review; detector: ci; hook: hook; LLM critic: loop).',
    ),
    weight: z
      .number()
      .nonnegative()
      .describe('Evidence weight of the cluster: its strongest record (source weight × severity) plus a bounded share of the rest.'),
    score: z.number().nonnegative().describe('weight × breadth × layer speed ÷ effort, × 0.25 when the ledger shows the same change did not improve.'),
    signature: z.string().optional().describe('What the traces show for this cluster: error class and subject, or the problem and the files written.'),
    spans: z
      .array(z.object({ traceId: z.string(), spanId: z.string() }))
      .optional()
      .describe('Spans the evidence points at, for links from the handoff and report.'),
    origin: z
      .enum(['deterministic', 'llm', 'merged'])
      .optional()
      .describe('Who proposed it: the deterministic ranker, the model, or both for the same evidence.'),
    speedNote: z.string().optional().describe('Why no faster layer fits, when the change is prose (AGENTS.md or a skill).'),
    demotion: z
      .object({ recommendationId: z.string(), cycle: z.number().int().positive(), verdict: z.string(), reason: z.string() })
      .optional()
      .describe("The ledger shows this cluster's earlier change did not improve; what was tried and why this proposal differs."),
  })
  .describe('One ranked harness change.');
export type Recommendation = z.infer<typeof RecommendationSchema>;

export const DiagnosisSchema = z
  .object({
    schemaVersion: z.literal(DIAGNOSIS_SCHEMA_VERSION),
    createdAt: z.string().describe('ISO-8601 UTC time of the diagnosis.'),
    inputs: z
      .object({
        traces: z.number().int().nonnegative(),
        feedback: z.number().int().nonnegative(),
        resultsRunId: z.string().nullable().describe('Eval run the diagnosis read, if any.'),
        failingTests: z.number().int().nonnegative(),
        totalTests: z.number().int().nonnegative(),
      })
      .describe('What the diagnosis was made from.'),
    recommendations: z.array(RecommendationSchema),
  })
  .describe('Ranked harness changes (.harness-loop/diagnosis/recommendations.json).');
export type Diagnosis = z.infer<typeof DiagnosisSchema>;
