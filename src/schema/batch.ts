import { z } from 'zod';
import { SourceKindSchema, SpanKindSchema, SpanStatusSchema } from './trace.js';

/** Bumped when batch files or the manifest can no longer be read by the previous reader. */
export const BATCH_SCHEMA_VERSION = 1 as const;

/** One span as the critic sees it: no times or attributes, long texts cut in the middle. */
export const RenderedSpanSchema = z
  .object({
    id: z.string().min(1).describe('Span id, so feedback can point at the span.'),
    kind: SpanKindSchema,
    name: z.string().describe('Tool name, event name or role.'),
    status: SpanStatusSchema,
    error: z.string().optional().describe('Error message, never cut.'),
    exitCode: z.number().int().optional().describe('Exit code of a shell command.'),
    input: z.string().optional().describe('What went in, as text; objects are JSON; long texts have an elision marker.'),
    output: z.string().optional().describe('What came out, as text; objects are JSON; long texts have an elision marker.'),
  })
  .describe('A span rendered for an LLM pass.');
export type RenderedSpan = z.infer<typeof RenderedSpanSchema>;

/** Stands where spans were left out of an oversized trace. */
export const ElidedSpansSchema = z
  .object({
    elided: z.string().describe('Marker such as "[… 12 spans (3,210 tokens) elided …]".'),
    spans: z.number().int().positive().describe('How many spans were left out here.'),
  })
  .describe('A run of spans left out to fit the token budget.');
export type ElidedSpans = z.infer<typeof ElidedSpansSchema>;

export const RenderedTraceSchema = z
  .object({
    id: z.string().min(1).describe('Trace id, as in the trace store.'),
    source: SourceKindSchema,
    startTime: z.string().nullable().describe('ISO-8601 UTC time of the first event.'),
    cwd: z.string().nullable().describe('Working directory of the agent.'),
    models: z.array(z.string()).describe('Models that produced the trace.'),
    totalTokens: z.number().int().nonnegative().describe('Tokens the traced session used.'),
    task: z.string().nullable().describe('The first user prompt, never cut.'),
    finalAnswer: z.string().nullable().describe('The last answer the agent gave, never cut.'),
    spans: z.array(z.union([RenderedSpanSchema, ElidedSpansSchema])).describe('Spans in start order; model calls without error are left out.'),
  })
  .describe('A trace rendered compactly for an LLM pass.');
export type RenderedTrace = z.infer<typeof RenderedTraceSchema>;

/** One line of `.harness-loop/batches/batch-NNN.jsonl`. */
export const BatchLineSchema = z
  .object({
    traceId: z.string().min(1).describe('Id of the trace on this line.'),
    tokens: z.number().int().nonnegative().describe('o200k_base tokens of JSON.stringify(trace): what the critic reads.'),
    elidedChars: z.number().int().nonnegative().describe('Characters of the stored trace left out of the rendering (0 when nothing was cut).'),
    shrunk: z.boolean().describe('True when the trace alone exceeded the budget and was shrunk to fit.'),
    overBudget: z.boolean().describe('True when even the shrunk trace (task, final answer and errors) exceeds the budget.'),
    trace: RenderedTraceSchema,
  })
  .describe('One trace in a batch file.');
export type BatchLine = z.infer<typeof BatchLineSchema>;

export const BatchEntrySchema = z
  .object({
    id: z
      .string()
      .regex(/^batch_[0-9a-f]{16}$/)
      .describe('Stable hash of the trace ids in the batch, in order.'),
    file: z
      .string()
      .regex(/^batch-\d{3,}\.jsonl$/)
      .describe('File name inside .harness-loop/batches/.'),
    traceIds: z.array(z.string().min(1)).min(1).describe('Traces in the batch, in store order.'),
    tokens: z.number().int().nonnegative().describe("Sum of the traces' token counts."),
    elided: z.array(z.string()).describe('Ids of traces in this batch whose text was cut.'),
    overBudget: z.boolean().describe('True when the batch holds one trace that exceeds the budget even when shrunk.'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe('SHA-256 of the batch file, to detect a file from another run.'),
  })
  .describe('One batch file.');
export type BatchEntry = z.infer<typeof BatchEntrySchema>;

export const BatchManifestSchema = z
  .object({
    schemaVersion: z.literal(BATCH_SCHEMA_VERSION).describe('Version of this manifest format.'),
    createdAt: z.iso.datetime().describe('ISO-8601 UTC time the batches were written.'),
    maxTokens: z.number().int().positive().describe('Token budget per batch.'),
    tokenizer: z.string().min(1).describe('Tokenizer encoding used for counts, e.g. "o200k_base".'),
    batches: z.array(BatchEntrySchema).describe('Batches in store order.'),
    totals: z
      .object({
        batches: z.number().int().nonnegative().describe('Number of batches.'),
        traces: z.number().int().nonnegative().describe('Number of traces over all batches.'),
        tokens: z.number().int().nonnegative().describe('Tokens over all batches.'),
        elided: z.number().int().nonnegative().describe('Traces whose text was cut.'),
        overBudget: z.number().int().nonnegative().describe('Traces over the budget even when shrunk.'),
      })
      .describe('Sums over all batches.'),
  })
  .describe('Index of .harness-loop/batches/: which traces are in which batch file, and their token counts.');
export type BatchManifest = z.infer<typeof BatchManifestSchema>;
