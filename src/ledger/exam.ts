/**
 * The exam out of the agent's reach: at `cycle start` everything the verdict depends on is hashed
 * (the file set comes from the declared workspace layout: exam and guard paths, plus the trace
 * store, feedback and results), and `verify` refuses, naming each, when any of it changed.
 *
 * Three ways a path may legitimately grow during a cycle, and so three checks:
 * - append-only files (`*.jsonl`, `*.log`: feedback, recorded verdicts, the guard's log): what was
 *   there at cycle start must still be there, byte for byte, at the start of the file;
 * - the trace store: every trace stored at cycle start must still be there, unchanged (ingest may
 *   add traces and rewrite the file's order, never alter a stored one);
 * - the results folder: every results file of cycle start must be unchanged (new runs are added);
 * everything else (suite, providers, bundles) must be byte-identical, with nothing added or removed.
 * The guard's settings inside files the agent may edit are hashed on their own: the `guard` key of
 * the config and harness-loop's handlers in `.codex/hooks.json`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fg from 'fast-glob';
import { parse as parseYaml } from 'yaml';
import { canonicalJson } from '../ingest/harness-fingerprint.js';
import { traceIdOfLine } from '../ingest/store.js';
import { isOurHandler } from '../install/hooks-json.js';
import { readLines } from '../util/lines.js';
import { INSTALLED, LAYOUT, examGlobs } from '../workspace/layout.js';

/** Loop state the verdict also rests on, besides the exam and guard paths. */
const VERDICT_STATE_IDS = ['traceStore', 'feedback', 'results'] as const;
/** Written fresh by every run, never read by the verdict. */
const DERIVED = ['.harness-loop/evals/promptfooconfig.codex.yaml', '.harness-loop/evals/promptfooconfig.latest.yaml'];

/** What `cycle start` records. */
export interface ExamHashes {
  /** Path → sha256, for files that must not change. */
  fixed: Record<string, string>;
  /** Path → length and sha256 of the content at cycle start, for append-only files. */
  appendOnly: Record<string, { bytes: number; sha256: string }>;
  /** Results files at cycle start → sha256. */
  results: Record<string, string>;
  /** Trace id → sha256 of its stored line (first 16 hex digits). */
  traces: Record<string, string>;
  /** sha256 of the config's `guard` key and of harness-loop's handlers in `.codex/hooks.json`. */
  guardSettings: string;
}

/** The exam's file globs, derived from the layout in one place. */
export function examFileGlobs(): { globs: string[]; traceStore: string; results: string } {
  const byId = (id: string) => LAYOUT.find((e) => e.id === id)!.path;
  return {
    globs: [...examGlobs(), ...VERDICT_STATE_IDS.map(byId)],
    traceStore: byId('traceStore'),
    results: byId('results').replace(/\/\*\*$/, ''),
  };
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

async function hashFile(file: string, limit?: number): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, limit === undefined ? {} : { end: limit - 1 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Hashes the exam of a workspace. */
export async function hashExam(root: string): Promise<ExamHashes> {
  const { globs, traceStore, results } = examFileGlobs();
  const files = (await fg(globs, { cwd: root, dot: true, onlyFiles: true, followSymbolicLinks: false })).filter((p) => !DERIVED.includes(p)).sort();
  const out: ExamHashes = { fixed: {}, appendOnly: {}, results: {}, traces: {}, guardSettings: await hashGuardSettings(root) };
  for (const path of files) {
    const file = join(root, path);
    if (path === traceStore) out.traces = await hashTraces(file);
    else if (path.startsWith(`${results}/`)) out.results[path] = await hashFile(file);
    else if (/\.(jsonl|log)$/.test(path)) out.appendOnly[path] = { bytes: (await stat(file)).size, sha256: await hashFile(file) };
    else out.fixed[path] = await hashFile(file);
  }
  return out;
}

async function hashTraces(file: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const { text } of readLines(file)) {
    if (text.trim() === '') continue;
    const id = traceIdOfLine(text);
    if (id !== null) out[id] = sha(text).slice(0, 16);
  }
  return out;
}

async function hashGuardSettings(root: string): Promise<string> {
  const config = await readFile(join(root, INSTALLED.config), 'utf8').catch(() => '');
  let guard: unknown = null;
  try {
    guard = (parseYaml(config) as { guard?: unknown } | null)?.guard ?? null;
  } catch {
    guard = `unparsable:${sha(config)}`;
  }
  const hooksText = await readFile(join(root, INSTALLED.hooksJson), 'utf8').catch(() => '');
  let ours: unknown = null;
  try {
    const hooks = (JSON.parse(hooksText || '{}') as { hooks?: Record<string, { hooks?: { command?: unknown }[] }[]> }).hooks ?? {};
    // Only harness-loop's handlers count: a team hook added beside them (or a hooks.json created for
    // one) is a harness change, not a change to the guard.
    ours = Object.entries(hooks)
      .map(([event, groups]) => [event, groups.flatMap((g) => (g.hooks ?? []).filter(isOurHandler))] as const)
      .filter(([, handlers]) => handlers.length > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  } catch {
    ours = `unparsable:${sha(hooksText)}`;
  }
  return sha(canonicalJson({ guard, hooks: ours }));
}

/**
 * What changed in the exam since `before`, one line per file or trace, empty when nothing did.
 * Reads only what it must: append-only files up to their cycle-start length.
 */
export async function examChanges(root: string, before: ExamHashes): Promise<string[]> {
  const { globs, traceStore, results } = examFileGlobs();
  const files = new Set((await fg(globs, { cwd: root, dot: true, onlyFiles: true, followSymbolicLinks: false })).filter((p) => !DERIVED.includes(p)));
  const problems: string[] = [];
  for (const [path, hash] of Object.entries(before.fixed)) {
    if (!files.has(path)) problems.push(`${path}: removed`);
    else if ((await hashFile(join(root, path))) !== hash) problems.push(`${path}: modified`);
  }
  for (const [path, { bytes, sha256 }] of Object.entries(before.appendOnly)) {
    const size = files.has(path) ? (await stat(join(root, path))).size : -1;
    if (size < 0) problems.push(`${path}: removed`);
    else if (size < bytes || (await hashFile(join(root, path), bytes)) !== sha256)
      problems.push(`${path}: rewritten (only appends are allowed during a cycle)`);
  }
  for (const [path, hash] of Object.entries(before.results)) {
    if (!files.has(path)) problems.push(`${path}: removed`);
    else if ((await hashFile(join(root, path))) !== hash) problems.push(`${path}: modified`);
  }
  for (const path of [...files].sort()) {
    const known = path in before.fixed || path in before.appendOnly || path in before.results || path === traceStore;
    if (known || path.startsWith(`${results}/`)) continue;
    // New append-only files (a first feedback or verdict line) are additions, not edits.
    if (/\.(jsonl|log)$/.test(path)) continue;
    problems.push(`${path}: added`);
  }
  if (Object.keys(before.traces).length > 0) {
    const traces = files.has(traceStore) ? await hashTraces(join(root, traceStore)) : {};
    const changed = Object.entries(before.traces)
      .filter(([id, h]) => traces[id] !== h)
      .map(([id]) => id);
    if (changed.length > 0) {
      const shown = changed.slice(0, 10).join(', ') + (changed.length > 10 ? ` and ${changed.length - 10} more` : '');
      problems.push(`${traceStore}: ${changed.length} trace(s) stored at cycle start changed or vanished: ${shown}`);
    }
  }
  if ((await hashGuardSettings(root)) !== before.guardSettings) {
    problems.push(`${INSTALLED.config} \`guard\` settings or harness-loop's handlers in ${INSTALLED.hooksJson}: modified`);
  }
  return problems;
}
