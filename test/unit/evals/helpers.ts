import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feedback } from '../../../src/schema/feedback.js';
import type { Trace } from '../../../src/schema/trace.js';

/** A schema-valid trace with a task and an answer. */
export function makeTrace(id: string, task: string | null, finalAnswer: string | null, time = '2026-05-01T00:00:00.000Z'): Trace {
  return {
    schemaVersion: 1,
    id,
    source: { kind: 'agents-sdk', file: 'fixture.jsonl', line: 1 },
    sessionId: null,
    startTime: time,
    endTime: time,
    cwd: null,
    models: ['gpt-5.5'],
    task,
    finalAnswer,
    usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningOutputTokens: 0, totalTokens: 0 },
    spans: [],
    attributes: {},
  };
}

/** The cookbook example's recorded answers as traces. */
export function cookbookTraces(): Trace[] {
  return readFileSync('test/fixtures/evals/recorded_outputs.jsonl', 'utf8')
    .trim()
    .split('\n')
    .map((line, i) => {
      const r = JSON.parse(line) as { trace_id: string; question: string; answer: string };
      return makeTrace(r.trace_id, r.question, r.answer, `2026-05-01T0${i}:00:00.000Z`);
    });
}

/** The fixture feedback records. */
export function cookbookFeedback(): Feedback[] {
  return readFileSync('test/fixtures/evals/feedback.jsonl', 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Feedback);
}

let counter = 0;
/** A feedback record with defaults. */
export function makeFeedback(partial: Partial<Feedback> & { traceId: string }): Feedback {
  counter++;
  return {
    schemaVersion: 1,
    id: partial.id ?? `fb-${counter}`,
    source: 'human',
    author: 'tester',
    category: 'accuracy',
    severity: 'medium',
    observation: 'Something was wrong.',
    evidence: [],
    requiredObservations: [],
    prohibitedClaims: [],
    status: 'active',
    createdAt: '2026-05-01T00:00:00.000Z',
    attributes: {},
    ...partial,
  };
}

/** A fresh workspace holding the given traces and feedback. */
export function makeWorkspace(traces: readonly Trace[], feedback: readonly Feedback[]): string {
  const ws = mkdtempSync(join(tmpdir(), 'hl-evals-'));
  writeStore(ws, traces, feedback);
  return ws;
}

/** (Re)writes the trace and feedback stores of a workspace. */
export function writeStore(ws: string, traces: readonly Trace[], feedback: readonly Feedback[]): void {
  mkdirSync(join(ws, '.harness-loop', 'traces'), { recursive: true });
  mkdirSync(join(ws, '.harness-loop', 'feedback'), { recursive: true });
  writeFileSync(join(ws, '.harness-loop', 'traces', 'traces.jsonl'), traces.map((t) => `${JSON.stringify(t)}\n`).join(''));
  writeFileSync(join(ws, '.harness-loop', 'feedback', 'feedback.jsonl'), feedback.map((f) => `${JSON.stringify(f)}\n`).join(''));
}

/** Calls `fn` with process stdout/stderr captured. */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const result = await fn();
    return { result, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
