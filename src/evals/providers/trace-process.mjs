// @ts-check
/**
 * What the agent did, as the eval providers return it beside the answer (response
 * `metadata.agentTrace`): tool calls with their commands and exit codes, files read and written,
 * skills read, hook messages and blocks, MCP calls and their errors, errors, tokens and duration.
 * The shipped trace assertions (trace-assert.mjs) read this record, so a process problem is tested
 * on what happened, not guessed from the final answer.
 *
 * Two sources, one shape: `summarizeTrace` reads a harness-loop trace (replay provider),
 * `summarizeExecStream` reads a `codex exec --json` stream (codex provider). Node built-ins only:
 * `evals build` copies this file into the suite's providers/ folder.
 */

/**
 * @typedef {{ id: string, tool: string, command?: string, exitCode?: number, status: string, error?: string, durationMs?: number }} ToolCall
 * @typedef {{ id: string, event: string, blocked: boolean, message: string }} HookMessage
 * @typedef {{ id: string, server: string, tool: string, status: string, error?: string }} McpCall
 * @typedef {{
 *   traceId: string | null,
 *   source: 'replay' | 'codex',
 *   toolCalls: ToolCall[],
 *   filesRead: string[],
 *   filesWritten: string[],
 *   skillsRead: string[],
 *   hooks: HookMessage[],
 *   mcpCalls: McpCall[],
 *   errors: { id: string, message: string }[],
 *   tokens: { input: number, output: number, total: number },
 *   durationMs: number | null,
 * }} AgentTrace
 */

const MESSAGE_LIMIT = 500;

/** @param {string} text @param {number} [max] */
function cut(text, max = MESSAGE_LIMIT) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `/bin/bash -lc 'npm test'` → `npm test`. @param {string} command */
export function unwrapShell(command) {
  const m = /^\s*(?:\/\S*\/)?(?:ba|z|da)?sh\s+-l?c\s+(['"])([\s\S]*)\1\s*$/.exec(command);
  if (m) return m[2].replace(m[1] === "'" ? /'\\''/g : /\\"/g, m[1]).trim();
  return command.trim();
}

/** @param {unknown} value @returns {string | null} */
function commandOf(value) {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.length >= 3 && /sh$/.test(value[0]) && /^-l?c$/.test(value[1]) ? value.slice(2).join(' ') : value.join(' ');
  if (typeof value === 'string' && value !== '') return value;
  return null;
}

/** The command of a tool span: JSON arguments ({cmd} or {command}), a plain string, or attributes.command. @param {any} span */
function spanCommand(span) {
  if (typeof span.input === 'string') {
    if (span.input.startsWith('{')) {
      try {
        const args = JSON.parse(span.input);
        const c = commandOf(args?.cmd) ?? commandOf(args?.command);
        if (c) return unwrapShell(c);
      } catch {
        // not JSON: the input is the command itself
      }
    }
    if (span.name !== 'apply_patch' && !span.input.startsWith('*** Begin Patch')) return unwrapShell(span.input);
  }
  const c = commandOf(span.attributes?.command);
  return c ? unwrapShell(c) : null;
}

const READERS = new Set(['cat', 'head', 'tail', 'less', 'more', 'nl', 'bat', 'sed', 'awk', 'wc', 'jq', 'yq']);
const PATHLIKE = /^(?:\.{0,2}\/)?(?:[\w@.-]+\/)*[\w@.-]*\w\.[A-Za-z0-9]{1,10}$|^(?:\.{0,2}\/)?(?:[\w@.-]+\/)+[\w@.-]+$/;

/** Paths a shell command reads and writes, from its simple commands and redirections. @param {string} command */
export function shellFiles(command) {
  /** @type {string[]} */
  const read = [];
  /** @type {string[]} */
  const written = [];
  for (const m of command.matchAll(/(?:^|[^<>&\d])>>?\s*([^\s;&|<>]+)/g)) if (!/^&|^\/dev\//.test(m[1])) written.push(clean(m[1]));
  for (const part of command.split(/&&|\|\||;|\|/)) {
    const words = (part.trim().match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^(['"])([\s\S]*)\1$/, '$2'));
    const program = words[0];
    if (!program) continue;
    const args = words.slice(1).filter((w, i, all) => !w.startsWith('-') && !/[<>]/.test(w) && !(i > 0 && /^>/.test(all[i - 1] ?? '')));
    if (READERS.has(program)) {
      // sed -n '1,20p' file: the script is not a path.
      for (const a of program === 'sed' || program === 'awk' || program === 'jq' ? args.slice(1) : args) if (PATHLIKE.test(a)) read.push(clean(a));
    } else if (program === 'touch' || program === 'tee' || program === 'mkdir') {
      for (const a of args) if (PATHLIKE.test(a) && program !== 'mkdir') written.push(clean(a));
    } else if (program === 'cp' || program === 'mv' || program === 'install') {
      const paths = args.filter((a) => PATHLIKE.test(a));
      if (paths.length >= 2) {
        read.push(...paths.slice(0, -1).map(clean));
        written.push(clean(/** @type {string} */ (paths.at(-1))));
      }
    }
  }
  return { read, written };
}

/** @param {string} path */
function clean(path) {
  return path.replace(/^\.\//, '');
}

/** Paths an apply_patch body adds, updates, deletes or moves to. @param {string} patch */
function patchFiles(patch) {
  return [...patch.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$|^\*\*\* Move to: (.+)$/gm)].map((m) => clean((m[1] ?? m[2]).trim()));
}

/** A path relative to the trace's working directory when it lies inside it. @param {string} path @param {string | null} cwd */
function relativeTo(path, cwd) {
  const p = path.replace(/^file:\/\//, '');
  if (cwd) {
    const base = cwd.replace(/^file:\/\//, '').replace(/\/$/, '');
    if (p.startsWith(`${base}/`)) return p.slice(base.length + 1);
  }
  return p;
}

const SKILL_FILE = /(?:^|\/)skills\/([^/\s]+)\/SKILL\.md$/;
const HOOK_BLOCK = /blocked by ([A-Za-z]+) hook:\s*([\s\S]*?)(?:\.\s+Command:\s[\s\S]*)?$/;
const HOOK_PROMPT = /<hook_prompt\b[^>]*?(?:hook_run_id="([^"]*)")?[^>]*>([\s\S]*?)<\/hook_prompt>/;

/** @param {string[]} list */
function unique(list) {
  return [...new Set(list)];
}

/**
 * The agent's process from a harness-loop trace (the trace store's JSON).
 * @param {any} trace
 * @returns {AgentTrace}
 */
export function summarizeTrace(trace) {
  /** @type {AgentTrace} */
  const out = emptyTrace(typeof trace?.id === 'string' ? trace.id : null, 'replay');
  const cwd = typeof trace?.cwd === 'string' ? trace.cwd : null;
  for (const span of Array.isArray(trace?.spans) ? trace.spans : []) {
    const output = typeof span.output === 'string' ? span.output : '';
    if (span.kind === 'tool_call') {
      const command = spanCommand(span);
      /** @type {ToolCall} */
      const call = { id: String(span.id), tool: String(span.name), status: String(span.status ?? 'unset') };
      if (command) call.command = cut(command, 1000);
      if (typeof span.exitCode === 'number') call.exitCode = span.exitCode;
      if (typeof span.error === 'string') call.error = cut(span.error);
      if (typeof span.durationMs === 'number') call.durationMs = span.durationMs;
      out.toolCalls.push(call);
      const block = HOOK_BLOCK.exec(output.slice(0, 65536));
      if (block) out.hooks.push({ id: call.id, event: block[1], blocked: true, message: cut(block[2].trim()) });
      const server = span.attributes?.server;
      const mcp = /^mcp__([^_]+(?:_[^_]+)*)__(.+)$/.exec(call.tool);
      if (typeof server === 'string' || mcp) {
        /** @type {McpCall} */
        const m = {
          id: call.id,
          server: typeof server === 'string' ? server : (mcp?.[1] ?? ''),
          tool: typeof span.attributes?.tool === 'string' ? span.attributes.tool : (mcp?.[2] ?? call.tool),
          status: call.status,
        };
        if (call.error) m.error = call.error;
        out.mcpCalls.push(m);
      }
      // Files: Codex's own parse of the command, a patch body, file-change items, or the shell text.
      if (Array.isArray(span.attributes?.parsedCmd)) {
        for (const p of span.attributes.parsedCmd) if (p?.type === 'read' && typeof p.path === 'string') out.filesRead.push(relativeTo(p.path, cwd));
      }
      if (typeof span.input === 'string' && span.input.includes('*** Begin Patch')) out.filesWritten.push(...patchFiles(span.input));
      if (Array.isArray(span.input)) for (const c of span.input) if (typeof c?.path === 'string') out.filesWritten.push(relativeTo(c.path, cwd));
      if (span.attributes?.changes && typeof span.attributes.changes === 'object')
        out.filesWritten.push(...Object.keys(span.attributes.changes).map((p) => relativeTo(p, cwd)));
      if (command && call.tool !== 'apply_patch') {
        const files = shellFiles(command);
        out.filesRead.push(...files.read.map((p) => relativeTo(p, cwd)));
        out.filesWritten.push(...files.written.map((p) => relativeTo(p, cwd)));
      }
    } else if (span.kind === 'hook') {
      const prompt = HOOK_PROMPT.exec(output);
      const runId = prompt?.[1] ?? '';
      const decision = span.attributes?.decision ?? span.attributes?.permissionDecision;
      const blocked = prompt !== null || decision === 'block' || decision === 'deny';
      const event = prompt
        ? /^stop:/i.test(runId) || /\bStop hook\b/.test(prompt[2])
          ? 'Stop'
          : runId.split(':')[0] || 'hook'
        : String(span.attributes?.event ?? span.name);
      out.hooks.push({ id: String(span.id), event, blocked, message: cut((prompt ? prompt[2] : output || span.error || '').trim()) });
    } else if (span.kind === 'error' || (span.kind === 'turn' && span.status === 'error')) {
      out.errors.push({ id: String(span.id), message: cut(String(span.error ?? output ?? 'error')) });
    } else if (span.kind === 'message' && typeof span.input === 'string') {
      for (const m of span.input.matchAll(/<skill>\s*<name>([^<]+)<\/name>/g)) out.skillsRead.push(m[1].trim());
    }
  }
  if (Array.isArray(trace?.attributes?.skillsRead)) for (const n of trace.attributes.skillsRead) if (typeof n === 'string') out.skillsRead.push(n);
  const usage = trace?.usage ?? {};
  out.tokens = { input: usage.inputTokens ?? 0, output: usage.outputTokens ?? 0, total: usage.totalTokens ?? 0 };
  const start = Date.parse(trace?.startTime ?? '');
  const end = Date.parse(trace?.endTime ?? '');
  out.durationMs = Number.isFinite(start) && Number.isFinite(end) ? end - start : null;
  return finish(out);
}

/**
 * The JSON events of a `codex exec --json` stream; other lines (Codex's own notices) are passed over.
 * @param {string} stdout
 * @returns {Generator<any>}
 */
export function* execEvents(stdout) {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      yield JSON.parse(line);
    } catch {
      // a cut-off last line: nothing to read from it
    }
  }
}

/**
 * The agent's process from a `codex exec --json` stream.
 * @param {string} stdout @param {number | null} durationMs
 * @returns {AgentTrace}
 */
export function summarizeExecStream(stdout, durationMs) {
  const out = emptyTrace(null, 'codex');
  for (const event of execEvents(stdout)) {
    if (event?.type === 'thread.started' && typeof event.thread_id === 'string') out.traceId = event.thread_id;
    else if (event?.type === 'error' && typeof event.message === 'string') out.errors.push({ id: 'error', message: cut(event.message) });
    else if (event?.type === 'turn.failed') out.errors.push({ id: 'turn', message: cut(String(event.error?.message ?? 'the turn failed')) });
    else if (event?.type === 'turn.completed' && event.usage) {
      out.tokens.input += event.usage.input_tokens ?? 0;
      out.tokens.output += event.usage.output_tokens ?? 0;
      out.tokens.total += (event.usage.input_tokens ?? 0) + (event.usage.output_tokens ?? 0);
    } else if (event?.type === 'item.completed' && event.item) {
      const item = event.item;
      const id = String(item.id ?? '');
      if (item.type === 'command_execution') {
        const command = unwrapShell(String(item.command ?? ''));
        /** @type {ToolCall} */
        const call = {
          id,
          tool: 'exec_command',
          command: cut(command, 1000),
          status: item.status === 'completed' && (item.exit_code ?? 0) === 0 ? 'ok' : 'error',
        };
        if (typeof item.exit_code === 'number') call.exitCode = item.exit_code;
        out.toolCalls.push(call);
        const output = String(item.aggregated_output ?? '');
        const block = HOOK_BLOCK.exec(output.slice(0, 65536));
        if (block) out.hooks.push({ id, event: block[1], blocked: true, message: cut(block[2].trim()) });
        const files = shellFiles(command);
        out.filesRead.push(...files.read);
        out.filesWritten.push(...files.written);
      } else if (item.type === 'file_change') {
        out.toolCalls.push({ id, tool: 'apply_patch', status: item.status === 'completed' ? 'ok' : 'error' });
        for (const c of Array.isArray(item.changes) ? item.changes : []) if (typeof c?.path === 'string') out.filesWritten.push(c.path);
      } else if (item.type === 'mcp_tool_call') {
        const error = item.error?.message ?? (item.status === 'failed' ? 'failed' : undefined);
        /** @type {McpCall} */
        const m = { id, server: String(item.server ?? ''), tool: String(item.tool ?? ''), status: error ? 'error' : 'ok' };
        if (error) m.error = cut(String(error));
        out.mcpCalls.push(m);
        out.toolCalls.push({ id, tool: `mcp__${m.server}__${m.tool}`, status: m.status, ...(m.error ? { error: m.error } : {}) });
      } else if (item.type === 'error' && typeof item.message === 'string') {
        out.errors.push({ id, message: cut(item.message) });
      }
    }
  }
  out.durationMs = durationMs;
  return finish(out);
}

/** @param {string | null} traceId @param {'replay' | 'codex'} source @returns {AgentTrace} */
function emptyTrace(traceId, source) {
  return {
    traceId,
    source,
    toolCalls: [],
    filesRead: [],
    filesWritten: [],
    skillsRead: [],
    hooks: [],
    mcpCalls: [],
    errors: [],
    tokens: { input: 0, output: 0, total: 0 },
    durationMs: null,
  };
}

/** @param {AgentTrace} t */
function finish(t) {
  t.filesRead = unique(t.filesRead);
  t.filesWritten = unique(t.filesWritten);
  for (const f of t.filesRead) {
    const m = SKILL_FILE.exec(f);
    if (m) t.skillsRead.push(m[1]);
  }
  t.skillsRead = unique(t.skillsRead);
  return t;
}
