import { traceIdOfLine } from '../ingest/store.js';
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
