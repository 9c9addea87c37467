// What the traces show, read off the spans: each failing step becomes an incident with an error
// class and a subject (a command pattern, an MCP server, a hook, a host), and each trace an
// activity record (files read and written, skills read). Clusters are built from these, not from
// the free-text category of the feedback. Pure.
import { isAbsolute, relative } from 'node:path';
import { toolCallWrites } from '../checks/tool-writes.js';
import { spanCommandText, spanOutputText } from '../feedback/detectors/common.js';
import type { Span, Trace } from '../schema/trace.js';

/** Error classes, from the most specific to the least. */
export const ERROR_CLASSES = [
  'sandbox_denied',
  'network',
  'mcp_startup',
  'mcp_call',
  'hook_error',
  'hook_slow',
  'timeout',
  'file_not_found',
  'model_error',
  'command_failed',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** One failing step of a trace. */
export interface Incident {
  traceId: string;
  spanId: string;
  errorClass: ErrorClass;
  /** What failed: `npm test`, `mcp:issues`, `hook:<command>`, `host:registry.npmjs.org`. */
  subject: string;
  tool: string;
  command: string | null;
  exitCode: number | null;
  /** The error text, whitespace collapsed, at most 400 characters. */
  text: string;
  /** A path the step could not find, when the class is file_not_found. */
  missingPath?: string;
  durationMs?: number | null;
}

/** What one trace did, for matching skills, rules and output globs. */
export interface TraceActivity {
  traceId: string;
  task: string;
  /** Workspace-relative paths the agent wrote (apply_patch or shell). */
  written: string[];
  /** Paths that shell commands named (cat, sed, rg, …) and tool inputs referred to. */
  read: string[];
  /** SKILL.md files the agent opened or had injected. */
  skillsRead: string[];
  /** Skills named with `$name` in the task (Codex injects those whole). */
  skillNames: string[];
  /** First words of each command run, e.g. `npm test`. */
  commands: string[];
}

/** A span slower than this is reported as a slow hook. */
export const SLOW_HOOK_MS = 2_000;

const PATTERNS: [ErrorClass, RegExp][] = [
  [
    'sandbox_denied',
    /operation not permitted|permission denied|read-only file system|EACCES|EPERM|sandbox(?:ed)? (?:denied|blocked|violation)|blocked by (?:the )?sandbox|seccomp|landlock/i,
  ],
  [
    'network',
    /could not resolve host|getaddrinfo|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|network is unreachable|temporary failure in name resolution|failed to connect to|connection (?:refused|timed out)|no route to host|network access (?:is )?(?:disabled|denied|blocked)|unable to access 'https?:/i,
  ],
  ['timeout', /timed out|timeout expired|deadline exceeded|ETIMEDOUT/i],
  ['file_not_found', /no such file or directory|ENOENT|cannot find (?:module|file|path)|file not found|does not exist|cannot access/i],
];

const MCP_STARTUP = /MCP (?:client|server)(?: for| named)?\s+[`"']?([\w.-]+)[`"']?[^\n]*?(?:failed|not (?:start|initiali[sz]e)|handshak|timed out)/i;

/** The first two words of a command, skipping env assignments and `cd … &&`. */
export function commandPattern(command: string): string {
  const last = command
    .split(/&&|\|\||;/)
    .map((s) => s.trim())
    .filter(Boolean);
  const main = last.find((s) => !/^cd\s/.test(s)) ?? last[0] ?? command;
  const words = main
    .replace(/^(?:\w+=\S+\s+)+/, '')
    .replace(/^(?:bash|sh|zsh)\s+-l?c\s+['"]?/, '')
    .split(/\s+/)
    .filter(Boolean);
  const tool = words[0] ?? '';
  const second =
    words[1] && !words[1].startsWith('-') && /^(npm|pnpm|yarn|npx|git|cargo|go|python3?|pip|make|docker|kubectl|uv|node|bun|deno)$/.test(tool)
      ? ` ${words[1]}`
      : '';
  return `${tool.replace(/^.*\//, '')}${second}`;
}

function collapse(text: string, max = 400): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : t.slice(0, max);
}

function missingPathOf(text: string): string | undefined {
  const m =
    /(?:^|\s|'|")((?:\.{0,2}\/)?[\w.@-]+(?:\/[\w.@-]+)+|[\w-]+\.\w{1,6})['"]?:? (?:No such file or directory)/i.exec(text) ??
    /(?:ENOENT[^'"]*['"])([^'"]+)['"]/.exec(text) ??
    /cannot access '([^']+)'/.exec(text);
  return m?.[1];
}

function classify(text: string): ErrorClass | null {
  for (const [cls, re] of PATTERNS) if (re.test(text)) return cls;
  return null;
}

/** The incident a span stands for, or null when it succeeded. */
export function incidentOf(trace: Trace, span: Span): Incident | null {
  const base = { traceId: trace.id, spanId: span.id, tool: span.name, durationMs: span.durationMs };
  const output = `${span.error ?? ''}\n${spanOutputText(span)}`;
  if (span.kind === 'hook') {
    const command = typeof span.attributes.command === 'string' ? span.attributes.command : span.name;
    if (span.status === 'error')
      return { ...base, errorClass: 'hook_error', subject: `hook:${command}`, command, exitCode: span.exitCode ?? null, text: collapse(output) };
    if ((span.durationMs ?? 0) > SLOW_HOOK_MS)
      return { ...base, errorClass: 'hook_slow', subject: `hook:${command}`, command, exitCode: null, text: `hook ran ${Math.round(span.durationMs!)} ms` };
    return null;
  }
  if (span.kind === 'error') {
    const mcp = MCP_STARTUP.exec(output);
    if (mcp) return { ...base, errorClass: 'mcp_startup', subject: `mcp:${mcp[1]}`, command: null, exitCode: null, text: collapse(output) };
    const hook = /hook[^\n]*?(?:failed|error|timed out)|(?:failed|error)[^\n]*hook/i.test(output);
    if (hook)
      return {
        ...base,
        errorClass: 'hook_error',
        subject: `hook:${/hooks?\/([\w.-]+)/.exec(output)?.[1] ?? 'unknown'}`,
        command: null,
        exitCode: null,
        text: collapse(output),
      };
    const cls = classify(output);
    return {
      ...base,
      errorClass: cls === 'network' || cls === 'timeout' ? cls : 'model_error',
      subject: cls ?? 'turn',
      command: null,
      exitCode: null,
      text: collapse(output),
    };
  }
  if (span.kind !== 'tool_call') return null;
  const failed = span.status === 'error' || (typeof span.exitCode === 'number' && span.exitCode !== 0);
  if (!failed) return null;
  const mcp = /^mcp__([^_]+(?:_[^_]+)*?)__/.exec(span.name);
  if (mcp) {
    const startup = /failed to start|not (?:connected|running)|unknown (?:mcp )?server|handshake|initiali[sz]e/i.test(output);
    return { ...base, errorClass: startup ? 'mcp_startup' : 'mcp_call', subject: `mcp:${mcp[1]}`, command: null, exitCode: null, text: collapse(output) };
  }
  const command = spanCommandText(span);
  const cls = span.exitCode === 124 ? 'timeout' : classify(output);
  const pattern = command ? commandPattern(command) : span.name;
  if (cls === 'network') {
    const host = /(?:resolve host:?|getaddrinfo \w+|connect to|access 'https?:\/\/)\s*'?([\w.-]+\.[a-z]{2,})/i.exec(output)?.[1];
    return { ...base, errorClass: 'network', subject: host ? `host:${host}` : pattern, command, exitCode: span.exitCode ?? null, text: collapse(output) };
  }
  const missing = cls === 'file_not_found' ? missingPathOf(output) : undefined;
  return {
    ...base,
    errorClass: cls ?? 'command_failed',
    subject: pattern,
    command,
    exitCode: span.exitCode ?? null,
    text: collapse(output),
    ...(missing ? { missingPath: missing } : {}),
  };
}

/** Every incident of a trace, in span order. */
export function incidentsOf(trace: Trace): Incident[] {
  return trace.spans.map((s) => incidentOf(trace, s)).filter((i): i is Incident => i !== null);
}

function toRepo(trace: Trace, path: string): string {
  const rel = trace.cwd && isAbsolute(path) ? relative(trace.cwd, path) : path;
  return rel.replace(/^\.\//, '').split('\\').join('/');
}

const READERS = /^(?:cat|sed|head|tail|less|more|nl|rg|grep|awk|wc|jq|bat)$/;

/** Files read and written, skills read and commands run in one trace. */
export function activityOf(trace: Trace): TraceActivity {
  const written = new Set<string>();
  const read = new Set<string>();
  const skills = new Set<string>();
  const commands: string[] = [];
  for (const span of trace.spans) {
    if (span.kind === 'message' && typeof span.input === 'string')
      for (const m of span.input.matchAll(/<path>([^<]+SKILL\.md)<\/path>/g)) skills.add(toRepo(trace, m[1]!));
    if (span.kind !== 'tool_call') continue;
    const command = spanCommandText(span);
    const isPatch = typeof span.input === 'string' && /\*\*\* Begin Patch/.test(span.input);
    const tool = isPatch || span.name === 'apply_patch' ? 'apply_patch' : 'Bash';
    const text = isPatch ? (span.input as string) : command;
    if (text) {
      const writes = toolCallWrites({ tool_name: tool, tool_input: { command: text }, cwd: trace.cwd ?? '/' } as never, '/home/user');
      if (writes.kind === 'writes') for (const w of writes.writes) if (w.op === 'write') written.add(toRepo(trace, w.path));
    }
    if (command && !isPatch) {
      commands.push(commandPattern(command));
      const words = command.split(/\s+/);
      if (READERS.test(words[0] ?? ''))
        for (const w of words.slice(1)) if (/[\w-]+\.\w{1,8}$/.test(w) && !w.startsWith('-')) read.add(toRepo(trace, w.replace(/^['"]|['"]$/g, '')));
      for (const m of command.matchAll(/[\w./-]*SKILL\.md/g)) skills.add(toRepo(trace, m[0]));
    }
  }
  for (const p of read) if (p.endsWith('SKILL.md')) skills.add(p);
  const names = [...new Set([...(trace.task ?? '').matchAll(/\$([A-Za-z0-9][\w-]*)/g)].map((m) => m[1]!))].sort();
  return {
    traceId: trace.id,
    task: trace.task ?? '',
    written: [...written].sort(),
    read: [...read].sort(),
    skillsRead: [...skills].sort(),
    skillNames: names,
    commands,
  };
}

/** Turns `reports/q3/summary.md` into `reports/**\/*.md`, `notes.md` into `*.md`. */
export function globOf(path: string): string {
  const dot = path.lastIndexOf('.');
  const slash = path.lastIndexOf('/');
  const ext = dot > slash ? path.slice(dot) : '';
  return slash === -1 ? `*${ext}` : `${path.slice(0, path.indexOf('/'))}/**/*${ext}`;
}
