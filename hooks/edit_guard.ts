// PreToolUse hook `edit_guard`: while a cycle is in its implement phase (or guard.always is set),
// only harness files may change (src/checks/guard-hook.ts). It fails closed: a deny answer on
// stdout, or, if even that path throws, exit 2 with the reason on stderr (both block in Codex).
// Start-up is the cost that matters: fs.writeSync instead of process.stdout (which loads streams).
import { readFileSync, writeSync } from 'node:fs';
import { runEditGuard } from '../src/checks/guard-hook.js';

let stdin = '';
try {
  stdin = readFileSync(0, 'utf8');
} catch {
  // No readable stdin: the guard treats the empty payload as malformed (denied while it is on).
}
try {
  const answer = runEditGuard(stdin, { cwd: process.cwd(), home: process.env.HOME ?? '/' });
  if (answer) writeSync(1, answer);
} catch (error) {
  writeSync(2, `harness-loop edit guard failed (${(error as Error).message}); refusing the call because the guard fails closed.`);
  process.exitCode = 2;
}
