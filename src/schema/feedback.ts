import { z } from 'zod';

/** Bumped when a stored feedback record can no longer be read by the previous reader. */
export const FEEDBACK_SCHEMA_VERSION = 1 as const;

/** Who gave the feedback; weights downstream depend on it. */
export const FeedbackSourceSchema = z
  .enum(['human', 'llm', 'detector', 'hook'])
  .describe('Who produced the record: a person, an LLM critic, a deterministic detector, or a hook.');
export type FeedbackSource = z.infer<typeof FeedbackSourceSchema>;

/** Severity scale, lowest first (the order is used when comparing severities). */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const SeveritySchema = z.enum(SEVERITIES).describe('How much the problem matters.');
export type Severity = z.infer<typeof SeveritySchema>;

/** Lifecycle of a record; only `active` and `unverified` records count downstream. */
export const FeedbackStatusSchema = z
  .enum(['active', 'unverified', 'contradicted', 'rejected'])
  .describe(
    'active: counts at full weight; unverified: an LLM record no human has accepted yet; ' +
      'contradicted: an LLM record a human record disagrees with (kept, weight 0); rejected: dismissed by a human (kept, weight 0).',
  );
export type FeedbackStatus = z.infer<typeof FeedbackStatusSchema>;

/** Whether a record names a problem to fix or a quality to keep. */
export const PolaritySchema = z
  .enum(['negative', 'positive'])
  .describe(
    'negative (the default): a problem the suite must catch; positive: a quality a reviewer praised, which becomes a "keep" test that passes on the praised answer.',
  );
export type Polarity = z.infer<typeof PolaritySchema>;

/** Categories the detectors and docs use; any other non-empty text is accepted too. */
export const KNOWN_CATEGORIES = [
  'citation_error',
  'missing_artifact',
  'conflict_not_surfaced',
  'tool_error',
  'instruction_not_followed',
  'failed_command',
  'hook_block',
  'missing_section',
  'errored_turn',
  'runaway_tokens',
] as const;

// Blank text is refused, but text is never trimmed or rewritten: feedback is stored verbatim.
const text = (what: string) => z.string().regex(/\S/, `${what} must not be empty`);

export const FeedbackSchema = z
  .object({
    schemaVersion: z.literal(FEEDBACK_SCHEMA_VERSION).describe('Version of this record format.'),
    id: z.string().min(1).describe('Stable hash of what defines the record; the same feedback imported twice has the same id.'),
    traceId: text('trace id').describe('Trace the feedback is about (a trace id in .harness-loop/traces/traces.jsonl).'),
    spanId: text('span id').optional().describe('Span inside the trace, where known.'),
    source: FeedbackSourceSchema,
    author: text('author').describe('Who wrote it: a user name, a model, or harness-loop/<detector>.'),
    category: text('category')
      .max(200, 'category must be at most 200 characters')
      .describe(`Kind of problem, e.g. ${KNOWN_CATEGORIES.slice(0, 5).join(', ')}; free text allowed (the cookbook's theme).`),
    severity: SeveritySchema,
    observation: text('observation').describe('What the reviewer saw, as a sentence (the cookbook summary).'),
    evidence: z.array(z.string()).describe('Pointers and quotes backing the observation: files, span ids, quoted output.'),
    requiredObservations: z.array(text('a required observation')).describe("What a good answer must say (the cookbook's required_observations)."),
    prohibitedClaims: z.array(text('a prohibited claim')).describe("What a good answer must not claim (the cookbook's prohibited_claims)."),
    status: FeedbackStatusSchema,
    polarity: PolaritySchema.optional(),
    verifiedBy: text('verifiedBy').optional().describe('The human who accepted an LLM record.'),
    contradictedBy: z.string().min(1).optional().describe('Id of the human record this LLM record contradicts.'),
    createdAt: z.iso.datetime({ message: 'createdAt must be an ISO-8601 UTC time' }).describe('ISO-8601 UTC time the record was created.'),
    attributes: z.record(z.string(), z.unknown()).describe('Extras kept from the input (external id, trace label, question) and detector details.'),
  })
  .strict()
  .describe('One piece of feedback about a trace, from a human, an LLM, a detector or a hook.');
export type Feedback = z.infer<typeof FeedbackSchema>;

/** Weight of each source downstream; human feedback outweighs LLM feedback by default. */
export const FeedbackWeightsSchema = z
  .object({
    human: z.number().min(0).default(1).describe('Weight of human records.'),
    detector: z.number().min(0).default(0.8).describe('Weight of deterministic detector records.'),
    hook: z.number().min(0).default(0.8).describe('Weight of records written by hooks.'),
    llm: z.number().min(0).default(0.4).describe('Weight of unverified LLM records (verified ones weigh as human).'),
  })
  .describe('Weight per feedback source.');
export type FeedbackWeights = z.infer<typeof FeedbackWeightsSchema>;

/** The defaults, spelled out because zod does not apply nested defaults under a parent default. */
export const DEFAULT_FEEDBACK_WEIGHTS: FeedbackWeights = { human: 1, detector: 0.8, hook: 0.8, llm: 0.4 };
