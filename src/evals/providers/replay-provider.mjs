// @ts-check
/**
 * Promptfoo provider shipped with harness-loop: replays the final answer recorded in the
 * harness-loop trace store for the test's `trace_id` var, so the suite scores what the agent
 * actually said, and returns what the agent did in `metadata.agentTrace` (trace-process.mjs) for
 * the trace assertions. No model is called.
 *
 * Config (paths relative to the suite folder, .harness-loop/evals/):
 *   traceStore: ../traces/traces.jsonl
 *
 * `evals build` copies this file to .harness-loop/evals/providers/, where the suite names it as
 * `file://providers/replay-provider.mjs`. It imports only Node built-ins so the copy runs alone.
 */
import { createReadStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { summarizeTrace } from './trace-process.mjs';

/** The suite folder: this file lives in its providers/ subfolder. */
const SUITE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @typedef {{ answer: string | null, agentTrace: import('./trace-process.mjs').AgentTrace }} Replayed */

/** One read of each store per process, shared by concurrent calls. @type {Map<string, Promise<Map<string, Replayed>>>} */
const STORES = new Map();

/** Reverses harness-loop's template protection (vars reach providers unrendered). @param {string} text */
function unprotect(text) {
  if (!text.includes('{{ "')) return text;
  const body = text.startsWith('{{ "" }}') ? text.slice('{{ "" }}'.length) : text;
  return body.replace(/\{\{ "([{#])" \}\}/g, '$1');
}

/** @param {string} file @returns {Promise<Map<string, Replayed>>} trace id → final answer and what the agent did */
async function readAnswers(file) {
  /** @type {Map<string, Replayed>} */
  const answers = new Map();
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const trace = JSON.parse(line);
      if (trace && typeof trace.id === 'string')
        answers.set(trace.id, { answer: typeof trace.finalAnswer === 'string' ? trace.finalAnswer : null, agentTrace: summarizeTrace(trace) });
    } catch {
      // A torn line is the ingest stage's to report; the other traces still replay.
    }
  }
  return answers;
}

export default class ReplayProvider {
  /** @param {{ id?: string, config?: { traceStore?: string } }} [options] */
  constructor(options = {}) {
    this.providerId = options.id || 'harness-loop:replay';
    this.storePath = resolve(SUITE_DIR, options.config?.traceStore || '../traces/traces.jsonl');
  }

  id() {
    return this.providerId;
  }

  /** @param {string} _prompt @param {{ vars?: Record<string, unknown> }} [context] */
  async callApi(_prompt, context) {
    const raw = context?.vars?.trace_id;
    if (typeof raw !== 'string' || raw === '') return { error: 'the test has no trace_id var; replay needs the trace whose answer to score' };
    const traceId = unprotect(raw);
    let store = STORES.get(this.storePath);
    if (!store) {
      store = readAnswers(this.storePath);
      STORES.set(this.storePath, store);
    }
    let answers;
    try {
      answers = await store;
    } catch (error) {
      STORES.delete(this.storePath);
      return { error: `cannot read the trace store ${this.storePath}: ${error instanceof Error ? error.message : String(error)} (run harness-loop ingest)` };
    }
    if (!answers.has(traceId)) return { error: `no trace ${traceId} in ${this.storePath} (was it ingested?)` };
    const replayed = answers.get(traceId);
    if (!replayed || replayed.answer === null) return { error: `trace ${traceId} has no recorded final answer to replay` };
    // agentTrace: what the agent did, for the trace assertions (trace-assert.mjs).
    return { output: replayed.answer, metadata: { replayedTraceId: traceId, agentTrace: replayed.agentTrace } };
  }
}
