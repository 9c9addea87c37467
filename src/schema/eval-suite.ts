import { z } from 'zod';
import { FeedbackSourceSchema, SeveritySchema } from './feedback.js';

/** Bumped when a results file, prune log line or verdict line can no longer be read by the previous reader. */
export const EVAL_SUITE_SCHEMA_VERSION = 1 as const;

/** What `evals build` records about the parts of a test it generated, so a rebuild can tell them from hand edits. */
export const GeneratedPartsSchema = z
  .object({
    traceId: z.string().describe('The trace id the generator last chose for vars.trace_id; a different value there is a hand edit and is left alone.'),
    assertions: z
      .array(z.string())
      .describe('Keys of every assertion ever generated for the test; a key listed here is never added again, so a hand-deleted assertion stays deleted.'),
  })
  .describe('Bookkeeping for the ratchet.');
export type GeneratedParts = z.infer<typeof GeneratedPartsSchema>;

/** The `metadata` harness-loop puts on each Promptfoo test it generates. */
export const EvalTestMetadataSchema = z
  .object({
    testId: z
      .string()
      .min(1)
      .describe('Stable id: a hash of the normalized trace task and the feedback category (ev-…), or hand-… for an adopted hand-written test.'),
    category: z.string().optional().describe('Feedback category shared by the cluster.'),
    feedbackIds: z.array(z.string()).optional().describe('Every feedback record that contributed to the test, oldest first.'),
    sources: z.array(FeedbackSourceSchema).optional().describe('Sources of those records (human, llm, detector, hook).'),
    weight: z.number().min(0).optional().describe('Highest effective weight among the active records (human 1.0, detector/hook 0.8, llm 0.4 by default).'),
    severity: SeveritySchema.optional().describe('Highest severity among the records.'),
    addedInCycle: z.number().int().positive().describe('Improvement cycle in which the test entered the suite.'),
    traceIds: z.array(z.string()).optional().describe('Traces the feedback was about.'),
    generated: GeneratedPartsSchema.optional(),
  })
  .passthrough()
  .describe('Metadata on a test of .harness-loop/evals/promptfooconfig.yaml.');
export type EvalTestMetadata = z.infer<typeof EvalTestMetadataSchema>;

/** One line of .harness-loop/evals/rubric-verdicts.jsonl: a recorded judge verdict the offline grader replays. */
export const RubricVerdictSchema = z
  .object({
    testId: z
      .string()
      .min(1)
      .optional()
      .describe('Test the verdict is for (metadata.testId); applies to every rubric of the test unless rubricHash is given too.'),
    rubricHash: z
      .string()
      .min(1)
      .optional()
      .describe('Hash of the rubric text (rb-…, shown in the missing-verdict message); applies wherever that rubric appears.'),
    traceId: z
      .string()
      .min(1)
      .optional()
      .describe('Trace whose answer was judged; when given without answerHash, the verdict is ignored once the test replays another trace.'),
    answerHash: z
      .string()
      .regex(/^ah-[0-9a-f]{16}$/)
      .optional()
      .describe('Hash of the judged answer (ah-…): the verdict applies to that exact answer only, so a changed answer needs a new verdict.'),
    grader: z.string().min(1).optional().describe('Who judged: "human" (review app, praise) or the grader model id.'),
    pass: z.boolean().describe('The verdict.'),
    score: z.number().min(0).max(1).describe('Score from 0 to 1, compared with the assertion threshold.'),
    reason: z.string().min(1).describe('Why, as a sentence.'),
    author: z.string().optional().describe('Who recorded it.'),
    recordedAt: z.iso.datetime().optional().describe('ISO-8601 UTC time it was recorded.'),
  })
  .refine((v) => v.testId !== undefined || v.rubricHash !== undefined, 'a verdict needs a testId or a rubricHash')
  .describe('A recorded llm-rubric verdict for offline grading.');
export type RubricVerdict = z.infer<typeof RubricVerdictSchema>;

/** One line of .harness-loop/evals/prune-log.jsonl: a test removed by `evals prune`, kept whole so it can be restored. */
export const PruneLogEntrySchema = z
  .object({
    schemaVersion: z.literal(EVAL_SUITE_SCHEMA_VERSION).describe('Version of this line format.'),
    testId: z.string().min(1).describe('Id of the pruned test; `evals build` never generates it again.'),
    reason: z.string().trim().min(1).describe('Why it was pruned, as given with --reason.'),
    prunedAt: z.iso.datetime().describe('ISO-8601 UTC time of the prune.'),
    cycle: z.number().int().positive().describe('Cycle in which it was pruned.'),
    test: z.unknown().describe('The test exactly as it stood in the config.'),
  })
  .strict()
  .describe('A pruned eval test.');
export type PruneLogEntry = z.infer<typeof PruneLogEntrySchema>;

/** One failed (or errored) check of a test. */
export const FailedAssertionSchema = z
  .object({
    type: z.string().describe('Assertion type, or "error" when the row errored before grading.'),
    value: z.string().optional().describe('The assertion value as text, cut to 300 characters.'),
    reason: z.string().describe('Why it failed, as Promptfoo or the grader said it.'),
  })
  .describe('A failed check.');
export type FailedAssertion = z.infer<typeof FailedAssertionSchema>;

/** A test's outcome in one run. */
export const EvalTestResultSchema = z
  .object({
    id: z.string().min(1).describe('Test id (metadata.testId).'),
    description: z.string().optional().describe('Test description.'),
    traceId: z.string().optional().describe('Trace whose answer was scored.'),
    status: z
      .enum(['pass', 'fail', 'error', 'unjudged'])
      .describe(
        'error: the row could not be graded (provider error, unknown assertion type); unjudged: every other check passed but a rubric has no verdict yet (offline), so the test is neither pass nor fail.',
      ),
    pass: z.boolean().describe('Whether every row of the test passed (false while unjudged).'),
    category: z.string().optional().describe("The test's category, from its metadata."),
    score: z.number().optional().describe('Promptfoo score (weighted mean of the assertion scores), averaged over rows.'),
    reasons: z.array(z.string()).describe('One sentence per failed assertion or error.'),
    failedAssertions: z.array(FailedAssertionSchema).describe('The failed checks with their reasons.'),
  })
  .describe('One test in a run.');
export type EvalTestResult = z.infer<typeof EvalTestResultSchema>;

/** A missing offline rubric verdict, with what to record. */
export const MissingVerdictSchema = z
  .object({
    testId: z.string().optional(),
    rubricHash: z.string(),
    traceId: z.string().optional(),
    answerHash: z.string().optional().describe('Hash of the answer that waits for a verdict.'),
    rubric: z.string().optional().describe('The rubric text.'),
  })
  .describe('A rubric the replay grader had no verdict for.');

/** .harness-loop/results/<run-id>.json: the normalized summary plus Promptfoo's raw output. */
export const EvalRunSummarySchema = z
  .object({
    schemaVersion: z.literal(EVAL_SUITE_SCHEMA_VERSION).describe('Version of this file format.'),
    runId: z.string().min(1).describe('Run id; also the file name.'),
    createdAt: z.iso.datetime().describe('ISO-8601 UTC time the run finished.'),
    startedAt: z.iso.datetime().describe('ISO-8601 UTC time the run started.'),
    cycle: z.number().int().positive().describe('Improvement cycle the run belongs to.'),
    config: z.string().describe('Workspace-relative path of the Promptfoo config that ran.'),
    provider: z.string().describe('Provider that produced the outputs: replay or codex.'),
    recordedTraces: z.array(z.string()).optional().describe('Codex provider: ids of the traces its runs recorded and this run ingested into the trace store.'),
    grader: z.string().describe('Grader for llm-rubric: "replay" (recorded verdicts) or a Promptfoo provider id.'),
    promptfoo: z
      .object({
        version: z.string().optional().describe('Promptfoo version from its output.'),
        command: z.array(z.string()).describe('The command line that ran.'),
        exitCode: z.number().int().describe("Promptfoo's own exit code (0 pass, 100 failures)."),
      })
      .describe('How Promptfoo ran.'),
    totals: z
      .object({
        tests: z.number().int().nonnegative(),
        passed: z.number().int().nonnegative(),
        failed: z.number().int().nonnegative(),
        errors: z.number().int().nonnegative(),
        unjudged: z.number().int().nonnegative().optional().describe('Tests waiting for a rubric verdict; not in the pass rate.'),
      })
      .describe('Counts over tests.'),
    tests: z.array(EvalTestResultSchema).describe('Per-test outcomes in config order.'),
    missingVerdicts: z.array(MissingVerdictSchema).describe('Rubrics the offline grader had no recorded verdict for.'),
    raw: z.unknown().describe("Promptfoo's own -o JSON output, unchanged."),
  })
  .describe('The result of one `harness-loop evals run`.');
export type EvalRunSummary = z.infer<typeof EvalRunSummarySchema>;

/** Where a run's outputs come from: answers recorded in the traces, or a fresh `codex exec` per test. */
export const EvalProviderSchema = z
  .enum(['replay', 'codex'])
  .describe(
    'replay: score the answer recorded in the trace store for the test; codex: run the task with `codex exec` in a scratch copy of the workspace and record the run as a new trace.',
  );
export type EvalProvider = z.infer<typeof EvalProviderSchema>;

/** How the `codex` eval provider starts Codex (flags override these). */
export const EvalsCodexConfigSchema = z
  .object({
    codexBin: z
      .string()
      .min(1)
      .optional()
      .describe('Codex CLI: a command on PATH, or a path relative to the workspace; a .js file runs with node (default: critic.codexBin).'),
    codexConfig: z.array(z.string().min(1)).default([]).describe('`codex exec -c key=value` overrides for every eval run, e.g. a model provider.'),
    model: z.string().min(1).optional().describe('Model for the eval runs (default: the Codex default).'),
    timeoutMs: z.number().int().positive().optional().describe('Kill one eval run after this many milliseconds (default 600000).'),
  })
  .describe('The `codex` eval provider.');
export type EvalsCodexConfig = z.infer<typeof EvalsCodexConfigSchema>;

/** The `evals` section of .harness-loop/config.yaml (read from the passthrough part of the config). */
export const EvalsConfigSchema = z
  .object({
    promptfooBin: z.string().min(1).optional().describe('Promptfoo to run instead of the bundled one: a .js entry (run with this Node) or an executable.'),
    rubricThreshold: z.number().min(0).max(1).default(0.8).describe('Threshold of generated llm-rubric assertions.'),
    staleAfterCycles: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe('`evals list` flags tests that have not failed for this many cycles as prune candidates.'),
    grader: z.string().min(1).optional().describe('Promptfoo grader for llm-rubric when online (default openai:<critic.model> when OPENAI_API_KEY is set).'),
    provider: EvalProviderSchema.optional().describe('Provider `evals run`, `verify` and `loop` use when --provider is not given (default replay).'),
    repeat: z.number().int().positive().optional().describe('Runs per test (and, in an A/B verify, per side) when --repeat is not given (default 1).'),
    codex: EvalsCodexConfigSchema.optional(),
  })
  .default({ rubricThreshold: 0.8, staleAfterCycles: 3 })
  .describe('Eval suite settings.');
export type EvalsConfig = z.infer<typeof EvalsConfigSchema>;
