/** Command declarations: names, flags and help. Kept free of imports so `--help` stays instant. */

export interface OptionSpec {
  flag: string;
  type: 'string' | 'boolean' | 'number';
  arg?: string;
  description: string;
  default?: string | number | boolean;
  alias?: string;
  /** The flag may be given several times; the command gets a string[] (one item when given once). */
  repeatable?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** A command line that works as shown (every --help has one). */
  example: string;
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
    example: 'harness-loop ingest --last 5            # the five newest Codex sessions of this repository',
    description:
      'Reads files or folders (formats detected per file) into normalized traces, redacting secrets.\n' +
      'With no PATH it reads $CODEX_HOME/sessions (CODEX_HOME defaults to ~/.codex).\n' +
      'Ingesting the same trace twice stores it once. Skipped lines are listed as path:line: reason.',
    positionals: 'any',
    options: [
      { flag: 'from', type: 'string', arg: 'FORMAT', default: 'auto', description: 'auto, rollout, exec, exec-legacy, otlp, otlp-protobuf or agents.' },
      { flag: 'last', type: 'number', arg: 'N', description: 'Keep only the newest N sessions.' },
      { flag: 'since', type: 'string', arg: 'WHEN', description: 'Keep sessions started at or after WHEN (ISO date, or 7d / 12h / 30m ago).' },
      { flag: 'all-repos', type: 'boolean', description: 'Keep sessions whose cwd is outside the workspace too.' },
      { flag: 'strict', type: 'boolean', description: 'Exit 2 when any line is skipped.' },
      { flag: 'dry-run', type: 'boolean', description: 'Read and count, write nothing.' },
      { flag: 'max-line-bytes', type: 'number', arg: 'N', description: 'Skip lines longer than N bytes (default 32 MiB).' },
    ],
  },
  {
    name: 'traces',
    summary: 'List the stored traces, or show one: task, answer, harness, spans and feedback',
    usage: 'harness-loop traces [list [--last N]] | traces show ID',
    example: 'harness-loop traces show 01a2            # any unique prefix of the id is enough',
    description:
      'list: one line per trace, newest first: id, start time, feedback count, harness fingerprint (when the\n' +
      'source tells it), task and answer. show ID: one trace in full: where it was read from, its cwd, models,\n' +
      'task, answer, tokens, spans (errors and exit codes) and the feedback recorded on it. Every command that\n' +
      'takes an id (--trace, --recommendation, --id, --batch) accepts a unique prefix of it.',
    positionals: 'any',
    options: [{ flag: 'last', type: 'number', arg: 'N', description: 'List only the newest N traces.' }],
  },
  {
    name: 'receive',
    summary: 'Run an OTLP/HTTP receiver that Codex [otel] exporters can point at',
    usage: 'harness-loop receive [--port 4318] [--host 127.0.0.1]',
    example: 'harness-loop receive --port 4318        # then point [otel] exporters at http://127.0.0.1:4318',
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
    example: 'harness-loop batch && harness-loop feedback critique --model gpt-5.4-mini',
    description:
      'Writes .harness-loop/batches/batch-NNN.jsonl and manifest.json. A trace is never split;\n' +
      'one that alone exceeds the budget keeps its task, final answer and errors, and long tool\n' +
      'outputs are elided with a marker saying how much was cut.',
    positionals: 'none',
    options: [{ flag: 'max-tokens', type: 'number', arg: 'N', description: 'Token budget per batch (default: 60% of the critic model window).' }],
  },
  {
    name: 'harness',
    summary: 'Show every harness component (AGENTS.md, skills, hooks, config.toml, output schemas, checks) with file and line',
    usage: 'harness-loop harness [--json] [--codex-home DIR]',
    description:
      'Reads each AGENTS.md on the path (root, nested, AGENTS.override.md, the global one in $CODEX_HOME) with its\n' +
      'rules; each skill (name, description, scope, body size); hooks.json handlers; config.toml and profiles\n' +
      '(model, reasoning effort, sandbox, network access, approval policy, MCP servers, features); output\n' +
      "schemas; validation scripts (package.json scripts, pre-commit, CI workflows). harness-loop's own skill,\n" +
      'hooks and AGENTS.md block are marked as such: diagnosis never targets them.',
    example: "harness-loop harness --json | jq '.config[].settings'   # every Codex setting with file and line",
    positionals: 'none',
    options: [{ flag: 'codex-home', type: 'string', arg: 'DIR', description: 'User layer to read (default: $CODEX_HOME, else ~/.codex).' }],
  },
  {
    name: 'diagnose',
    summary: 'Rank harness changes from traces, feedback and the latest eval results',
    usage: 'harness-loop diagnose [--llm [--model M] [--codex-bin PATH] [-c KEY=VALUE]…]',
    example: 'harness-loop diagnose && harness-loop handoff',
    description:
      'Clusters failures by what the traces show (error class, command pattern, exit code, files, skills,\n' +
      'failed assertion; a feedback category is only a hint) and proposes the change at the harness\n' +
      'component that could have prevented each cluster (see `harness-loop harness`), naming files, keys\n' +
      'and lines. Ranks by evidence weight (human above detector and hook above checked LLM; unverified\n' +
      'LLM feedback counts for nothing) x severity x breadth x layer speed / effort; a change the ledger\n' +
      'shows did not help is not proposed again.\n' +
      '--llm (or diagnose.llm in the config) also asks a model (codex exec --output-schema, one pass per\n' +
      'batch) for its top 5; a proposal is kept only when every id it cites exists and every file is an\n' +
      'editable harness file, merged with the cluster holding the same evidence and scored the same way.\n' +
      'Answers are kept in .harness-loop/diagnosis/llm/ and reused while their input is unchanged.\n' +
      'Exit 1 when a batch got no valid answer (the rest is still written).\n' +
      'Writes .harness-loop/diagnosis/recommendations.json.',
    positionals: 'none',
    options: [
      { flag: 'llm', type: 'boolean', description: 'Also ask an LLM for recommendations over the batches (needs harness-loop batch).' },
      { flag: 'model', type: 'string', arg: 'MODEL', description: 'Model for --llm (default: critic.model in the config).' },
      { flag: 'codex-bin', type: 'string', arg: 'PATH', description: 'Codex CLI for --llm (default: critic.codexBin, "codex"); a .js file runs with node.' },
      {
        flag: 'codex-config',
        alias: 'c',
        type: 'string',
        arg: 'KEY=VALUE',
        repeatable: true,
        description: 'Extra codex -c override for --llm, repeatable (applied after critic.codexConfig).',
      },
      { flag: 'allow-same-model', type: 'boolean', description: 'Let --llm use a model that produced the traces.' },
    ],
  },
  {
    name: 'handoff',
    summary: 'Write .harness-loop/codex_handoff.md: THE change for this cycle and the ranked rest',
    usage: 'harness-loop handoff',
    example: 'harness-loop handoff && less .harness-loop/codex_handoff.md',
    positionals: 'none',
    options: [],
  },
  {
    name: 'report',
    summary: 'Write .harness-loop/report.html: pass rate per cycle, recommendations, failures, feedback, traces',
    usage: 'harness-loop report',
    example: 'harness-loop report && open .harness-loop/report.html',
    description:
      'One self-contained HTML page that loads nothing from the network: pass rate per ledger cycle,\n' +
      'the ranked recommendations linked to their traces, failures by category, feedback by source and\n' +
      "each trace's spans as a timeline. Stages not run yet are shown as such, with the command to run.",
    positionals: 'none',
    options: [],
  },
  {
    name: 'review',
    summary: 'Serve a local web app to review traces and annotate them (feedback, accept/reject critiques)',
    usage: 'harness-loop review [--port 0] [--host 127.0.0.1] [--open]',
    example: 'harness-loop review --open',
    description:
      'Prints the URL (with a random per-run token) on stdout and serves until Ctrl-C: a queue of traces,\n' +
      'worst first (failing tests, detector and hook findings, unreviewed LLM critiques), each trace with its\n' +
      'answer, cited sources and spans, a feedback form, and accept / reject for LLM critiques. Saving goes\n' +
      'through the validation of `feedback add` and appends to .harness-loop/feedback/feedback.jsonl.\n' +
      'Keys: j / k next and previous trace, a accept and r reject the first waiting critique.',
    positionals: 'none',
    options: [
      { flag: 'port', type: 'number', arg: 'PORT', default: 0, description: 'Port to listen on (0 picks a free one).' },
      { flag: 'host', type: 'string', arg: 'HOST', default: '127.0.0.1', description: 'Address to bind (keep loopback unless you know why not).' },
      { flag: 'open', type: 'boolean', description: 'Open the URL in the default browser.' },
    ],
  },
  {
    name: 'loop',
    summary: 'Run every stage: ingest, detect, (critique), evals build and run, diagnose, handoff',
    usage: 'harness-loop loop [PATH…] [--implement] [options]',
    example: 'harness-loop loop                       # newest 5 sessions of this repository, every stage, then the handoff',
    description:
      'Prints one line per stage with counts and timings and ends with the handoff and the next step.\n' +
      'Each stage reads and writes only its own artefacts, so any stage can be re-run alone.\n' +
      'With no PATH it reads the newest 5 sessions of this repository. --implement then starts a\n' +
      'cycle, has `codex exec` implement THE change, and runs `verify`: only `improved` is worth a commit;\n' +
      'regressed, inconclusive and not_measured exit 1. --provider codex runs the eval tasks with\n' +
      '`codex exec` (evals run, and verify as live A/B runs against the cycle-start harness).',
    positionals: 'any',
    options: [
      { flag: 'last', type: 'number', arg: 'N', description: 'Keep only the newest N sessions (default 5 when no PATH is given).' },
      { flag: 'since', type: 'string', arg: 'WHEN', description: 'Keep sessions started at or after WHEN.' },
      { flag: 'all-repos', type: 'boolean', description: 'Keep sessions whose cwd is outside the workspace too.' },
      { flag: 'from', type: 'string', arg: 'FORMAT', default: 'auto', description: 'Trace format, as for ingest.' },
      { flag: 'critique', type: 'boolean', description: 'Batch the traces and run the LLM critic (Codex, a different model).' },
      { flag: 'grader', type: 'string', arg: 'ID', description: 'Rubric grader: replay (recorded verdicts) or a Promptfoo provider id.' },
      { flag: 'promptfoo-bin', type: 'string', arg: 'PATH', description: 'Run another Promptfoo.' },
      { flag: 'provider', type: 'string', arg: 'NAME', description: 'Eval provider: replay (recorded answers) or codex (run each task with codex exec).' },
      { flag: 'implement', type: 'boolean', description: 'Start a cycle and let codex exec implement THE change, then verify.' },
      { flag: 'skip-verify', type: 'boolean', description: 'With --implement: leave the cycle open for a separate `harness-loop verify`.' },
      { flag: 'codex-bin', type: 'string', arg: 'PATH', description: 'Codex binary for --implement and --provider codex (default: critic.codexBin).' },
      {
        flag: 'codex-config',
        alias: 'c',
        type: 'string',
        arg: 'KEY=VALUE',
        repeatable: true,
        description: 'Extra -c override for codex (repeatable; --implement and --provider codex).',
      },
      { flag: 'model', type: 'string', arg: 'MODEL', description: 'Model for the implementing Codex session and --provider codex.' },
      {
        flag: 'keep-runs',
        type: 'boolean',
        description: "Keep each eval run's scratch copy and CODEX_HOME in the temporary folder, for debugging (--provider codex).",
      },
      {
        flag: 'repeat',
        type: 'number',
        arg: 'N',
        description: 'Runs per test and side when verify uses --provider codex (default: evals.repeat in config, else 1).',
      },
    ],
  },
  {
    name: 'ci-template',
    summary: 'Print a CI workflow that runs the loop on a schedule (github)',
    usage: 'harness-loop ci-template github [--cron "17 6 * * 1"] > .github/workflows/harness-loop.yml',
    example: 'harness-loop ci-template github > .github/workflows/harness-loop.yml',
    description:
      'The workflow runs weekly and on demand: installs the bundle, runs `harness-loop loop --implement`,\n' +
      'then `harness-loop verify --provider codex`, and opens a pull request titled "harness: <change>" only\n' +
      'when the verdict is improved.',
    positionals: 'any',
    options: [{ flag: 'cron', type: 'string', arg: 'CRON', description: 'Schedule (default: Mondays 06:17 UTC).' }],
  },
  {
    name: 'install',
    summary: 'Copy the skill, hooks and CLI bundle into a repository (or $CODEX_HOME)',
    usage: 'harness-loop install [--target DIR] [--user] [--trust]',
    example: 'harness-loop install --target ~/src/my-repo --trust',
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
    example: 'harness-loop uninstall --target ~/src/my-repo',
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
    usage: 'harness-loop feedback <add|import|check|detect|critique|list> [FILE…] [options]',
    example: 'harness-loop feedback add --trace 01a2 --category citation_error --severity high --observation "Cites a file that does not exist"',
    description:
      'Subcommands:\n' +
      '  add      --trace ID --category C --severity S --observation TEXT [--evidence …]: append a human record;\n' +
      '           --positive records praise instead (a "keep" test that passes on the praised answer), e.g.\n' +
      '           harness-loop feedback add --positive --trace 01a2… --observation "Names both sources and their dates"\n' +
      '  import   FILE…: JSON, JSONL or YAML, article shape {trace_id, category, severity, observation, evidence}\n' +
      '           or cookbook shape {theme, summary, required_observations, prohibited_claims}; files may be keyed by trace id\n' +
      '  check    [FILE…]: validate the store (and FILEs, writing nothing)\n' +
      '  detect   derive records from the traces: failed commands, tool errors, hook blocks, missing cited\n' +
      '           files, missing sections, errored turns, runaway token use. Expected failures (a command the\n' +
      '           task asked for, probes such as test/grep -q/which, a command that later succeeded) are left\n' +
      '           out and listed with their reason in --json (`expected`); detect.ignore in the config tunes it\n' +
      '  critique ask an LLM critic (codex exec --output-schema, one pass per batch from `harness-loop batch`)\n' +
      '           for observations; each is checked against the traces (trace and span ids exist, quotes occur\n' +
      '           verbatim): checked ones are stored active, the rest unverified (never tests). Answered batches\n' +
      '           are kept in .harness-loop/critique/ and skipped on a re-run. Exit 1 when a batch got no valid\n' +
      '           answer (reported with its id, nothing merged from it); exit 2 when the critic model also\n' +
      '           produced the traces (unless --allow-same-model) or codex cannot be started\n' +
      '  list     print records with source, weight and status\n' +
      'Invalid records are listed as file:line: field: message and nothing is written (exit 2).\n' +
      'A trace id not in the trace store is an error unless --allow-unknown-trace is given.',
    positionals: 'any',
    options: [
      {
        flag: 'trace',
        type: 'string',
        arg: 'ID',
        description: 'Trace the feedback is about (add); default trace for records without one (import); filter (list).',
      },
      { flag: 'span', type: 'string', arg: 'ID', description: 'Span inside the trace (add).' },
      { flag: 'category', type: 'string', arg: 'C', description: 'e.g. citation_error, missing_artifact, tool_error; free text allowed (add); filter (list).' },
      { flag: 'severity', type: 'string', arg: 'S', description: 'low, medium, high or critical (add).' },
      { flag: 'observation', type: 'string', arg: 'TEXT', description: 'What you saw (add).' },
      { flag: 'evidence', type: 'string', arg: 'TEXT', description: 'Files, span ids or quotes backing it, one per line (add).' },
      { flag: 'author', type: 'string', arg: 'NAME', description: 'Who wrote it (default: $USER for add, import:<file> for import).' },
      { flag: 'required', type: 'string', arg: 'LIST', description: 'Required observations, one per line (or comma-separated) (add).' },
      { flag: 'prohibited', type: 'string', arg: 'LIST', description: 'Prohibited claims, one per line (or comma-separated) (add).' },
      { flag: 'source', type: 'string', arg: 'SRC', description: 'human, llm, detector or hook (default human); filter (list).' },
      { flag: 'positive', type: 'boolean', description: 'Praise: a quality to keep, not a problem (add; severity defaults to medium, category to praised).' },
      { flag: 'allow-unknown-trace', type: 'boolean', description: 'Accept trace ids not in the trace store, with a warning.' },
      { flag: 'model', type: 'string', arg: 'MODEL', description: 'Critic model (critique; default: critic.model in the config).' },
      {
        flag: 'codex-bin',
        type: 'string',
        arg: 'PATH',
        description: 'Codex CLI to run (critique; default: critic.codexBin, "codex"); a .js file runs with node.',
      },
      {
        flag: 'codex-config',
        alias: 'c',
        type: 'string',
        arg: 'KEY=VALUE',
        repeatable: true,
        description: 'Extra codex -c override, repeatable (critique; applied after critic.codexConfig).',
      },
      { flag: 'allow-same-model', type: 'boolean', description: 'Let the critic be a model that produced the traces (critique).' },
      { flag: 'batch', type: 'string', arg: 'ID', description: 'Only this batch, by id or file name (critique).' },
    ],
  },
  {
    name: 'evals',
    summary: 'Build, run, list and prune the Promptfoo eval suite generated from feedback',
    usage: 'harness-loop evals <build|run|list|prune|verdicts> [options]',
    example: 'harness-loop evals build && harness-loop evals run',
    description:
      'Subcommands:\n' +
      '  build   write .harness-loop/evals/promptfooconfig.yaml: one test per feedback cluster (trace task +\n' +
      '          category), deterministic assertions first, llm-rubric for the rest. A ratchet: rebuilding\n' +
      '          keeps every existing test and your edits to it, and only adds.\n' +
      '  run     run the real Promptfoo offline (replay provider: the answers recorded in the traces;\n' +
      '          llm-rubric graded from .harness-loop/evals/rubric-verdicts.jsonl unless an API key is set)\n' +
      '          and write .harness-loop/results/<run-id>.json. Exit 0 all pass, 1 some fail, 2 promptfoo failed.\n' +
      '          --provider codex runs each task with `codex exec --json` in a scratch copy of the workspace\n' +
      '          (the whole harness as it is now: AGENTS.md, skills, .codex/config.toml and hooks, the copy\n' +
      '          trusted in a CODEX_HOME of its own) and ingests every run into the trace store as a new trace.\n' +
      '          e.g. harness-loop evals run --provider codex --model gpt-5.5 --keep-runs\n' +
      '  list    tests with their last result; flags tests with no failure for N cycles as prune candidates\n' +
      '  prune   --id ID --reason TEXT: the only way a test leaves the suite; logged in prune-log.jsonl\n' +
      '  verdicts  list the rubrics of the latest run that wait for a verdict, e.g. harness-loop evals verdicts --json\n' +
      'Offline llm-rubric verdicts: one JSON object per line in .harness-loop/evals/rubric-verdicts.jsonl,\n' +
      '  {"testId": "ev-…", "rubricHash": "rb-…", "answerHash": "ah-…", "grader": "human", "pass": true, "score": 1, "reason": "…"}\n' +
      '  keyed by rubric, answer and grader: an identical answer is never judged twice, a changed one needs a new\n' +
      '  verdict. A rubric without a verdict is unjudged: counted apart, outside the pass rate, never a failure;\n' +
      '  record verdicts in `harness-loop review` (praise records its own on the praised answer).',
    positionals: 'any',
    options: [
      { flag: 'cycle', type: 'number', arg: 'N', description: 'Cycle to record (build, run; default: the open cycle, else the next one).' },
      {
        flag: 'promptfoo-bin',
        type: 'string',
        arg: 'PATH',
        description: 'Promptfoo to run instead of the bundled one: a .js entry or an executable (run; or evals.promptfooBin in config).',
      },
      {
        flag: 'grader',
        type: 'string',
        arg: 'ID',
        description:
          'llm-rubric grader: replay (recorded verdicts) or a Promptfoo provider id (run; default: openai:<critic.model> when OPENAI_API_KEY is set, else replay).',
      },
      {
        flag: 'provider',
        type: 'string',
        arg: 'NAME',
        description: 'replay (score the recorded answers) or codex (run each task with codex exec) (run; default: evals.provider in config, else replay).',
      },
      {
        flag: 'codex-bin',
        type: 'string',
        arg: 'PATH',
        description: 'Codex CLI for --provider codex (run; default: evals.codex.codexBin, else critic.codexBin); a .js file runs with node.',
      },
      {
        flag: 'codex-config',
        alias: 'c',
        type: 'string',
        arg: 'KEY=VALUE',
        repeatable: true,
        description: 'Extra codex -c override for --provider codex, repeatable (run; after evals.codex.codexConfig).',
      },
      { flag: 'model', type: 'string', arg: 'MODEL', description: 'Model for --provider codex (run; default: evals.codex.model, else the Codex default).' },
      {
        flag: 'keep-runs',
        type: 'boolean',
        description: "Keep each run's scratch copy and CODEX_HOME (trusted config) after the run, for debugging (run; --provider codex).",
      },
      {
        flag: 'repeat',
        type: 'number',
        arg: 'N',
        description: 'Run each test N times (Promptfoo --repeat; a test passes when every run does) (run; default: evals.repeat in config, else 1).',
      },
      { flag: 'stale-after', type: 'number', arg: 'N', description: 'Cycles without a failure before a test is a prune candidate (list; default 3).' },
      { flag: 'id', type: 'string', arg: 'ID', description: 'Test to prune (prune).' },
      { flag: 'reason', type: 'string', arg: 'TEXT', description: 'Why the test can go, kept in the prune log (prune).' },
    ],
  },
  {
    name: 'cycle',
    summary: 'Start, show or abandon an improvement cycle (.harness-loop/cycle.json)',
    usage: 'harness-loop cycle start [--recommendation ID] [--abandon] | cycle status | cycle abandon',
    example: 'harness-loop cycle start                # baseline recorded, edit guard on; then make THE change and run verify',
    description:
      'start: records the latest eval run as the baseline, the chosen recommendation (default: rank 1)\n' +
      'and hashes of the harness and workspace files, and puts the edit guard in the implement phase.\n' +
      'Refuses while a cycle is open; --abandon ends the open one (with a ledger entry) first.\n' +
      'status: the open cycle and the files changed so far. abandon: ends the cycle without a verdict.',
    positionals: 'any',
    options: [
      { flag: 'recommendation', type: 'string', arg: 'ID', description: 'Recommendation to implement (start; default: the rank-1 one).' },
      { flag: 'abandon', type: 'boolean', description: 'End the open cycle with a ledger entry before starting (start).' },
    ],
  },
  {
    name: 'verify',
    summary: 'Measure the change: re-run the suite under the changed harness, judge it, append to the ledger',
    usage: 'harness-loop verify [--provider codex] [--repeat N] [--results FILE] [--accept-regression REASON] [--accept-breach REASON]',
    example: 'harness-loop verify --provider codex --repeat 3',
    description:
      'Counts only answers from runs under the changed harness (a trace whose harness fingerprint differs\n' +
      "from the baseline's; see docs/harness-fingerprint.md). Verdicts: improved (exact sign test over run\n" +
      'pairs, p < 0.05), unchanged, regressed (exit 1, named), inconclusive (exit 1, says the repeats needed),\n' +
      'not_measured (exit 1, says how to measure). improved and unchanged close the cycle; only improved is\n' +
      'worth committing. Refuses (exit 1), naming them, when the suite, providers, verdicts, results, traces,\n' +
      'feedback or guard changed during the cycle, or when a file outside the harness changed.\n' +
      "replay scores each test's newest recorded answer to its task; --provider codex runs every task\n" +
      'N times under the changed harness and under the cycle-start harness, interleaved (A/B).\n' +
      'Every run appends one line to .harness-loop/ledger.jsonl.',
    positionals: 'none',
    options: [
      { flag: 'results', type: 'string', arg: 'FILE', description: 'Judge this results file instead of re-running the suite.' },
      {
        flag: 'accept-regression',
        type: 'string',
        arg: 'REASON',
        description: 'Let regressions through and make this run the new baseline; the reason is recorded.',
      },
      { flag: 'accept-breach', type: 'string', arg: 'REASON', description: 'Let a one-change rule breach through; the reason is recorded.' },
      { flag: 'grader', type: 'string', arg: 'ID', description: 'Rubric grader for the re-run: replay (recorded verdicts) or a Promptfoo provider id.' },
      { flag: 'promptfoo-bin', type: 'string', arg: 'PATH', description: 'Run another Promptfoo for the re-run.' },
      { flag: 'provider', type: 'string', arg: 'NAME', description: 'Provider for the re-run: replay or codex (re-run each task with the changed harness).' },
      { flag: 'codex-bin', type: 'string', arg: 'PATH', description: 'Codex CLI for --provider codex.' },
      {
        flag: 'codex-config',
        alias: 'c',
        type: 'string',
        arg: 'KEY=VALUE',
        repeatable: true,
        description: 'Extra codex -c override for --provider codex (repeatable).',
      },
      { flag: 'model', type: 'string', arg: 'MODEL', description: 'Model for --provider codex.' },
      { flag: 'keep-runs', type: 'boolean', description: "Keep each run's scratch copy and CODEX_HOME after the re-run, for debugging (--provider codex)." },
      { flag: 'repeat', type: 'number', arg: 'N', description: 'Runs per test and side with --provider codex (default: evals.repeat in config, else 1).' },
    ],
  },
  {
    name: 'ledger',
    summary: 'Print the cycle history from .harness-loop/ledger.jsonl',
    usage: 'harness-loop ledger [--json]',
    example: 'harness-loop ledger',
    positionals: 'none',
    options: [],
  },
  {
    name: 'demo',
    summary: 'Run the loop on the bundled example workspace and print what it wrote',
    usage: 'harness-loop demo [--out DIR]',
    example: 'harness-loop demo --out /tmp/hl-demo    # keep the workspace to look at afterwards',
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

/** Top-level help follows the loop: set up, read, judge, change, check, look; then automation. */
export const HELP_GROUPS: { title: string; commands: string[] }[] = [
  { title: 'Start', commands: ['install', 'demo'] },
  { title: 'The loop, in order', commands: ['ingest', 'receive', 'traces', 'feedback', 'batch', 'evals', 'diagnose', 'handoff', 'cycle', 'verify', 'ledger'] },
  { title: 'All stages at once', commands: ['loop'] },
  { title: 'Look and review', commands: ['report', 'review'] },
  { title: 'Automate and remove', commands: ['ci-template', 'uninstall'] },
];

export function renderMainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const grouped = new Set(HELP_GROUPS.flatMap((g) => g.commands));
  const groups = [...HELP_GROUPS, { title: 'Other', commands: COMMANDS.map((c) => c.name).filter((n) => !grouped.has(n)) }].filter((g) =>
    g.commands.some((n) => findCommand(n)),
  );
  return [
    `harness-loop ${version}: improve a Codex harness from evidence`,
    '',
    'Usage: harness-loop <command> [options]',
    '',
    ...groups.flatMap((g) => [
      `${g.title}:`,
      ...g.commands
        .map((n) => findCommand(n))
        .filter((c): c is CommandSpec => c !== undefined)
        .map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
      '',
    ]),
    'Global options:',
    formatOptions(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 ok, 1 a check or gate said no, 2 bad usage or input.',
    'First time? `harness-loop demo` runs one whole cycle on a bundled example, offline.',
    "Run 'harness-loop <command> --help' for a command's options and an example.",
  ].join('\n');
}

export function renderCommandHelp(spec: CommandSpec): string {
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.summary + '.',
    ...(spec.description ? ['', spec.description] : []),
    '',
    'Example:',
    `  ${spec.example}`,
    '',
    'Options:',
    formatOptions([...spec.options, ...GLOBAL_OPTIONS]),
  ].join('\n');
}
