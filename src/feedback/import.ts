import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Config } from '../schema/config.js';
import type { Feedback, FeedbackSource } from '../schema/feedback.js';
import { InputError } from '../errors.js';
import { Redactor } from '../redact/redact.js';
import { workspacePaths } from '../util/workspace.js';
import { isRecordKey, normalizeFeedback } from './normalize.js';
import { appendFeedback, throwProblems, type FeedbackProblem } from './store.js';
import { readKnownTraceIds } from './trace-ids.js';

/** One record as found in a file, before conversion. */
export interface RawFeedback {
  file: string;
  /** Line where the record starts. */
  line: number;
  value: unknown;
  /** Set when the file is an object keyed by trace id. */
  keyTraceId?: string;
  /** Line of one of the record's fields (`required_observations[2]` too), else the record's line. */
  lineOf(key: string): number;
}

export type FeedbackFormat = 'json' | 'jsonl' | 'yaml';

/** Picks the format from the extension, or by looking at the text when the extension says nothing. */
export function detectFormat(file: string, text: string): FeedbackFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  const body = text.trim();
  if (body.startsWith('{') || body.startsWith('[')) {
    try {
      JSON.parse(body);
      return 'json';
    } catch {
      const lines = body.split('\n').filter((l) => l.trim() !== '');
      if (lines.every((l) => l.trim().startsWith('{'))) return 'jsonl';
    }
  }
  return 'yaml';
}

/** Splits a file's text into raw records, with a problem for every part that is not one. */
export function parseFeedbackText(text: string, file: string, format = detectFormat(file, text)): { raws: RawFeedback[]; problems: FeedbackProblem[] } {
  return format === 'jsonl' ? parseJsonLines(text, file) : parseDocuments(text, file, format);
}

function parseJsonLines(text: string, file: string): { raws: RawFeedback[]; problems: FeedbackProblem[] } {
  const raws: RawFeedback[] = [];
  const problems: FeedbackProblem[] = [];
  text.split('\n').forEach((lineText, i) => {
    const line = i + 1;
    if (lineText.trim() === '') return;
    try {
      const value: unknown = JSON.parse(lineText);
      raws.push({ file, line, value, lineOf: () => line });
    } catch (error) {
      problems.push({ file, line, field: '(line)', message: `invalid JSON: ${(error as Error).message}` });
    }
  });
  return { raws, problems };
}

type NodePath = (string | number)[];

function parseDocuments(text: string, file: string, format: 'json' | 'yaml'): { raws: RawFeedback[]; problems: FeedbackProblem[] } {
  const problems: FeedbackProblem[] = [];
  const raws: RawFeedback[] = [];
  if (format === 'json') {
    // YAML would accept some text that is not JSON; a .json file must be JSON.
    try {
      JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const pos = /position (\d+)/.exec(message);
      const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : 1;
      return { raws, problems: [{ file, line, field: '(file)', message: `invalid JSON: ${message}` }] };
    }
  }
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: true });
  for (const doc of Array.isArray(docs) ? docs : []) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors)
        problems.push({ file, line: e.linePos?.[0]?.line ?? 1, field: '(file)', message: `invalid ${format.toUpperCase()}: ${e.message.split('\n')[0]}` });
      continue;
    }
    const lineOfPath = (path: NodePath): number | undefined => {
      const node = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as { range?: [number, number, number] } | null | undefined;
      return node?.range ? counter.linePos(node.range[0]).line : undefined;
    };
    const rawAt = (path: NodePath, value: unknown, keyTraceId?: string): RawFeedback => {
      const line = lineOfPath(path) ?? 1;
      const lineOf = (key: string) => {
        const parts = key
          .split(/[[\]]+/)
          .filter((p) => p !== '')
          .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
        return lineOfPath([...path, ...parts]) ?? line;
      };
      return { file, line, value, ...(keyTraceId !== undefined ? { keyTraceId } : {}), lineOf };
    };
    let js: unknown;
    try {
      js = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      problems.push({ file, line: lineOfPath([]) ?? 1, field: '(file)', message: (error as Error).message });
      continue;
    }
    try {
      JSON.stringify(js);
    } catch {
      // An alias inside its own anchor builds a cycle; records must be plain trees.
      problems.push({ file, line: lineOfPath([]) ?? 1, field: '(file)', message: 'an alias refers to its own anchor (circular data)' });
      continue;
    }
    if (js === null || js === undefined) continue; // an empty document
    if (Array.isArray(js)) {
      js.forEach((value, i) => raws.push(rawAt([i], value)));
    } else if (typeof js !== 'object') {
      problems.push({ file, line: lineOfPath([]) ?? 1, field: '(file)', message: 'expected a record, a list of records, or records keyed by trace id' });
    } else if (Object.keys(js).some(isRecordKey)) {
      raws.push(rawAt([], js));
    } else {
      // Keyed by trace id: { "<trace id>": record | [records] }.
      for (const [traceId, value] of Object.entries(js as Record<string, unknown>)) {
        if (Array.isArray(value)) value.forEach((v, i) => raws.push(rawAt([traceId, i], v, traceId)));
        else if (typeof value === 'object' && value !== null) raws.push(rawAt([traceId], value, traceId));
        else problems.push({ file, line: lineOfPath([traceId]) ?? 1, field: traceId, message: 'expected a record or a list of records under a trace id key' });
      }
    }
  }
  return { raws, problems };
}

/** Options of the import stage. */
export interface ImportOptions {
  workspace: string;
  files: string[];
  config: Config;
  /** `--trace`: trace of records that name none. */
  defaultTraceId?: string;
  /** `--source` (default human). */
  defaultSource?: FeedbackSource;
  /** `--author` (default `import:<file name>`). */
  defaultAuthor?: string;
  /** Unknown trace ids become warnings instead of errors. */
  allowUnknownTrace?: boolean;
  /** Validate only (`feedback check FILE…`). */
  dryRun?: boolean;
  now?: string;
}

/** What an import did. */
export interface ImportResult {
  read: number;
  added: Feedback[];
  duplicates: number;
  warnings: string[];
}

/**
 * Reads every file, converts and validates every record, checks trace ids, and only then
 * appends: one invalid record anywhere means nothing is written (InputError, exit 2).
 */
export async function importFeedback(options: ImportOptions): Promise<ImportResult> {
  const paths = workspacePaths(options.workspace);
  const redactor = new Redactor(options.config.redaction.extraPatterns);
  const now = options.now ?? new Date().toISOString();
  const problems: FeedbackProblem[] = [];
  const converted: { record: Feedback; raw: RawFeedback }[] = [];
  for (const file of options.files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new InputError(missing ? 'no such file' : `cannot read: ${(error as Error).message}`, file, undefined, 'input.missing', { cause: error });
    }
    const parsed = parseFeedbackText(text, file);
    problems.push(...parsed.problems);
    for (const raw of parsed.raws) {
      const result = normalizeFeedback(raw.value, {
        ...(raw.keyTraceId !== undefined ? { keyTraceId: raw.keyTraceId } : {}),
        ...(options.defaultTraceId !== undefined ? { defaultTraceId: options.defaultTraceId } : {}),
        defaultSource: options.defaultSource ?? 'human',
        defaultAuthor: options.defaultAuthor ?? `import:${basename(file)}`,
        now,
        redactor,
      });
      if (result.record) converted.push({ record: result.record, raw });
      for (const issue of result.issues) problems.push({ file, line: raw.lineOf(issue.key), field: issue.key, message: issue.message });
    }
  }
  const warnings = await checkTraceIds(converted, paths.traceStore, options.allowUnknownTrace === true, problems);
  if (problems.length > 0) throwProblems(problems, `${options.files.join(', ')}; nothing was written`);
  const records = converted.map((c) => c.record);
  if (options.dryRun) return { read: records.length, added: [], duplicates: 0, warnings };
  const { added, duplicates } = await appendFeedback(paths.feedbackStore, records);
  return { read: records.length, added, duplicates, warnings };
}

/** Unknown trace ids are problems, or warnings with --allow-unknown-trace. */
async function checkTraceIds(
  converted: { record: Feedback; raw: RawFeedback }[],
  traceStore: string,
  allowUnknown: boolean,
  problems: FeedbackProblem[],
): Promise<string[]> {
  if (converted.length === 0) return [];
  const known = await readKnownTraceIds(traceStore);
  const warnings: string[] = [];
  for (const { record, raw } of converted) {
    if (known.has(record.traceId)) continue;
    const where = traceIdSite(raw);
    if (allowUnknown) warnings.push(`${where.file}:${where.line}: ${where.field}: unknown trace "${record.traceId}" (kept because of --allow-unknown-trace)`);
    else
      problems.push({
        ...where,
        message: `unknown trace "${record.traceId}": not in the trace store (run harness-loop ingest first, or pass --allow-unknown-trace)`,
      });
  }
  return warnings;
}

/** Where a record's trace id came from: its own field, the key it is filed under, or --trace. */
function traceIdSite(raw: RawFeedback): { file: string; line: number; field: string } {
  const value = (typeof raw.value === 'object' && raw.value !== null ? raw.value : {}) as Record<string, unknown>;
  const own = ['trace_id', 'traceId'].find((k) => typeof value[k] === 'string');
  if (own) return { file: raw.file, line: raw.lineOf(own), field: own };
  if (raw.keyTraceId !== undefined) return { file: raw.file, line: raw.line, field: `(key "${raw.keyTraceId}")` };
  return { file: raw.file, line: raw.line, field: '--trace' };
}
