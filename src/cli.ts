import minimist from 'minimist';
import { COMMANDS, GLOBAL_OPTIONS, findCommand, renderCommandHelp, renderMainHelp, type CommandSpec } from './commands/specs.js';
import { HarnessError, UsageError } from './errors.js';
import { notGitWarning } from './util/git-repo.js';

/** Where a newcomer starts (install) or runs everything (loop): cycles and harness commits need git. */
const NEEDS_GIT = new Set(['install', 'loop']);

declare const HARNESS_LOOP_VERSION: string;
const VERSION = typeof HARNESS_LOOP_VERSION === 'string' ? HARNESS_LOOP_VERSION : '0.0.0-dev';

/** Parsed flags handed to a command. */
export interface CommandArgs {
  positionals: string[];
  flags: Record<string, unknown>;
  workspace: string;
  json: boolean;
}

type CommandModule = { run(args: CommandArgs): Promise<number | void> };

/** Lazy imports keep start-up light: only the chosen command's code is loaded. */
const LOADERS: Record<string, () => Promise<CommandModule>> = {
  ingest: () => import('./commands/ingest.js'),
  traces: () => import('./commands/traces.js'),
  receive: () => import('./commands/receive.js'),
  batch: () => import('./commands/batch.js'),
  demo: () => import('./commands/demo.js'),
  cycle: () => import('./commands/cycle.js'),
  verify: () => import('./commands/verify.js'),
  ledger: () => import('./commands/ledger.js'),
  feedback: () => import('./commands/feedback.js'),
  evals: () => import('./commands/evals.js'),
  diagnose: () => import('./commands/diagnose.js'),
  harness: () => import('./commands/harness.js'),
  handoff: () => import('./commands/handoff.js'),
  report: () => import('./commands/report.js'),
  review: () => import('./commands/review.js'),
  loop: () => import('./commands/loop.js'),
  'ci-template': () => import('./commands/ci-template.js'),
  install: () => import('./commands/install.js'),
  uninstall: () => import('./commands/install.js').then((m) => ({ run: m.runUninstall })),
};

/** Parses argv against the command's declared flags; unknown flags are a usage error. */
export function parseArgs(spec: CommandSpec, argv: string[]): CommandArgs {
  const options = [...spec.options, ...GLOBAL_OPTIONS];
  const booleans = options.filter((o) => o.type === 'boolean').map((o) => o.flag);
  const strings = options.filter((o) => o.type !== 'boolean').map((o) => o.flag);
  const alias = Object.fromEntries(options.filter((o) => o.alias).map((o) => [o.alias!, o.flag]));
  const unknown: string[] = [];
  const parsed = minimist(argv, {
    boolean: booleans,
    string: strings,
    alias,
    unknown: (arg) => {
      if (arg.startsWith('-')) unknown.push(arg);
      return true;
    },
  });
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown[0]} for '${spec.name}' (see 'harness-loop ${spec.name} --help')`);
  const flags: Record<string, unknown> = {};
  for (const o of options) {
    const raw = parsed[o.flag] as unknown;
    if (raw === undefined || (raw === '' && o.type !== 'string')) {
      if (o.default !== undefined) flags[o.flag] = o.default;
      continue;
    }
    if (o.repeatable) {
      flags[o.flag] = (Array.isArray(raw) ? raw : [raw]).map(String);
      continue;
    }
    if (Array.isArray(raw)) throw new UsageError(`--${o.flag} was given more than once`);
    if (o.type === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${o.flag} must be a non-negative number (got "${String(raw)}")`);
      flags[o.flag] = n;
    } else {
      flags[o.flag] = raw;
    }
  }
  const positionals = parsed._.map(String);
  if (spec.positionals === 'none' && positionals.length > 0) throw new UsageError(`'${spec.name}' takes no arguments (got "${positionals[0]}")`);
  return { positionals, flags, workspace: (flags.workspace as string | undefined) ?? process.cwd(), json: flags.json === true };
}

/** Runs the CLI and returns the exit code; the only place errors become exit codes. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const spec = topic ? findCommand(topic) : undefined;
    process.stdout.write(`${spec ? renderCommandHelp(spec) : renderMainHelp(VERSION)}\n`);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const spec = findCommand(name);
  if (!spec) {
    process.stderr.write(`harness-loop: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}.\n`);
    return 2;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${renderCommandHelp(spec)}\n`);
      return 0;
    }
    const args = parseArgs(spec, rest);
    if (NEEDS_GIT.has(spec.name) && args.flags.user !== true) {
      const warning = notGitWarning(typeof args.flags.target === 'string' ? args.flags.target : args.workspace);
      if (warning) process.stderr.write(`warning: ${warning}\n`);
    }
    const mod = await LOADERS[spec.name]!();
    return (await mod.run(args)) ?? 0;
  } catch (error) {
    if (error instanceof HarnessError) {
      process.stderr.write(`harness-loop ${spec.name}: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`harness-loop ${spec.name}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 2;
  }
}
