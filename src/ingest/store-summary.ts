import { existsSync } from 'node:fs';
import type { Trace } from '../schema/trace.js';
import { readTraceStore } from './store.js';

/** How many traces a store holds and when the newest of them started. */
export interface StoreSummary {
  traces: number;
  newest: string | null;
  newestTrace: Pick<Trace, 'id' | 'startTime'> | null;
}

/** Summarises the trace store (streamed; an absent store is empty). */
export async function summarizeStore(file: string): Promise<StoreSummary> {
  const out: StoreSummary = { traces: 0, newest: null, newestTrace: null };
  if (!existsSync(file)) return out;
  for await (const trace of readTraceStore(file)) {
    out.traces++;
    if (trace.startTime && (!out.newest || trace.startTime > out.newest)) {
      out.newest = trace.startTime;
      out.newestTrace = { id: trace.id, startTime: trace.startTime };
    }
  }
  return out;
}
