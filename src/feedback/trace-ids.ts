import { traceIdOfLine } from '../ingest/store.js';
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
