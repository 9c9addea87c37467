import { z } from 'zod';
import { SeveritySchema, type KNOWN_CATEGORIES } from './feedback.js';

// This schema is sent to the model as Codex's `--output-schema`, which the OpenAI API applies in
// strict mode: every property is required (a missing value is `null`, never an absent key), every
// object is closed, and only plain keywords are used. `renderStrictJsonSchema` in registry.ts
// checks that and drops the validation-only keywords (minLength) strict mode does not accept; zod
// still enforces them when the answer is read back.

/** Categories the critic is asked about; the rest of KNOWN_CATEGORIES come from detectors. */
export const CRITIC_CATEGORIES = [
  'citation_error',
  'conflict_not_surfaced',
  'failed_command',
  'instruction_not_followed',
  'tool_error',
  'missing_artifact',
] as const satisfies readonly (typeof KNOWN_CATEGORIES)[number][];

const text = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

/** One problem the critic saw in one trace. */
export const CritiqueObservationSchema = z
  .object({
    traceId: text('traceId').describe('Id of the trace the problem is in, copied from the trace\'s "id".'),
    spanId: text('spanId').nullable().describe('Id of the span the problem sits in, copied from the span\'s "id"; null when it concerns the whole trace.'),
    category: text('category').describe(`Kind of problem: ${CRITIC_CATEGORIES.join(', ')}, or another short snake_case name.`),
    severity: SeveritySchema,
    observation: text('observation').describe('What is wrong, as one or two sentences.'),
    evidence: z.array(z.string()).describe('Passages copied verbatim from that trace that show the problem; each is checked against the trace.'),
    requiredObservations: z.array(text('a required observation')).describe('What a correct answer to the task must say; [] when nothing fits.'),
    prohibitedClaims: z.array(text('a prohibited claim')).describe('What a correct answer must not claim; [] when nothing fits.'),
  })
  .strict()
  .describe('One problem in one trace.');
export type CritiqueObservation = z.infer<typeof CritiqueObservationSchema>;

/** What the critic answers for one batch (`--output-schema` of `feedback critique`). */
export const CritiqueSchema = z
  .object({
    observations: z.array(CritiqueObservationSchema).describe('Problems found in the batch; [] when there are none.'),
  })
  .strict()
  .describe("The LLM critic's answer for one batch of traces.");
export type Critique = z.infer<typeof CritiqueSchema>;

/** Bumped when a stored critic answer can no longer be read by the previous reader. */
export const CRITIQUE_ANSWER_SCHEMA_VERSION = 1 as const;

/** `.harness-loop/critique/<batch-id>.json`: a validated answer, kept so a re-run skips the batch. */
export const CritiqueAnswerSchema = z
  .object({
    schemaVersion: z.literal(CRITIQUE_ANSWER_SCHEMA_VERSION).describe('Version of this file format.'),
    batchId: z.string().min(1).describe('Batch the answer is for (manifest id).'),
    batchFile: z.string().min(1).describe('Batch file name inside .harness-loop/batches/.'),
    batchSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe('SHA-256 of the batch file the critic read; a rebuilt batch with other content is asked again.'),
    model: z.string().min(1).describe('Critic model that answered.'),
    createdAt: z.iso.datetime().describe('ISO-8601 UTC time the answer was received.'),
    critique: CritiqueSchema,
  })
  .strict()
  .describe('A critic answer for one batch, validated.');
export type CritiqueAnswer = z.infer<typeof CritiqueAnswerSchema>;
