import { z } from 'zod';
import { DEFAULT_FEEDBACK_WEIGHTS, FeedbackWeightsSchema } from './feedback.js';

/** An extra secret pattern from the workspace config. */
export const RedactionPatternSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/).describe('Kind shown in the marker, e.g. "internal-token".'),
    pattern: z.string().min(1).describe('JavaScript regular expression source; every match is replaced.'),
    flags: z.string().regex(/^[imsu]*$/).optional().describe('Extra regex flags (g is always added).'),
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
        codexConfig: z
          .array(z.string().min(1))
          .default([])
          .describe('Extra `codex exec -c key=value` overrides for LLM passes, e.g. a model provider.'),
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
  })
  .passthrough()
  .describe('harness-loop workspace configuration (.harness-loop/config.yaml).');
export type Config = z.infer<typeof ConfigSchema>;
