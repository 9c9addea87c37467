import { z } from 'zod';

/** Bumped when a stored trace can no longer be read by the previous reader. */
export const TRACE_SCHEMA_VERSION = 1 as const;

/** Where a trace came from. */
export const SourceKindSchema = z
  .enum(['codex-rollout', 'codex-exec-json', 'otlp-json', 'otlp-protobuf', 'otel-collector', 'agents-sdk'])
  .describe('Which reader produced the trace.');
export type SourceKind = z.infer<typeof SourceKindSchema>;

export const SpanKindSchema = z
  .enum(['turn', 'model_call', 'tool_call', 'hook', 'message', 'error', 'compaction'])
  .describe('What a span stands for (compaction: Codex summarised the conversation because the context ran out).');
export type SpanKind = z.infer<typeof SpanKindSchema>;

export const SpanStatusSchema = z.enum(['ok', 'error', 'unset']).describe('Outcome of the span.');
export type SpanStatus = z.infer<typeof SpanStatusSchema>;

/** Token counts summed over every model call they cover. */
export const TokenUsageSchema = z
  .object({
    inputTokens: z.number().int().nonnegative().describe('Prompt tokens, cached ones included.'),
    cachedInputTokens: z.number().int().nonnegative().describe('Prompt tokens served from cache.'),
    outputTokens: z.number().int().nonnegative().describe('Completion tokens, reasoning included.'),
    reasoningOutputTokens: z.number().int().nonnegative().describe('Reasoning tokens among the output.'),
    totalTokens: z.number().int().nonnegative().describe('Input plus output tokens.'),
  })
  .describe('Token usage.');
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

/** Source-specific extras, kept rather than dropped. */
const AttributesSchema = z.record(z.string(), z.unknown()).describe('Source-specific extras.');

export const SpanSchema = z
  .object({
    id: z.string().min(1).describe('Span id, unique within its trace (call id for tool calls, turn id for turns).'),
    parentId: z.string().nullable().describe('Id of the enclosing span, null at the root.'),
    kind: SpanKindSchema,
    name: z.string().describe('Tool name, model name, event name or role.'),
    startTime: z.string().nullable().describe('ISO-8601 UTC start time, null when the source has none.'),
    durationMs: z.number().nonnegative().nullable().describe('Duration in milliseconds, null when unknown.'),
    input: z.unknown().optional().describe('What went in: tool arguments, a prompt, a message.'),
    output: z.unknown().optional().describe('What came out: tool output, a reply.'),
    status: SpanStatusSchema,
    error: z.string().nullable().describe('Error message when status is error.'),
    exitCode: z.number().int().nullable().optional().describe('Exit code of a shell command, where the source reports it.'),
    attributes: AttributesSchema,
  })
  .describe('One step of a trace.');
export type Span = z.infer<typeof SpanSchema>;

export const TraceSourceSchema = z
  .object({
    kind: SourceKindSchema,
    file: z.string().describe('File the trace was read from (or the receiver endpoint).'),
    line: z.number().int().nonnegative().describe('First line of the trace in that file (0 when not line-based).'),
  })
  .describe('Where the trace was read from.');
export type TraceSource = z.infer<typeof TraceSourceSchema>;

/** The harness a trace ran under: what the agent saw, hashed so that runs under one harness can be told from runs under another. */
export const HarnessFingerprintSchema = z
  .object({
    fingerprint: z.string().min(1).describe('sha256 (hex) over the canonical JSON of `components`.'),
    derivedFrom: z
      .enum(['rollout', 'exec-json', 'otel', 'run'])
      .describe('rollout/exec-json/otel: read from what the agent was sent; run: hashed by harness-loop over the files of the copy it ran in.'),
    components: z
      .record(z.string(), z.string())
      .describe('Component name → sha256 of its content (e.g. agentsMd, skills, model, reasoningEffort, sandbox, approvalPolicy, file:<path>).'),
  })
  .describe('Which harness a trace ran under.');
export type HarnessFingerprint = z.infer<typeof HarnessFingerprintSchema>;

export const TraceSchema = z
  .object({
    schemaVersion: z.literal(TRACE_SCHEMA_VERSION).describe('Version of this trace format.'),
    id: z.string().min(1).describe('Trace id: the Codex thread id, or the source trace id.'),
    source: TraceSourceSchema,
    sessionId: z.string().nullable().describe('Session / conversation id.'),
    startTime: z.string().nullable().describe('ISO-8601 UTC time of the first event.'),
    endTime: z.string().nullable().describe('ISO-8601 UTC time of the last event.'),
    cwd: z.string().nullable().describe('Working directory of the agent.'),
    models: z.array(z.string()).describe('Models that produced the trace, in first-use order.'),
    task: z.string().nullable().describe('The first user prompt.'),
    finalAnswer: z.string().nullable().describe('The last answer the agent gave.'),
    usage: TokenUsageSchema,
    spans: z.array(SpanSchema).describe('Spans in start order.'),
    harness: HarnessFingerprintSchema.nullable().optional().describe('The harness the trace ran under, when it can be told.'),
    attributes: AttributesSchema,
  })
  .describe('One agent session, normalized from any supported source.');
export type Trace = z.infer<typeof TraceSchema>;

/** A zero usage record, the starting point for sums. */
export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningOutputTokens: 0, totalTokens: 0 };
}
