import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from '../../../src/ingest/ingest.js';
import { ConfigSchema, type Config } from '../../../src/schema/config.js';
import { TRACE_SCHEMA_VERSION, emptyUsage, type Span, type Trace } from '../../../src/schema/trace.js';

export const EXEC = 'test/fixtures/codex-exec';
export const FIX = 'test/fixtures/feedback';
/** Thread ids of the exec fixtures. */
export const BASE_TRACE = '01a20f59-f305-7e31-9c64-0113b2a3c47d';
export const ERROR_TRACE = '01a20f5a-93ac-7e22-b1d1-7e5470b1fbab';
export const NOW = '2026-12-01T10:00:00.000Z';

export function defaultConfig(overrides: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse(overrides);
}

/** A fresh workspace whose trace store holds the given fixture files, read by the real ingest stage. */
export async function workspaceWith(files: string[]): Promise<string> {
  const workspace = await mkdtemp(join(tmpdir(), 'hl-feedback-'));
  if (files.length > 0) await ingest({ workspace, paths: files, from: 'auto', allRepos: true, config: defaultConfig() });
  return workspace;
}

/** A span with defaults for the fields a test does not care about. */
export function span(fields: Partial<Span> & Pick<Span, 'id' | 'kind'>): Span {
  return { parentId: null, name: fields.kind, startTime: null, durationMs: null, status: 'ok', error: null, attributes: {}, ...fields };
}

/** A trace with defaults for the fields a test does not care about. */
export function trace(fields: Partial<Trace> = {}): Trace {
  return {
    schemaVersion: TRACE_SCHEMA_VERSION,
    id: 'trace-1',
    source: { kind: 'codex-rollout', file: 'x.jsonl', line: 1 },
    sessionId: 'trace-1',
    startTime: '2026-11-24T20:58:02.921Z',
    endTime: '2026-11-24T20:58:03.902Z',
    cwd: '/home/user/repo',
    models: ['gpt-5.5'],
    task: 'do it',
    finalAnswer: null,
    usage: emptyUsage(),
    spans: [],
    attributes: {},
    ...fields,
  };
}
