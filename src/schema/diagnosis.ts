import { z } from 'zod';

export const DIAGNOSIS_SCHEMA_VERSION = 1 as const;

/** Where a check runs, fastest first; a problem caught earlier costs less. */
export const LAYERS = ['hook', 'pre-commit', 'ci', 'review', 'loop'] as const;
export const LayerSchema = z
  .enum(LAYERS)
  .describe('Speed layer: hook (milliseconds), pre-commit (seconds), ci (minutes), review (hours), loop (weekly).');
export type Layer = z.infer<typeof LayerSchema>;

export const TargetKindSchema = z
  .enum(['agents-md-rule', 'skill', 'post-tool-use-hook', 'pre-tool-use-hook', 'config-toml', 'output-schema', 'eval-suite'])
  .describe('Kind of harness artefact the change touches.');
export type TargetKind = z.infer<typeof TargetKindSchema>;

export const RuleStatusSchema = z
  .enum(['missing', 'present-not-followed', 'contradicted'])
  .describe('What the current harness says about the problem: no rule, a rule the agent did not follow, or a rule that another rule contradicts.');
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
        summary: z.string().describe('E.g. "fixes 4 of 5 failures".'),
      })
      .describe('What the change is expected to fix.'),
    effort: EffortSchema,
    layer: LayerSchema,
    motivatingLayer: LayerSchema.describe('Layer at which the motivating feedback was found (human review: review; detector: ci; hook: hook; LLM critic: loop).'),
    weight: z.number().nonnegative().describe('Summed source weight × severity of the cluster.'),
    score: z.number().nonnegative().describe('impact × weight / effort × layer preference.'),
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
