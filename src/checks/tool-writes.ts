// What one tool call writes, from the hook payload: apply_patch headers, a Write/Edit file_path,
// or the analysis of a shell command. Shared by the edit guard (before) and the evidence check (after).
import { resolve } from 'node:path';
import { parsePatch } from './apply-patch.js';
import type { HookInput } from './hook-runtime.js';
import { analyzeShell, type ShellWrite } from './shell-writes.js';

/** The writes of one call; `unreadable` when its input cannot be read (a guard must refuse it). */
export type ToolWrites = { kind: 'none' } | { kind: 'writes'; writes: ShellWrite[]; unknown: string[] } | { kind: 'unreadable'; reason: string };

/** Tool names that carry an apply_patch text (Codex reports apply_patch; Edit and Write are its aliases). */
export const PATCH_TOOLS = new Set(['apply_patch', 'Edit', 'Write', 'MultiEdit']);

/** Finds what a tool call writes; `home` resolves `~` in shell commands. */
export function toolCallWrites(input: HookInput, home: string): ToolWrites {
  const tool = input.tool_name ?? '';
  const ti = input.tool_input ?? {};
  const cwd = typeof ti.workdir === 'string' && ti.workdir !== '' ? resolve(input.cwd ?? '.', ti.workdir) : resolve(input.cwd ?? '.');
  const command = shellText(ti.command);
  if (PATCH_TOOLS.has(tool) || command?.trimStart().startsWith('*** Begin Patch')) {
    if (typeof ti.file_path === 'string') return { kind: 'writes', writes: [{ path: resolve(cwd, ti.file_path), via: tool, op: 'write', subtree: false }], unknown: [] };
    const text = command ?? (typeof ti.patch === 'string' ? ti.patch : typeof ti.input === 'string' ? ti.input : null);
    if (text === null) return { kind: 'unreadable', reason: `${tool} input has no patch text` };
    const parsed = parsePatch(text);
    if (!parsed.ok) return { kind: 'unreadable', reason: `cannot read the patch: ${parsed.reason}` };
    const writes = parsed.paths.map((p): ShellWrite => ({ path: resolve(cwd, p.path), via: `apply_patch (${p.op})`, op: p.op === 'delete' ? 'delete' : 'write', subtree: false }));
    return { kind: 'writes', writes, unknown: [] };
  }
  if (command === null) {
    if (ti.command !== undefined) return { kind: 'unreadable', reason: `${tool} command is not a string` };
    return { kind: 'none' };
  }
  return { kind: 'writes', ...analyzeShell(command, { cwd, home }) };
}

/** The shell text of a `command` field: a string, or an argv such as ["bash", "-lc", "…"]. */
function shellText(command: unknown): string | null {
  if (typeof command === 'string') return command;
  if (!Array.isArray(command) || !command.every((c) => typeof c === 'string')) return null;
  const argv = command as string[];
  if (argv.length === 3 && /(^|\/)(ba|z|da)?sh$/.test(argv[0]!) && /^-l?c$/.test(argv[1]!)) return argv[2]!;
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
