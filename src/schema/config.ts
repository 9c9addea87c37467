import { z } from 'zod';

/** An extra secret pattern from the workspace config. */
export const RedactionPatternSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/).describe('Kind shown in the marker, e.g. "internal-token".'),
    pattern: z.string().min(1).describe('JavaScript regular expression source; every match is replaced.'),
    flags: z.string().regex(/^[imsu]*$/).optional().describe('Extra regex flags (g is always added).'),
  })
  .describe('A secret pattern to redact.');
export type RedactionPattern = z.infer<typeof RedactionPatternSchema>;

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
      })
      .default({ model: 'gpt-5.4-mini', contextWindow: 272_000 })
      .describe('The LLM critic.'),
    batch: z
      .object({
        maxTokens: z.number().int().positive().optional().describe('Token budget per batch; default 60% of the critic window.'),
      })
      .default({})
      .describe('Batching for LLM passes.'),
  })
  .passthrough()
  .describe('harness-loop workspace configuration (.harness-loop/config.yaml).');
export type Config = z.infer<typeof ConfigSchema>;
