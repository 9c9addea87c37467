import { basename, isAbsolute, relative, sep } from 'node:path';

/**
 * How the user started this CLI, for messages that tell them what to run next: `harness-loop` when
 * it is on PATH (npm link, a global install), `npx harness-loop` from a project's node_modules,
 * else `node <the file they ran>`. Never a path that exists only in a harness-loop checkout
 * unless that is what they ran.
 */
export function cliInvocation(script: string | undefined = process.argv[1], cwd = process.cwd()): string {
  if (!script) return 'harness-loop';
  if (script.includes(`${sep}node_modules${sep}.bin${sep}`)) return 'npx harness-loop';
  if (basename(script) === 'harness-loop') return 'harness-loop';
  const rel = relative(cwd, script);
  return `node ${rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : script}`;
}
