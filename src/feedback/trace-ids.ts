import { readTraceStore, traceIdOfLine } from '../ingest/store.js';
import { matchIdPrefix, resolveIdPrefix } from '../util/id-prefix.js';
import { readLines } from '../util/lines.js';

/** Ids of the traces in the store, read without parsing whole traces; a missing store has none. */
export async function readKnownTraceIds(traceStore: string): Promise<Set<string>> {
  const ids = new Set<string>();
  try {
    for await (const line of readLines(traceStore, Number.MAX_SAFE_INTEGER)) {
      if (line.tooLong || line.text.trim() === '') continue;
      const id = traceIdOfLine(line.text);
      if (id !== null) ids.add(id);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return ids;
}

/**
 * The stored trace a typed id or unique prefix names. An id no stored trace starts with comes back
 * unchanged (the caller says whether an unknown trace is allowed); an ambiguous prefix is an error.
 */
export async function resolveTraceId(traceStore: string, given: string | undefined): Promise<string | undefined> {
  if (given === undefined) return undefined;
  const match = matchIdPrefix(given, await readKnownTraceIds(traceStore));
  if ('id' in match) return match.id;
  if ('ambiguous' in match) return resolveIdPrefix(given, match.ambiguous, 'trace');
  return given;
}

/** A span of one stored trace named by its id or a unique prefix; unknown ones come back unchanged. */
export async function resolveSpanId(traceStore: string, traceId: string | undefined, given: string | undefined): Promise<string | undefined> {
  if (given === undefined || traceId === undefined) return given;
  let spanIds: string[] = [];
  try {
    for await (const trace of readTraceStore(traceStore)) if (trace.id === traceId) spanIds = trace.spans.map((s) => s.id);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const match = matchIdPrefix(given, spanIds);
  if ('id' in match) return match.id;
  if ('ambiguous' in match) return resolveIdPrefix(given, match.ambiguous, `span of trace ${traceId}`);
  return given;
}
