import { z } from 'zod';
import { RecommendationSchema } from './diagnosis.js';

/**
 * A harness change as the LLM proposes it (`diagnose --llm`): the parts of a recommendation a
 * model can judge. Rank, impact, weight and score are computed from the evidence it cites, and
 * only after every cited id is found in the trace store, feedback store and latest results.
 */
export const LlmRecommendationSchema = RecommendationSchema.pick({
  title: true,
  category: true,
  target: true,
  ruleStatus: true,
  change: true,
  files: true,
  evidence: true,
  effort: true,
  layer: true,
}).describe('One harness change proposed by the LLM, with the ids of the evidence behind it.');
export type LlmRecommendation = z.infer<typeof LlmRecommendationSchema>;

/** What the model answers for one batch (`--output-schema` of `diagnose --llm`). */
export const LlmRecommendationsSchema = z
  .object({
    recommendations: z.array(LlmRecommendationSchema).describe('Harness changes the batch supports; [] when none.'),
  })
  .strict()
  .describe('Harness changes an LLM proposes from one batch of traces and the feedback and failing tests on them.');
export type LlmRecommendations = z.infer<typeof LlmRecommendationsSchema>;

/** Bumped when a kept answer can no longer be read by the previous reader. */
export const LLM_DIAGNOSIS_ANSWER_SCHEMA_VERSION = 1 as const;

/** `.harness-loop/diagnosis/llm/<batch-id>.json`: a validated answer, kept so a re-run with the same input skips the batch. */
export const LlmDiagnosisAnswerSchema = z
  .object({
    schemaVersion: z.literal(LLM_DIAGNOSIS_ANSWER_SCHEMA_VERSION).describe('Version of this file format.'),
    batchId: z.string().min(1).describe('Batch the answer is for (manifest id).'),
    promptSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe('SHA-256 of the prompt; new feedback or results change it, and the batch is asked again.'),
    model: z.string().min(1).describe('Model that answered.'),
    createdAt: z.iso.datetime().describe('ISO-8601 UTC time the answer was received.'),
    answer: LlmRecommendationsSchema,
  })
  .strict()
  .describe('An LLM diagnosis answer for one batch, validated.');
export type LlmDiagnosisAnswer = z.infer<typeof LlmDiagnosisAnswerSchema>;
