import { z } from 'zod';

/** Bumped when a ledger line can no longer be read by the previous reader. */
export const LEDGER_SCHEMA_VERSION = 1 as const;

/** One file that differs from the cycle-start snapshot. */
export const FileChangeSchema = z
  .object({
    path: z.string().min(1).describe('Workspace-relative path, forward slashes.'),
    change: z.enum(['added', 'removed', 'modified']).describe('What happened to the file since cycle start.'),
    added: z.number().int().min(0).nullable().describe('Lines added; null when not measured (binary, too large, or outside the harness).'),
    removed: z.number().int().min(0).nullable().describe('Lines removed; null when not measured.'),
    harness: z.boolean().describe('Whether the path is a harness artefact (matches the harness allow-list).'),
  })
  .strict()
  .describe('A changed file with its line diff stat.');
export type FileChange = z.infer<typeof FileChangeSchema>;

/** An explicit human decision to let the gate pass anyway. */
const AcceptanceSchema = z.object({ reason: z.string().trim().min(1).describe('Why it was accepted, as given on the command line.') }).strict();

export const VERDICTS = ['improved', 'unchanged', 'regressed', 'inconclusive', 'not_measured', 'abandoned'] as const;

const RateSchema = z
  .object({
    passes: z.number().int().nonnegative(),
    runs: z.number().int().nonnegative(),
    rate: z.number().min(0).max(1),
    low: z.number().min(0).max(1).describe('95% Wilson score interval, lower bound.'),
    high: z.number().min(0).max(1).describe('95% Wilson score interval, upper bound.'),
  })
  .strict();

/** How a verify measured: coverage, repeats, statistics, models, fingerprints and cost. */
export const MeasurementSchema = z
  .object({
    provider: z.string().describe('Provider of the runs under the change (replay or codex).'),
    repeat: z.number().int().positive().describe('Runs per test and side.'),
    abBaseline: z.boolean().describe('Whether the baseline side was re-run live (A/B, interleaved) rather than taken from the cycle-start run.'),
    grader: z
      .object({
        baseline: z.string().nullable(),
        after: z.string(),
        regraded: z.boolean().describe("True when the graders differed and the baseline's answers were re-graded with the current grader."),
      })
      .strict()
      .describe('Grader of each side.'),
    agentModels: z.array(z.string()).describe('Models of the traces the counted answers came from.'),
    coverage: z.object({ rerun: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).strict(),
    tests: z
      .array(
        z
          .object({
            id: z.string(),
            before: z.object({ passes: z.number().int(), runs: z.number().int() }).strict(),
            after: z.object({ passes: z.number().int(), runs: z.number().int() }).strict().nullable().describe('null: not re-run under the changed harness.'),
            notRerun: z.string().optional().describe('Why the test was not re-run.'),
          })
          .strict(),
      )
      .describe('Per test: passes out of runs on each side.'),
    passRateBefore: RateSchema.describe('Over the re-run tests.'),
    passRateAfter: RateSchema.describe('Over the re-run tests.'),
    intervalMethod: z.string(),
    signTest: z.object({ method: z.string(), gains: z.number().int(), losses: z.number().int(), pGain: z.number(), pLoss: z.number() }).strict(),
    repeatsNeeded: z.number().int().positive().nullable(),
    why: z.string().describe('Why this verdict, one sentence.'),
    fingerprints: z
      .object({
        baseline: z.array(z.string()).describe('Fingerprints of the baseline answers (and of the cycle-start harness files).'),
        after: z.array(z.string()).describe('Fingerprints of the counted answers.'),
      })
      .strict(),
    cost: z
      .object({ tokens: z.number().int().nonnegative(), wallMs: z.number().int().nonnegative() })
      .strict()
      .describe('Tokens of the runs (counted runs and A/B baseline runs, from their traces) and wall time of the verify.'),
  })
  .strict();
export type Measurement = z.infer<typeof MeasurementSchema>;

export const LedgerEntrySchema = z
  .object({
    schemaVersion: z.literal(LEDGER_SCHEMA_VERSION).describe('Version of this line format.'),
    cycle: z.number().int().positive().describe('Cycle number this entry belongs to.'),
    kind: z.enum(['verify', 'abandon']).describe('verify: the suite was re-run and compared; abandon: the cycle was ended without a verdict.'),
    at: z.iso.datetime().describe('ISO-8601 UTC time the entry was written.'),
    recommendation: z
      .object({
        id: z.string().min(1).describe('Recommendation id.'),
        title: z.string().min(1).describe('Recommendation title.'),
      })
      .strict()
      .describe('The recommendation the cycle implemented.'),
    baselineRunId: z.string().min(1).describe('Eval run the cycle was judged against.'),
    afterRunId: z.string().min(1).nullable().describe('Eval run after the change; null for abandon.'),
    filesChanged: z.array(FileChangeSchema).describe('Every file that differs from the cycle-start snapshot.'),
    passRateBefore: z.number().min(0).max(1).describe('Baseline pass rate, 0 to 1.'),
    passRateAfter: z.number().min(0).max(1).nullable().describe('Pass rate after the change; null for abandon.'),
    testsFixed: z.array(z.string()).describe('Tests that failed at baseline and pass now.'),
    testsRegressed: z.array(z.string()).describe('Tests that passed at baseline and fail now or are gone from the suite.'),
    newTests: z.array(z.string()).describe('Tests not in the baseline run.'),
    removedTests: z.array(z.string()).describe('Baseline tests missing from the new run.'),
    verdict: z
      .enum(VERDICTS)
      .describe(
        'improved / regressed / unchanged / inconclusive over the tests re-run under the changed harness (see measurement.why); not_measured when none was; abandoned for abandon.',
      ),
    measurement: MeasurementSchema.optional().describe('How the verdict was measured (verify entries).'),
    acceptedRegression: AcceptanceSchema.optional().describe('Present when `--accept-regression` let a regression through.'),
    oneChangeBreach: z
      .object({
        reasons: z.array(z.string().min(1)).min(1).describe('Each way the change broke the one-change rule, as a sentence.'),
        accepted: AcceptanceSchema.optional().describe('Present when `--accept-breach` let the breach through.'),
      })
      .strict()
      .optional()
      .describe('Present when files outside the harness or outside the recommendation changed.'),
    closed: z.boolean().describe('Whether this entry ended the cycle; a failed gate leaves it open for another verify.'),
  })
  .strict()
  .describe('One line of .harness-loop/ledger.jsonl: the outcome of a verify or an abandon.');
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
