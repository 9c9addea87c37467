import { z } from 'zod';
import { HarnessFingerprintSchema } from './trace.js';

/** Bumped when a cycle file can no longer be read by the previous reader. */
export const CYCLE_SCHEMA_VERSION = 1 as const;

/** One test's outcome as recorded in the baseline. */
export const BaselineTestSchema = z
  .object({
    id: z.string().min(1).describe('Test id, as the eval results name it.'),
    pass: z.boolean().describe('Whether the test passed in the baseline run.'),
    score: z.number().optional().describe('The score the run gave, where it gave one.'),
    unjudged: z.boolean().optional().describe('True when a rubric of the test waited for a verdict: the test is neither pass nor fail and is not compared.'),
    traceId: z.string().optional().describe('Trace whose answer the baseline scored.'),
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
    phase: z.literal('implement').describe('The loop phase; the edit guard restricts edits to harness files while this is "implement".'),
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
        provider: z.string().optional().describe('Provider of the baseline run (replay or codex).'),
        grader: z.string().optional().describe('Grader of the baseline run ("replay" or a Promptfoo provider id).'),
        fingerprints: z
          .array(z.string())
          .default([])
          .describe("Harness fingerprints of the baseline's traces: answers under these never count as runs under the change."),
        newestTraceAt: z.string().nullable().optional().describe('Start time of the newest baseline trace; a session-derived answer must be newer to count.'),
      })
      .strict()
      .describe('The eval run recorded at cycle start.'),
    harnessGlobs: z.array(z.string().min(1)).describe('The harness allow-list in force at cycle start (guard.allow or the defaults).'),
    listing: z.enum(['git', 'walk']).describe('How workspace files were listed: `git ls-files` or a directory walk.'),
    harnessHashes: HashesSchema.describe('sha256 of every harness file at cycle start.'),
    workspaceHashes: HashesSchema.describe('sha256 of every other workspace file at cycle start (loop state under .harness-loop/ excluded).'),
    harness: HarnessFingerprintSchema.optional().describe('The baseline harness: run fingerprint of the harness files at cycle start.'),
    exam: z
      .object({
        fixed: HashesSchema.describe('Files that must not change: suite, providers, bundles.'),
        appendOnly: z
          .record(z.string(), z.object({ bytes: z.number().int().nonnegative(), sha256: z.string() }).strict())
          .describe('Append-only files: their cycle-start content must stay their beginning.'),
        results: HashesSchema.describe('Results files of cycle start, which must stay unchanged.'),
        traces: z.record(z.string(), z.string()).describe('Trace id → sha256 prefix of its stored line at cycle start.'),
        guardSettings: z.string().describe("sha256 of the config's guard key and harness-loop's hook handlers."),
      })
      .strict()
      .optional()
      .describe('Everything the verdict depends on, hashed at cycle start (src/ledger/exam.ts).'),
  })
  .strict()
  .describe('The open improvement cycle (.harness-loop/cycle.json); present only between `cycle start` and its close.');
export type Cycle = z.infer<typeof CycleSchema>;
