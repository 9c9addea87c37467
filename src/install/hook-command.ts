// The command string a repository install writes into .codex/hooks.json for one hook. Codex runs it
// as `$SHELL -lc "<command>"` from the session's cwd, which may be a subfolder, so the command must
// find the repository top. It used to ask `git rev-parse --show-toplevel`, one more process per
// tool call; now a POSIX `sh` walks up to the folder holding the bundle with builtins only and
// `exec`s node (no process waits on another). `sh -c '…'` keeps it working whatever the user's
// $SHELL is (bash, zsh, fish). The string is part of the trust hash, so it names no machine path.
import { INSTALLED, hookBundleFile } from '../workspace/layout.js';

/** The hooks.json command of hook `id` in a repository install. */
export function repoHookCommand(id: string): string {
  const rel = `${INSTALLED.bundleDir}/${hookBundleFile(id)}`;
  return `sh -c 'd=$PWD; while [ ! -f "$d/${rel}" ] && [ -n "$d" ]; do d=\${d%/*}; done; exec node "\${d:-.}/${rel}"'`;
}
