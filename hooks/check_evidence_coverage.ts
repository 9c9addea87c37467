// PostToolUse hook `check_evidence_coverage`: checks the evidence in the documents a tool call wrote
// (src/checks/evidence-hook.ts). Advisory: it always exits 0; problems reach the model as
// additionalContext, and errors go to .harness-loop/hook-errors.log. Built to dist/hooks/*.mjs.
// Start-up is the cost that matters: fs.writeSync instead of process.stdout (which loads streams),
// $HOME instead of node:os.
import { readFileSync, writeSync } from 'node:fs';
import { runEvidenceHook } from '../src/checks/evidence-hook.js';

let stdin = '';
try {
  stdin = readFileSync(0, 'utf8');
} catch {
  // No readable stdin: the check treats the empty payload as malformed and logs it.
}
const answer = runEvidenceHook(stdin, { cwd: process.cwd(), home: process.env.HOME ?? '/' });
if (answer) writeSync(1, answer);
