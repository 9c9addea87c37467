import { z } from 'zod';

/** Bumped when a cycle file can no longer be read by the previous reader. */
export const CYCLE_SCHEMA_VERSION = 1 as const;

/** One test's outcome as recorded in the baseline. */
export const BaselineTestSchema = z
  .object({
    id: z.string().min(1).describe('Test id, as the eval results name it.'),
    pass: z.boolean().describe('Whether the test passed in the baseline run.'),
    score: z.number().optional().describe('The score the run gave, where it gave one.'),
    unjudged: z.boolean().optional().describe('True when a rubric of the test waited for a verdict: the test is neither pass nor fail and is not compared.'),
  })
  .strict()
  .describe('A test outcome from the baseline run.');
export type BaselineTest = z.infer<typeof BaselineTestSchema>;

/** Map from a workspace-relative path (forward slashes) to the sha256 of its content. */
const HashesSchema = z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/));

export const CycleSchema = z
  .object({
    schemaVersion: z.literal(CYCLE_SCHEMA_VERSION).describe('Version of this file format.'),
    cycle: z.number().int().positive().describe('Cycle number: one more than the highest cycle in the ledger.'),
    phase: z
      .literal('implement')
      .describe('The loop phase; the edit guard restricts edits to harness files while this is "implement".'),
    startedAt: z.iso.datetime().describe('ISO-8601 UTC time `cycle start` ran.'),
    recommendation: z
      .object({
        id: z.string().min(1).describe('Recommendation id from .harness-loop/diagnosis/recommendations.json.'),
        title: z.string().min(1).describe('Its title, kept so the ledger reads without the diagnosis.'),
        files: z.array(z.string().min(1)).describe('Paths, folders or globs the recommendation may touch; edits elsewhere breach the one-change rule.'),
      })
      .strict()
      .describe('The one change this cycle implements.'),
    baseline: z
      .object({
        runId: z.string().min(1).describe('Run id of the eval results the cycle is judged against.'),
        file: z.string().min(1).describe('Workspace-relative path of that results file.'),
        createdAt: z.iso.datetime().describe('When that run was produced.'),
        passRate: z.number().min(0).max(1).describe('Share of tests that passed, 0 to 1.'),
        tests: z.array(BaselineTestSchema).describe('Per-test outcomes, so verify does not need the results file again.'),
      })
      .strict()
      .describe('The eval run recorded at cycle start.'),
    harnessGlobs: z.array(z.string().min(1)).describe('The harness allow-list in force at cycle start (guard.allow or the defaults).'),
    listing: z.enum(['git', 'walk']).describe('How workspace files were listed: `git ls-files` or a directory walk.'),
    harnessHashes: HashesSchema.describe('sha256 of every harness file at cycle start.'),
    workspaceHashes: HashesSchema.describe('sha256 of every other workspace file at cycle start (loop state under .harness-loop/ excluded).'),
  })
  .strict()
  .describe('The open improvement cycle (.harness-loop/cycle.json); present only between `cycle start` and its close.');
export type Cycle = z.infer<typeof CycleSchema>;
