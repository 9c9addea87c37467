/** Command declarations: names, flags and help. Kept free of imports so `--help` stays instant. */

export interface OptionSpec {
  flag: string;
  type: 'string' | 'boolean' | 'number';
  arg?: string;
  description: string;
  default?: string | number | boolean;
  alias?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  options: OptionSpec[];
  /** How many positional arguments the command takes ('any' for a list). */
  positionals: 'none' | 'any';
}

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { flag: 'workspace', alias: 'C', type: 'string', arg: 'DIR', description: 'Workspace root (default: the current directory).' },
  { flag: 'json', type: 'boolean', description: 'Print the result as JSON on stdout.' },
  { flag: 'help', alias: 'h', type: 'boolean', description: 'Show help.' },
];

export const COMMANDS: CommandSpec[] = [
  {
    name: 'ingest',
    summary: 'Read traces (Codex rollouts, exec --json, OTLP, Agents SDK) into .harness-loop/traces/',
    usage: 'harness-loop ingest [PATH…] [options]',
    description:
      'Reads files or folders (formats detected per file) into normalized traces, redacting secrets.\n' +
      'With no PATH it reads $CODEX_HOME/sessions (CODEX_HOME defaults to ~/.codex).\n' +
      'Ingesting the same trace twice stores it once. Skipped lines are listed as path:line: reason.',
    positionals: 'any',
    options: [
      { flag: 'from', type: 'string', arg: 'FORMAT', default: 'auto', description: 'auto, rollout, exec, otlp, otlp-protobuf or agents.' },
      { flag: 'last', type: 'number', arg: 'N', description: 'Keep only the newest N sessions.' },
      { flag: 'since', type: 'string', arg: 'WHEN', description: 'Keep sessions started at or after WHEN (ISO date, or 7d / 12h / 30m ago).' },
      { flag: 'all-repos', type: 'boolean', description: 'Keep sessions whose cwd is outside the workspace too.' },
      { flag: 'strict', type: 'boolean', description: 'Exit 2 when any line is skipped.' },
      { flag: 'dry-run', type: 'boolean', description: 'Read and count, write nothing.' },
      { flag: 'max-line-bytes', type: 'number', arg: 'N', description: 'Skip lines longer than N bytes (default 32 MiB).' },
    ],
  },
  {
    name: 'receive',
    summary: 'Run an OTLP/HTTP receiver that Codex [otel] exporters can point at',
    usage: 'harness-loop receive [--port 4318] [--host 127.0.0.1]',
    description:
      'Accepts POST /v1/logs, /v1/traces (and / by sniffing), application/json or application/x-protobuf,\n' +
      'optionally gzip-encoded. Writes normalized traces as conversations go quiet, and everything\n' +
      'accepted on SIGINT/SIGTERM.',
    positionals: 'none',
    options: [
      { flag: 'port', type: 'number', arg: 'PORT', default: 4318, description: 'Port to listen on (0 picks a free one).' },
      { flag: 'host', type: 'string', arg: 'HOST', default: '127.0.0.1', description: 'Address to bind.' },
      { flag: 'max-body', type: 'number', arg: 'BYTES', default: 33554432, description: 'Largest accepted request body; larger gets 413.' },
      { flag: 'idle-ms', type: 'number', arg: 'MS', default: 30000, description: 'Write a conversation after this long without new records.' },
    ],
  },
  {
    name: 'batch',
    summary: 'Split the trace store into token-bounded batches for LLM passes',
    usage: 'harness-loop batch [--max-tokens N]',
    description:
      'Writes .harness-loop/batches/batch-NNN.jsonl and manifest.json. A trace is never split;\n' +
      'one that alone exceeds the budget keeps its task, final answer and errors, and long tool\n' +
      'outputs are elided with a marker saying how much was cut.',
    positionals: 'none',
    options: [
      { flag: 'max-tokens', type: 'number', arg: 'N', description: 'Token budget per batch (default: 60% of the critic model window).' },
    ],
  },
  {
    name: 'install',
    summary: 'Copy the skill, hooks and CLI bundle into a repository (or $CODEX_HOME)',
    usage: 'harness-loop install [--target DIR] [--user] [--trust]',
    description:
      'Adds .agents/skills/harness-improvement/, .codex/harness-loop/ (CLI and hooks, runnable with plain node),\n' +
      'merges two hook entries into .codex/hooks.json, adds a marked block to AGENTS.md and creates\n' +
      '.harness-loop/config.yaml when absent. Installing twice changes nothing. --trust records the\n' +
      "hooks' trusted hashes (and project trust) in $CODEX_HOME/config.toml.",
    positionals: 'none',
    options: [
      { flag: 'target', type: 'string', arg: 'DIR', description: 'Repository to install into (default: the workspace).' },
      { flag: 'user', type: 'boolean', description: 'Install into $CODEX_HOME for every repository.' },
      { flag: 'trust', type: 'boolean', description: 'Trust the installed hooks in $CODEX_HOME/config.toml.' },
    ],
  },
  {
    name: 'uninstall',
    summary: 'Remove exactly what install added',
    usage: 'harness-loop uninstall [--target DIR] [--user]',
    description: 'Files changed since install are kept and listed; your own hooks, AGENTS.md text and config stay.',
    positionals: 'none',
    options: [
      { flag: 'target', type: 'string', arg: 'DIR', description: 'Repository to uninstall from (default: the workspace).' },
      { flag: 'user', type: 'boolean', description: 'Uninstall from $CODEX_HOME.' },
    ],
  },
  {
    name: 'feedback',
    summary: 'Record, import, check and detect feedback on traces (.harness-loop/feedback/)',
    usage: 'harness-loop feedback <add|import|check|detect|list> [FILE…] [options]',
    description:
      'Subcommands:\n' +
      '  add      --trace ID --category C --severity S --observation TEXT [--evidence …]: append a human record\n' +
      '  import   FILE…: JSON, JSONL or YAML, article shape {trace_id, category, severity, observation, evidence}\n' +
      '           or cookbook shape {theme, summary, required_observations, prohibited_claims}; files may be keyed by trace id\n' +
      '  check    [FILE…]: validate the store (and FILEs, writing nothing)\n' +
      '  detect   derive records from the traces: failed commands, tool errors, hook blocks, missing cited\n' +
      '           files, missing sections, errored turns, runaway token use\n' +
      '  list     print records with source, weight and status\n' +
      'Invalid records are listed as file:line: field: message and nothing is written (exit 2).\n' +
      'A trace id not in the trace store is an error unless --allow-unknown-trace is given.',
    positionals: 'any',
    options: [
      { flag: 'trace', type: 'string', arg: 'ID', description: 'Trace the feedback is about (add); default trace for records without one (import); filter (list).' },
      { flag: 'span', type: 'string', arg: 'ID', description: 'Span inside the trace (add).' },
      { flag: 'category', type: 'string', arg: 'C', description: 'e.g. citation_error, missing_artifact, tool_error; free text allowed (add); filter (list).' },
      { flag: 'severity', type: 'string', arg: 'S', description: 'low, medium, high or critical (add).' },
      { flag: 'observation', type: 'string', arg: 'TEXT', description: 'What you saw (add).' },
      { flag: 'evidence', type: 'string', arg: 'TEXT', description: 'Files, span ids or quotes backing it, one per line (add).' },
      { flag: 'author', type: 'string', arg: 'NAME', description: 'Who wrote it (default: $USER for add, import:<file> for import).' },
      { flag: 'required', type: 'string', arg: 'LIST', description: 'Required observations, one per line (or comma-separated) (add).' },
      { flag: 'prohibited', type: 'string', arg: 'LIST', description: 'Prohibited claims, one per line (or comma-separated) (add).' },
      { flag: 'source', type: 'string', arg: 'SRC', description: 'human, llm, detector or hook (default human); filter (list).' },
      { flag: 'allow-unknown-trace', type: 'boolean', description: 'Accept trace ids not in the trace store, with a warning.' },
    ],
  },
  {
    name: 'demo',
    summary: 'Run the loop on the bundled example workspace and print what it wrote',
    usage: 'harness-loop demo [--out DIR]',
    positionals: 'none',
    options: [{ flag: 'out', type: 'string', arg: 'DIR', description: 'Where to copy the example (default: a fresh temp folder).' }],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

function formatOptions(options: OptionSpec[]): string {
  const rows = options.map((o) => {
    const left = `${o.alias ? `-${o.alias}, ` : '    '}--${o.flag}${o.arg ? ` ${o.arg}` : ''}`;
    const def = o.default !== undefined ? ` (default: ${o.default})` : '';
    return [left, `${o.description}${def}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`).join('\n');
}

export function renderMainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `harness-loop ${version}: improve a Codex harness from evidence`,
    '',
    'Usage: harness-loop <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Global options:',
    formatOptions(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 ok, 1 a check or gate said no, 2 bad usage or input.',
    "Run 'harness-loop <command> --help' for a command's options.",
  ].join('\n');
}

export function renderCommandHelp(spec: CommandSpec): string {
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.summary + '.',
    ...(spec.description ? ['', spec.description] : []),
    '',
    'Options:',
    formatOptions([...spec.options, ...GLOBAL_OPTIONS]),
  ].join('\n');
}
