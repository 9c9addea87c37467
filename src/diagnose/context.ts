import type { Trace } from '../schema/trace.js';
import type { HarnessFile } from './rank.js';

/** Citations in an answer: [path], [path#L1-L2], (source: path), [text](path). */
const CITATION = /\[([\w./-]+\.\w+)(?:#[^\]]*)?\]|\(source:\s*([\w./-]+\.\w+)|\]\(([\w./-]+\.\w+)\)/g;

export function citedPaths(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(CITATION)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

/** Files the agent added or updated with apply_patch, workspace-relative. */
export function writtenPaths(trace: Trace): string[] {
  const out: string[] = [];
  for (const span of trace.spans) {
    if (span.kind !== 'tool_call' || span.name !== 'apply_patch' || typeof span.input !== 'string') continue;
    for (const m of span.input.matchAll(/^\*\*\* (?:Add|Update) File: (.+)$/gm)) out.push(m[1]!.trim());
  }
  return out;
}

/** Turns `answers/pro-price.md` into `answers/**\/*.md`. */
function globOf(path: string): string {
  const dot = path.lastIndexOf('.');
  const slash = path.indexOf('/');
  const ext = dot > path.lastIndexOf('/') ? path.slice(dot) : '';
  return slash === -1 ? `*${ext}` : `${path.slice(0, slash)}/**/*${ext}`;
}

/** Output globs, source roots and the skill file, read off the traces and the harness. */
export function deriveContext(traces: Trace[], harness: HarnessFile[]): { outputGlobs: string[]; sourceRoots: string[]; skillFile: string | null } {
  const outputs = new Set<string>();
  const roots = new Set<string>();
  for (const t of traces) {
    for (const p of writtenPaths(t)) outputs.add(globOf(p));
    for (const p of citedPaths(t.finalAnswer ?? '')) if (p.includes('/')) roots.add(p.split('/')[0]!);
  }
  const skill = harness.find((h) => h.path.endsWith('SKILL.md'))?.path ?? null;
  return { outputGlobs: [...outputs].sort(), sourceRoots: [...roots].sort(), skillFile: skill };
}
