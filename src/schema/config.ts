import { z } from 'zod';
import { DEFAULT_FEEDBACK_WEIGHTS, FeedbackWeightsSchema } from './feedback.js';
import { DEFAULT_EVIDENCE, DEFAULT_GUARD } from '../checks/hook-config.js';
import { EvalsConfigSchema } from './eval-suite.js';

/** An extra secret pattern from the workspace config. */
export const RedactionPatternSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .describe('Kind shown in the marker, e.g. "internal-token".'),
    pattern: z.string().min(1).describe('JavaScript regular expression source; every match is replaced.'),
    flags: z
      .string()
      .regex(/^[imsu]*$/)
      .optional()
      .describe('Extra regex flags (g is always added).'),
  })
  .describe('A secret pattern to redact.');
export type RedactionPattern = z.infer<typeof RedactionPatternSchema>;

/** Tokens per trace above which `feedback detect` reports runaway use (cached input included). */
export const DEFAULT_TOKEN_BUDGET = 5_000_000;

export const ConfigSchema = z
  .object({
    redaction: z
      .object({ extraPatterns: z.array(RedactionPatternSchema).default([]) })
      .default({ extraPatterns: [] })
      .describe('Secret redaction applied before anything is written.'),
    critic: z
      .object({
        model: z.string().default('gpt-5.4-mini').describe('Model for LLM passes; must differ from the traced model.'),
        contextWindow: z.number().int().positive().default(272_000).describe('Critic context window in tokens.'),
        codexBin: z
          .string()
          .min(1)
          .default('codex')
          .describe('Codex CLI the LLM passes run: a command on PATH, or a path (relative to the workspace); a .js file runs with node.'),
        codexConfig: z.array(z.string().min(1)).default([]).describe('Extra `codex exec -c key=value` overrides for LLM passes, e.g. a model provider.'),
      })
      .default({ model: 'gpt-5.4-mini', contextWindow: 272_000, codexBin: 'codex', codexConfig: [] })
      .describe('The LLM critic.'),
    batch: z
      .object({
        maxTokens: z.number().int().positive().optional().describe('Token budget per batch; default 60% of the critic window.'),
      })
      .default({})
      .describe('Batching for LLM passes.'),
    feedback: z
      .object({
        weights: FeedbackWeightsSchema.default(DEFAULT_FEEDBACK_WEIGHTS),
        requiredSections: z
          .array(z.string().trim().min(1))
          .default([])
          .describe('Markdown headings every final answer must contain (e.g. "## Summary"); checked by `feedback detect`.'),
        tokenBudget: z
          .number()
          .int()
          .positive()
          .default(DEFAULT_TOKEN_BUDGET)
          .describe('Total tokens one trace may use before `feedback detect` reports runaway token use.'),
      })
      .default({ weights: DEFAULT_FEEDBACK_WEIGHTS, requiredSections: [], tokenBudget: DEFAULT_TOKEN_BUDGET })
      .describe('Feedback weighting and the deterministic detectors.'),
    detect: z
      .object({
        ignore: z
          .object({
            askedByTask: z
              .boolean()
              .default(true)
              .describe('Skip a failed command the task asked for (it names the command or its script, or asks to reproduce its failure).'),
            probes: z
              .boolean()
              .default(true)
              .describe(
                'Skip probes whose non-zero exit is their answer: test, [ ], grep -q, git diff --quiet, which, command -v, and ls/stat of a path the agent then created.',
              ),
            laterSucceeded: z.boolean().default(true).describe('Skip a failed command when the same command succeeded later in the trace.'),
            commands: z
              .array(
                z
                  .string()
                  .min(1)
                  .refine((s) => {
                    try {
                      new RegExp(s);
                      return true;
                    } catch {
                      return false;
                    }
                  }, 'must be a valid JavaScript regular expression'),
              )
              .default([])
              .describe('Regular expressions: a failed command matching one is never a finding (e.g. "^scripts/flaky\\.sh").'),
          })
          .default({ askedByTask: true, probes: true, laterSucceeded: true, commands: [] })
          .describe('Failed commands that are expected, not findings; each skip is listed by `feedback detect --json`.'),
      })
      .default({ ignore: { askedByTask: true, probes: true, laterSucceeded: true, commands: [] } })
      .describe('The deterministic detectors of `feedback detect`.'),
    evals: EvalsConfigSchema,
    diagnose: z
      .object({
        llm: z
          .union([z.boolean(), z.object({ model: z.string().min(1).optional().describe('Model for the diagnosis pass (default: critic.model).') }).strict()])
          .default(false)
          .describe(
            'Also ask a model for its top 5 changes in `diagnose`, `loop` and CI (true, or { model }); its checked proposals are merged with the deterministic clusters.',
          ),
      })
      .default({ llm: false })
      .describe('The diagnosis stage.'),
    evidence: z
      .object({
        outputGlobs: z
          .array(z.string().min(1))
          .default(DEFAULT_EVIDENCE.outputGlobs)
          .describe('Globs (repository-relative) of the documents check_evidence_coverage checks after each write.'),
        sourceRoots: z
          .array(z.string().min(1))
          .default(DEFAULT_EVIDENCE.sourceRoots)
          .describe('Folders (repository-relative) citations may point into; "." is the whole repository.'),
        minCoverage: z.number().min(0).max(1).default(DEFAULT_EVIDENCE.minCoverage).describe('Least share of claims (0..1) that must cite a source.'),
        unit: z.enum(['sentence', 'paragraph']).default(DEFAULT_EVIDENCE.unit).describe('What counts as one claim for coverage.'),
      })
      .default(DEFAULT_EVIDENCE)
      .describe('The check_evidence_coverage hook (PostToolUse).'),
    guard: z
      .object({
        always: z.boolean().default(DEFAULT_GUARD.always).describe('Guard every session, not only the implement phase of a cycle.'),
        allow: z
          .array(z.string().min(1))
          .default(DEFAULT_GUARD.allow)
          .describe(
            "Globs (repository-relative) of the harness files that may change while the guard is on. Loop state, the eval suite and the guard's own files stay protected whatever this says.",
          ),
        readOnlyTools: z
          .array(z.string().min(1))
          .default(DEFAULT_GUARD.readOnlyTools)
          .describe('Tool names (globs such as `mcp__docs__*`) that write nothing; other MCP tools and write_stdin are refused while the guard is on.'),
      })
      .default(DEFAULT_GUARD)
      .describe('The edit guard hook (PreToolUse).'),
  })
  .passthrough()
  .describe('harness-loop workspace configuration (.harness-loop/config.yaml).');
export type Config = z.infer<typeof ConfigSchema>;
