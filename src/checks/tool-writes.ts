// What one tool call writes, from the hook payload: apply_patch headers, a Write/Edit file_path,
// or the analysis of a shell command. Shared by the edit guard (before) and the evidence check (after).
import { resolve } from 'node:path';
import { parsePatch, type PatchHunk } from './apply-patch.js';
import type { HookInput } from './hook-runtime.js';
import { analyzeShell, type ShellExec, type ShellWrite } from './shell-writes.js';

/** The writes of one call; `unreadable` when its input cannot be read (a guard must refuse it). */
export type ToolWrites =
  | { kind: 'none' }
  | { kind: 'writes'; writes: ShellWrite[]; unknown: string[]; executes: ShellExec[] }
  | { kind: 'unreadable'; reason: string }
  /** A tool that is neither a shell nor apply_patch (MCP tools, write_stdin, …): what it writes is unknown. */
  | { kind: 'other'; tool: string };

/** Tool names that carry an apply_patch text (Codex reports apply_patch; Edit and Write are its aliases). */
export const PATCH_TOOLS = new Set(['apply_patch', 'Edit', 'Write', 'MultiEdit']);
/** Tool names whose input is a shell command (Codex reports its shell tools as Bash). */
export const SHELL_TOOLS = new Set(['Bash', 'exec_command', 'shell', 'local_shell', 'shell_command']);
/**
 * Codex built-ins that change no file. Anything else (MCP tools, `write_stdin`, which types into a
 * running program) can write what the guard cannot see, unless the config lists it as read-only.
 */
export const READ_ONLY_TOOLS = new Set([
  'view_image',
  'web_search',
  'update_plan',
  'request_user_input',
  'tool_search',
  'get_goal',
  'create_goal',
  'update_goal',
  'list_mcp_resources',
  'list_mcp_resource_templates',
  'read_mcp_resource',
  'spawn_agent',
  'Agent',
  'wait',
  'wait_agent',
]);

/** Finds what a tool call writes; `home` resolves `~` in shell commands. */
export function toolCallWrites(input: HookInput, home: string): ToolWrites {
  const tool = input.tool_name ?? '';
  const ti = input.tool_input ?? {};
  const cwd = typeof ti.workdir === 'string' && ti.workdir !== '' ? resolve(input.cwd ?? '.', ti.workdir) : resolve(input.cwd ?? '.');
  const command = shellText(ti.command ?? ti.cmd);
  if (PATCH_TOOLS.has(tool) || (SHELL_TOOLS.has(tool) && command?.trimStart().startsWith('*** Begin Patch'))) {
    if (typeof ti.file_path === 'string')
      return { kind: 'writes', writes: [{ path: resolve(cwd, ti.file_path), via: tool, op: 'write', subtree: false }], unknown: [], executes: [] };
    const text = command ?? (typeof ti.patch === 'string' ? ti.patch : typeof ti.input === 'string' ? ti.input : null);
    if (text === null) return { kind: 'unreadable', reason: `${tool} input has no patch text` };
    const parsed = parsePatch(text);
    if (!parsed.ok) return { kind: 'unreadable', reason: `cannot read the patch: ${parsed.reason}` };
    return { kind: 'writes', writes: patchWrites(parsed.hunks, cwd), unknown: [], executes: [] };
  }
  if (!SHELL_TOOLS.has(tool)) return READ_ONLY_TOOLS.has(tool) ? { kind: 'none' } : { kind: 'other', tool };
  if (command === null) {
    if (ti.command !== undefined || ti.cmd !== undefined) return { kind: 'unreadable', reason: `${tool} command is not a string` };
    return { kind: 'none' };
  }
  return { kind: 'writes', ...analyzeShell(command, { cwd, home }) };
}

/** The writes of parsed patch hunks: a move deletes its source and writes its destination. */
export function patchWrites(hunks: PatchHunk[], cwd: string): ShellWrite[] {
  const out: ShellWrite[] = [];
  for (const h of hunks) {
    const path = resolve(cwd, h.path);
    if (h.op === 'update' && h.movePath !== null) {
      out.push({ path, via: 'apply_patch (move from)', op: 'delete', subtree: false });
      out.push({ path: resolve(cwd, h.movePath), via: 'apply_patch (move to)', op: 'write', subtree: false, patch: { hunk: h, source: path } });
    } else out.push({ path, via: `apply_patch (${h.op})`, op: h.op === 'delete' ? 'delete' : 'write', subtree: false, patch: { hunk: h, source: path } });
  }
  return out;
}

/** The shell text of a `command` field: a string, or an argv such as ["bash", "-lc", "…"]. */
function shellText(command: unknown): string | null {
  if (typeof command === 'string') return command;
  if (!Array.isArray(command) || !command.every((c) => typeof c === 'string')) return null;
  const argv = command as string[];
  if (argv.length === 3 && /(^|\/)(ba|z|da)?sh$/.test(argv[0]!) && /^-l?c$/.test(argv[1]!)) return argv[2]!;
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
