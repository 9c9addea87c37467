import type { FileChange, LedgerEntry } from '../schema/ledger.js';

/** 0.8 → "80.0%". */
export function formatRate(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

/** "AGENTS.md (modified, +3 -1)", "src/x.ts (added, outside the harness)". */
export function renderFileChange(change: FileChange): string {
  const stat = change.added === null || change.removed === null ? '' : `, +${change.added} -${change.removed}`;
  return `${change.path} (${change.change}${stat}${change.harness ? '' : ', outside the harness'})`;
}

/** A list with a "none" for empty, so a reader never wonders whether a line was cut. */
export function renderList(items: readonly string[], limit = 20): string {
  if (items.length === 0) return 'none';
  return items.length <= limit ? items.join(', ') : `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

/** A ledger entry as a few indented lines for people. */
export function renderLedgerEntry(entry: LedgerEntry): string {
  const head = `cycle ${entry.cycle} ${entry.kind} ${entry.at}: ${entry.recommendation.id} "${entry.recommendation.title}": ${entry.verdict}`;
  const lines = [head];
  if (entry.kind === 'verify') {
    lines.push(`  pass rate ${formatRate(entry.passRateBefore)} → ${formatRate(entry.passRateAfter)} (run ${entry.baselineRunId} → ${entry.afterRunId})`);
    lines.push(`  fixed: ${renderList(entry.testsFixed)}`);
    lines.push(`  regressed: ${renderList(entry.testsRegressed)}`);
    if (entry.newTests.length > 0) lines.push(`  new tests: ${renderList(entry.newTests)}`);
    if (entry.removedTests.length > 0) lines.push(`  removed tests: ${renderList(entry.removedTests)}`);
    const m = entry.measurement;
    if (m) {
      const ci = (r: { rate: number; low: number; high: number; passes: number; runs: number }) =>
        `${formatRate(r.rate)} [${formatRate(r.low)}, ${formatRate(r.high)}] (${r.passes}/${r.runs} runs)`;
      lines.push(
        `  measured: ${m.coverage.rerun} of ${m.coverage.total} test(s) re-run under the changed harness (provider ${m.provider}, ${m.repeat} run(s) per test${m.abBaseline ? ', A/B baseline re-run' : ''})`,
      );
      if (m.coverage.rerun > 0) {
        lines.push(`  re-run tests: ${ci(m.passRateBefore)} → ${ci(m.passRateAfter)}, ${m.intervalMethod}`);
        lines.push(`  ${m.signTest.method}: ${m.signTest.gains} gained, ${m.signTest.losses} lost, p(gain) = ${m.signTest.pGain.toFixed(4)}`);
      }
      lines.push(`  why: ${m.why}`);
      lines.push(
        `  grader: ${m.grader.after}${m.grader.baseline !== null && m.grader.baseline !== m.grader.after ? ` (baseline graded by ${m.grader.baseline}${m.grader.regraded ? '; re-graded with the current grader' : ''})` : ''}; agent model(s): ${renderList(m.agentModels)}; cost: ${m.cost.tokens} tokens, ${(m.cost.wallMs / 1000).toFixed(1)} s`,
      );
      for (const t of m.tests.slice(0, 30)) {
        const before = `${t.before.passes}/${t.before.runs}`;
        lines.push(`    ${t.id}: ${before} → ${t.after ? `${t.after.passes}/${t.after.runs}` : `not re-run (${t.notRerun ?? 'no run under the change'})`}`);
      }
      if (m.tests.length > 30) lines.push(`    … and ${m.tests.length - 30} more (--json lists every test)`);
    }
  }
  lines.push(`  files changed: ${entry.filesChanged.length === 0 ? 'none' : entry.filesChanged.map(renderFileChange).join('; ')}`);
  if (entry.acceptedRegression) lines.push(`  regression accepted: ${entry.acceptedRegression.reason}`);
  if (entry.oneChangeBreach) {
    for (const reason of entry.oneChangeBreach.reasons) lines.push(`  one-change rule breached: ${reason}`);
    if (entry.oneChangeBreach.accepted) lines.push(`  breach accepted: ${entry.oneChangeBreach.accepted.reason}`);
  }
  if (entry.kind === 'verify' && !entry.closed) lines.push('  gate failed; the cycle stayed open');
  return lines.join('\n');
}
