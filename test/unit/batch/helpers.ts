// Builders for batch tests: schema-valid traces of chosen shapes and seeded random text.
import { TraceSchema, emptyUsage, type Span, type Trace } from '../../../src/schema/trace.js';
import { seededRandom } from '../../support/random.js';

export { seededRandom };

/** Multi-line, shell-output-like text of about `chars` characters. */
export function toolOutput(chars: number, seed = 1): string {
  const rand = seededRandom(seed);
  const words = [
    'src/index.ts',
    'error',
    'PASS',
    'FAIL',
    'function',
    'return',
    '42',
    'node_modules',
    'warning:',
    'const x = 1;',
    '{"ok":true}',
    'résumé',
    '日本語',
    '🙂',
  ];
  const lines: string[] = [];
  let length = 0;
  while (length < chars) {
    const n = 3 + Math.floor(rand() * 10);
    const line = Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ');
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n').slice(0, chars);
}

/** A span with defaults; pass what matters to the test. */
export function span(id: string, over: Partial<Span> = {}): Span {
  return { id, parentId: null, kind: 'tool_call', name: 'exec_command', startTime: null, durationMs: null, status: 'ok', error: null, attributes: {}, ...over };
}

/** A schema-valid trace with the given id, spans and texts. */
export function makeTrace(id: string, spans: Span[], over: Partial<Trace> = {}): Trace {
  return TraceSchema.parse({
    schemaVersion: 1,
    id,
    source: { kind: 'codex-rollout', file: `/sessions/${id}.jsonl`, line: 1 },
    sessionId: id,
    startTime: '2026-11-24T20:58:02.891Z',
    endTime: '2026-11-24T20:59:02.891Z',
    cwd: '/home/user/repo',
    models: ['gpt-5.5'],
    task: `Task of ${id}: fix the failing test in src/index.ts`,
    finalAnswer: `Answer of ${id}: fixed.`,
    usage: emptyUsage(),
    spans,
    attributes: {},
    ...over,
  });
}

/** A trace of `n` tool calls whose outputs are about `chars` characters each. */
export function traceWithCalls(id: string, n: number, chars: number, seed = 1): Trace {
  return makeTrace(
    id,
    Array.from({ length: n }, (_, i) => span(`${id}-call-${i}`, { input: `{"cmd":"npm test -- part ${i}"}`, output: toolOutput(chars, seed + i) })),
  );
}
