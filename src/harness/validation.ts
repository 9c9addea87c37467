// Checks that run outside the model: npm scripts, pre-commit hooks, CI workflow steps. Pure.
import type { ValidationScript } from '../schema/harness.js';

type Where = { file: string; editable: boolean };

function lineOf(lines: string[], re: RegExp, from = 0): number {
  for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  return 1;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function packageScripts(text: string, where: Where): ValidationScript[] {
  const doc = JSON.parse(text) as { scripts?: Record<string, unknown> };
  const lines = text.split(/\r?\n/);
  const start = lineOf(lines, /"scripts"\s*:/) - 1;
  return Object.entries(doc.scripts ?? {})
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([name, command]) => ({
      kind: 'package-script' as const,
      name,
      command,
      file: where.file,
      line: lineOf(lines, new RegExp(`"${escape(name)}"\\s*:`), start),
      owner: 'team' as const,
      editable: where.editable,
    }));
}

/** `- id: NAME` entries of .pre-commit-config.yaml (with their `entry:` when local). */
export function preCommitHooks(text: string, where: Where): ValidationScript[] {
  const lines = text.split(/\r?\n/);
  const out: ValidationScript[] = [];
  lines.forEach((l, i) => {
    const m = /^\s*-?\s*id:\s*['"]?([^'"#\s]+)/.exec(l);
    if (!m) return;
    const entry = lines
      .slice(i + 1, i + 6)
      .map((x) => /^\s*entry:\s*(.+)$/.exec(x)?.[1])
      .find(Boolean);
    out.push({ kind: 'pre-commit', name: m[1]!, command: entry?.trim() ?? m[1]!, file: where.file, line: i + 1, owner: 'team', editable: where.editable });
  });
  return out;
}

/** `run:` steps of a GitHub Actions workflow (one-line and block forms). */
export function workflowSteps(text: string, where: Where): ValidationScript[] {
  const lines = text.split(/\r?\n/);
  const out: ValidationScript[] = [];
  lines.forEach((l, i) => {
    const m = /^(\s*)(?:-\s*)?run:\s*(.*)$/.exec(l);
    if (!m) return;
    let command = m[2]!.trim();
    if (/^[|>][-+]?$/.test(command)) {
      const indent = m[1]!.length;
      const body: string[] = [];
      for (let j = i + 1; j < lines.length && (lines[j]!.trim() === '' || lines[j]!.search(/\S/) > indent); j++)
        if (lines[j]!.trim()) body.push(lines[j]!.trim());
      command = body.join(' && ');
    }
    const name = lines
      .slice(Math.max(0, i - 3), i)
      .reverse()
      .map((x) => /^\s*-?\s*name:\s*(.+)$/.exec(x)?.[1])
      .find(Boolean);
    const owner = /harness-loop/.test(command) ? 'harness-loop' : 'team';
    out.push({
      kind: 'ci-workflow',
      name: name?.trim() ?? command.slice(0, 60),
      command,
      file: where.file,
      line: i + 1,
      owner,
      editable: where.editable && owner === 'team',
    });
  });
  return out;
}
