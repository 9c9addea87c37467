// Rules for git and the package managers: which subcommands rewrite the work tree or package.json.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleContext } from './shell-writes.js';
import type { Arg } from './shell-words.js';
import { has, lit, parseArgs, value } from './shell-args.js';

/** git: path-taking subcommands write their paths; work-tree rewrites without paths are unknown; reads pass. */
export function gitRule(args: Arg[], ctx: RuleContext): boolean {
  let base = ctx.scope.cwd;
  let i = 0;
  for (; i < args.length; i++) {
    const t = args[i]!.text;
    if (t === null || !t.startsWith('-')) break;
    if (t === '-C') {
      const dir = args[++i]?.text;
      base = dir == null || base === null ? null : join(dir.startsWith('/') ? '' : base, dir);
    } else if (t === '-c' || t === '--git-dir' || t === '--namespace' || t === '--exec-path') i++;
    else if (t === '--work-tree' || t.startsWith('--work-tree=')) base = null;
  }
  const sub = args[i]?.text;
  const rest = args.slice(i + 1);
  if (sub == null) return false;
  const write = (a: Arg, op: 'write' | 'delete' = 'write') => ctx.write(a, `git ${sub}`, op, true, base);
  const rewrites = () => ctx.unknown(`git ${sub} rewrites files in the work tree the guard cannot list`);
  switch (sub) {
    case 'rm': {
      const p = parseArgs(rest);
      if (!has(p, '--cached')) p.operands.forEach((a) => write(a, 'delete'));
      return true;
    }
    case 'mv': {
      const p = parseArgs(rest);
      ctx.run([lit('mv'), ...p.operands], { cwd: base });
      return true;
    }
    case 'checkout': {
      const dash = rest.findIndex((a) => a.text === '--');
      if (dash >= 0) {
        rest.slice(dash + 1).forEach((a) => write(a));
        return true;
      }
      const p = parseArgs(rest, 'bB', ['--orphan', '--conflict']);
      if (has(p, 'b', 'B', '--orphan') && p.operands.length === 0) return false; // a new branch at HEAD changes no file
      const paths = p.operands.filter((a) => a.text !== null && ctx.isDir(a.text) === false && exists(base, a.text));
      if (p.operands.length > 0 && paths.length === p.operands.length) paths.forEach((a) => write(a));
      else rewrites();
      return true;
    }
    case 'restore': {
      const p = parseArgs(rest, 's', ['--source', '--pathspec-from-file']);
      if (has(p, '--pathspec-from-file')) rewrites();
      else if (!(has(p, 'S', '--staged') && !has(p, 'W', '--worktree'))) p.operands.forEach((a) => write(a));
      return true;
    }
    case 'reset':
      if (rest.some((a) => a.text === '--hard' || a.text === '--merge' || a.text === '--keep')) rewrites();
      return false;
    case 'clean':
      if (!parseArgs(rest, 'e').flags.has('n') && !rest.some((a) => a.text === '--dry-run')) rewrites();
      return false;
    case 'apply': {
      const p = parseArgs(rest, 'p', ['--directory', '--exclude', '--include']);
      const readOnly = has(p, '--check', '--stat', '--numstat', '--summary') && !has(p, '--apply');
      if (!readOnly && !(has(p, '--cached') && !has(p, '--index')))
        ctx.unknown('git apply changes the files named inside the patch; use apply_patch on the files you may edit instead');
      return false;
    }
    case 'stash':
      if (!['list', 'show'].includes(rest[0]?.text ?? '')) rewrites();
      return false;
    default:
      if (GIT_READS.has(sub)) return false;
      if (GIT_REWRITES.has(sub)) rewrites();
      else ctx.unknown(`git ${sub} is not a subcommand the guard knows (an alias?), so it cannot tell what it writes`);
      return false;
  }
}

function exists(base: string | null, text: string): boolean {
  return base !== null && existsSync(text.startsWith('/') ? text : join(base, text));
}

const GIT_READS = new Set(
  'status diff log show grep ls-files ls-tree ls-remote rev-parse rev-list blame annotate describe branch tag remote config fetch shortlog cat-file show-ref for-each-ref reflog notes help version var whatchanged range-diff merge-base name-rev count-objects fsck check-ignore check-attr check-ref-format gc prune push add commit init difftool mergetool show-branch verify-commit verify-tag cherry log-tree --version --help'.split(
    ' ',
  ),
);
const GIT_REWRITES = new Set(
  'switch merge rebase pull cherry-pick revert am read-tree checkout-index worktree submodule sparse-checkout filter-branch filter-repo bisect clone format-patch archive bundle'.split(
    ' ',
  ),
);

const PACKAGE_WRITES = new Set('install i in add remove uninstall un unlink rm r update up upgrade link ln version init create dedupe prune pkg'.split(' '));

/** npm/pnpm/yarn/bun: installs and removals write package.json; `exec`/`x`/`dlx` run their command. */
export function packageManagerRule(args: Arg[], ctx: RuleContext, name: string): boolean {
  const p = parseArgs(args, 'C', ['--prefix', '--cwd', '--dir', '--workspace', '--filter'], true);
  const sub = p.operands[0]?.text ?? (name === 'yarn' ? 'install' : null);
  const rest = p.operands.slice(1);
  if (sub === null) return false;
  if (sub === 'exec' || sub === 'x' || sub === 'dlx') {
    ctx.run(rest[0]?.text === '--' ? rest.slice(1) : parseArgs(rest, 'p', ['--package', '--call'], true).operands);
    return false;
  }
  if (PACKAGE_WRITES.has(sub)) {
    const dir = value(p, '--prefix', '--cwd', '--dir', 'C');
    ctx.write(
      lit('package.json'),
      `${name} ${sub}`,
      'write',
      false,
      dir?.text == null ? ctx.scope.cwd : dir.text.startsWith('/') ? dir.text : ctx.scope.cwd && join(ctx.scope.cwd, dir.text),
    );
  }
  return false;
}
