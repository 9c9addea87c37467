import type { CommandArgs } from '../cli.js';
import type { Config } from '../schema/config.js';
import { FeedbackSourceSchema, type Feedback, type FeedbackSource } from '../schema/feedback.js';
import { UsageError } from '../errors.js';
import { addFeedback } from '../feedback/add.js';
import { detectFeedback } from '../feedback/detect.js';
import { importFeedback } from '../feedback/import.js';
import { effectiveWeight, loadAllFeedback, readFeedbackFile, throwProblems } from '../feedback/store.js';
import { readKnownTraceIds, resolveSpanId, resolveTraceId } from '../feedback/trace-ids.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';
import { displayPath } from './ingest.js';

const SUBCOMMANDS = ['add', 'import', 'check', 'detect', 'critique', 'list'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** Flags each subcommand accepts beyond the global ones; anything else is a usage error. */
const FLAGS: Record<Subcommand, string[]> = {
  add: ['trace', 'span', 'category', 'severity', 'observation', 'evidence', 'author', 'required', 'prohibited', 'source', 'positive', 'allow-unknown-trace'],
  import: ['trace', 'source', 'author', 'allow-unknown-trace'],
  check: ['trace', 'source', 'author', 'allow-unknown-trace'],
  detect: [],
  critique: ['model', 'codex-bin', 'codex-config', 'allow-same-model', 'batch'],
  list: ['trace', 'source', 'category'],
};

/** `harness-loop feedback <add|import|check|detect|critique|list>`. */
export async function run(args: CommandArgs): Promise<number> {
  const [sub, ...rest] = args.positionals;
  if (!sub) throw new UsageError(`missing subcommand: harness-loop feedback <${SUBCOMMANDS.join('|')}> (see 'harness-loop feedback --help')`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(`unknown subcommand "${sub}": expected one of ${SUBCOMMANDS.join(', ')}`);
  }
  const subcommand = sub as Subcommand;
  checkFlags(subcommand, args.flags);
  if ((subcommand === 'add' || subcommand === 'detect' || subcommand === 'critique' || subcommand === 'list') && rest.length > 0) {
    throw new UsageError(`'feedback ${subcommand}' takes no arguments (got "${rest[0]}")`);
  }
  const config = await readConfig(workspacePaths(args.workspace).config);
  switch (subcommand) {
    case 'add':
      return runAdd(args, config);
    case 'import':
      return runImport(args, config, rest);
    case 'check':
      return runCheck(args, config, rest);
    case 'detect':
      return runDetect(args, config);
    case 'critique':
      return (await import('./feedback-critique.js')).runCritiqueCommand(args, config);
    case 'list':
      return runList(args, config);
  }
}

function checkFlags(sub: Subcommand, flags: Record<string, unknown>): void {
  const allowed = new Set([...FLAGS[sub], 'workspace', 'json', 'help']);
  for (const [flag, value] of Object.entries(flags)) {
    if (value === undefined || value === false) continue;
    if (!allowed.has(flag)) throw new UsageError(`--${flag} does not apply to 'feedback ${sub}'`);
  }
}

function stringFlag(args: CommandArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

function sourceFlag(args: CommandArgs): FeedbackSource | undefined {
  const value = stringFlag(args, 'source');
  if (value === undefined) return undefined;
  const parsed = FeedbackSourceSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--source must be one of ${FeedbackSourceSchema.options.join(', ')} (got "${value}")`);
  return parsed.data;
}

function warn(lines: string[]): void {
  for (const line of lines) process.stderr.write(`warning: ${line}\n`);
}

async function runAdd(args: CommandArgs, config: Config): Promise<number> {
  const opt = (name: string) => stringFlag(args, name);
  const traceStore = workspacePaths(args.workspace).traceStore;
  const trace = await resolveTraceId(traceStore, opt('trace'));
  const result = await addFeedback({
    workspace: args.workspace,
    config,
    trace,
    span: await resolveSpanId(traceStore, trace, opt('span')),
    category: opt('category'),
    severity: opt('severity'),
    observation: opt('observation'),
    evidence: opt('evidence'),
    author: opt('author'),
    required: opt('required'),
    prohibited: opt('prohibited'),
    source: opt('source'),
    positive: args.flags.positive === true,
    allowUnknownTrace: args.flags['allow-unknown-trace'] === true,
  });
  warn(result.warnings);
  if (args.json) process.stdout.write(`${JSON.stringify({ added: result.added, record: result.record }, null, 2)}\n`);
  else
    process.stdout.write(
      `feedback: ${result.added ? 'added' : 'already recorded'} ${result.record.id} (${result.record.source}, ${result.record.polarity === 'positive' ? 'positive, ' : ''}${result.record.category}, ${result.record.severity}) on trace ${result.record.traceId}\n`,
    );
  return 0;
}

async function runImport(args: CommandArgs, config: Config, files: string[]): Promise<number> {
  if (files.length === 0) throw new UsageError("'feedback import' needs FILE arguments");
  const result = await importFeedback({
    ...importOptions(args, config, files, false),
    defaultTraceId: await resolveTraceId(workspacePaths(args.workspace).traceStore, stringFlag(args, 'trace')),
  });
  warn(result.warnings);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ read: result.read, added: result.added.length, duplicates: result.duplicates, records: result.added }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`feedback import: ${result.read} record(s) read, ${result.added.length} added, ${result.duplicates} already recorded\n`);
  }
  return 0;
}

function importOptions(args: CommandArgs, config: Config, files: string[], dryRun: boolean): Parameters<typeof importFeedback>[0] {
  return {
    workspace: args.workspace,
    files,
    config,
    defaultTraceId: stringFlag(args, 'trace'),
    defaultSource: sourceFlag(args),
    defaultAuthor: stringFlag(args, 'author'),
    allowUnknownTrace: args.flags['allow-unknown-trace'] === true,
    dryRun,
  };
}

async function runCheck(args: CommandArgs, config: Config, files: string[]): Promise<number> {
  const paths = workspacePaths(args.workspace);
  const { records, problems } = await readFeedbackFile(paths.feedbackStore);
  if (problems.length > 0) throwProblems(problems, 'the feedback store');
  // Records stored with --allow-unknown-trace stay valid; a missing trace is worth a warning only.
  const known = await readKnownTraceIds(paths.traceStore);
  warn(records.filter((r) => !known.has(r.traceId)).map((r) => `${displayPath(paths.feedbackStore)}: ${r.id}: trace "${r.traceId}" is not in the trace store`));
  let fromFiles = 0;
  if (files.length > 0) {
    const result = await importFeedback(importOptions(args, config, files, true));
    warn(result.warnings);
    fromFiles = result.read;
  }
  if (args.json) process.stdout.write(`${JSON.stringify({ ok: true, storeRecords: records.length, fileRecords: fromFiles }, null, 2)}\n`);
  else
    process.stdout.write(
      `feedback check: ok: ${records.length} stored record(s)${files.length > 0 ? `, ${fromFiles} record(s) in ${files.length} file(s)` : ''} valid\n`,
    );
  return 0;
}

async function runDetect(args: CommandArgs, config: Config): Promise<number> {
  const result = await detectFeedback({ workspace: args.workspace, config });
  for (const s of result.skipped.slice(0, 20)) process.stderr.write(`${s.file}:${s.line}: ${s.reason.split('\n')[0]}\n`);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ traces: result.traces, found: result.found, added: result.added.length, duplicates: result.duplicates, byDetector: result.byDetector, expected: result.expected, records: result.added }, null, 2)}\n`,
    );
    return 0;
  }
  const counts = Object.entries(result.byDetector)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  process.stdout.write(
    `feedback detect: ${result.traces} trace(s), ${result.found} finding(s) (${counts}); ` +
      `${result.added.length} added, ${result.duplicates} already recorded` +
      (result.expected.length > 0 ? `; ${result.expected.length} expected failure(s) skipped (see --json)` : '') +
      '\n',
  );
  return 0;
}

/** A record as `list` shows it: with its derived weight. */
export type ListedFeedback = Feedback & { weight: number };

async function runList(args: CommandArgs, config: Config): Promise<number> {
  const trace = await resolveTraceId(workspacePaths(args.workspace).traceStore, stringFlag(args, 'trace'));
  const source = sourceFlag(args);
  const category = stringFlag(args, 'category');
  const records = (await loadAllFeedback(workspacePaths(args.workspace).feedback))
    .filter(
      (r) =>
        (trace === undefined || r.traceId === trace) && (source === undefined || r.source === source) && (category === undefined || r.category === category),
    )
    .map((r): ListedFeedback => ({ ...r, weight: effectiveWeight(r, config) }));
  if (args.json) {
    process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    return 0;
  }
  if (records.length === 0) {
    process.stdout.write('feedback list: no records\n');
    return 0;
  }
  for (const r of records) {
    // Feedback text is data from people and models: never let it drive the terminal.
    const observation = r.observation.split('\n')[0]!.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
    process.stdout.write(
      `${r.id}  ${r.source.padEnd(8)} w=${r.weight.toFixed(2)}  ${r.status.padEnd(12)} ${r.severity.padEnd(8)} ${r.category}  ` +
        `${r.traceId}${r.spanId ? `/${r.spanId}` : ''}: ${observation.length > 120 ? `${observation.slice(0, 120)}…` : observation}\n`,
    );
  }
  return 0;
}
