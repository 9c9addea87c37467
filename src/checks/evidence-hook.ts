// check_evidence_coverage as a PostToolUse hook: finds the documents a call wrote that match the
// output globs, checks their evidence, and answers with the problem list as additionalContext.
// Advisory, so it fails open: any error is logged to .harness-loop/hook-errors.log and it prints nothing.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { checkEvidence, renderEvidenceContext, type EvidenceReport } from './evidence.js';
import { matchesAny } from './glob.js';
import { readHookConfig } from './hook-config.js';
import { appendJsonLines, findRepoRoot, hookFeedbackFile, hookFeedbackRecord, logHookError, parseHookInput, type HookEnv } from './hook-runtime.js';
import { toolCallWrites } from './tool-writes.js';

const HOOK = 'check_evidence_coverage';

/** The PostToolUse answer that adds `context` beside the tool output (codex-hooks.md §7.3): exactly these keys. */
export function renderEvidenceAnswer(context: string): string {
  return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: context } });
}

/** Runs the check on one stdin payload; returns what to print (empty when all is well or on error). */
export function runEvidenceHook(stdin: string, env: HookEnv): string {
  const now = env.now ?? new Date();
  let root = findRepoRoot(env.cwd);
  try {
    const input = parseHookInput(stdin);
    if (input.hook_event_name !== undefined && input.hook_event_name !== 'PostToolUse') return '';
    if (typeof input.cwd === 'string' && input.cwd !== '') root = findRepoRoot(input.cwd);
    const found = toolCallWrites(input, env.home);
    if (found.kind !== 'writes') return '';
    const written = [...new Set(found.writes.filter((w) => w.op === 'write').map((w) => w.path))];
    if (written.length === 0) return '';
    const config = readHookConfig(root);
    const reports: EvidenceReport[] = [];
    for (const abs of written) {
      const rel = relative(root, abs);
      if (rel.startsWith('..') || isAbsolute(rel) || !matchesAny(rel.split(sep).join('/'), config.evidence.outputGlobs)) continue;
      if (!isFile(abs)) continue;
      const report = checkEvidence(readFileSync(abs, 'utf8'), abs, root, config.evidence);
      if (report.problems.length > 0) reports.push(report);
    }
    if (reports.length === 0) return '';
    try {
      const records = reports.map((r) =>
        hookFeedbackRecord(
          input,
          {
            hook: HOOK,
            category: 'citation_error',
            severity: 'medium',
            observation: `${r.file} has ${r.problems.length} evidence problem${r.problems.length === 1 ? '' : 's'} (${r.cited} of ${r.claims} claims cited)`,
            evidence: r.problems.map((p) => `${r.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`),
            attributes: { file: r.file, coverage: r.coverage, claims: r.claims, cited: r.cited },
          },
          config.redaction,
          now,
        ),
      );
      appendJsonLines(hookFeedbackFile(root), records);
    } catch (error) {
      logHookError(root, HOOK, error, now);
    }
    return renderEvidenceAnswer(renderEvidenceContext(reports));
  } catch (error) {
    logHookError(root, HOOK, error, now);
    return '';
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
