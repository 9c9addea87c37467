import type { CommandArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { abandonCycle, readCycleStatus, startCycle, type AbandonOutcome } from '../ledger/cycle.js';
import { formatRate, renderFileChange, renderList } from '../ledger/render.js';

const SUBCOMMANDS = ['start', 'status', 'abandon'] as const;

/** `harness-loop cycle start|status|abandon`. */
export async function run(args: CommandArgs): Promise<number> {
  const [sub, ...extra] = args.positionals;
  if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(`cycle needs one of ${SUBCOMMANDS.join(', ')} (got ${sub ? `"${sub}"` : 'nothing'})`);
  }
  if (extra.length > 0) throw new UsageError(`'cycle ${sub}' takes no further arguments (got "${extra[0]}")`);
  const recommendation = args.flags.recommendation as string | undefined;
  if (sub !== 'start' && (recommendation !== undefined || args.flags.abandon === true)) {
    throw new UsageError('--recommendation and --abandon go with `cycle start`');
  }
  if (recommendation === '') throw new UsageError('--recommendation needs an id');
  if (sub === 'start') return runStart(args, recommendation);
  if (sub === 'abandon') {
    const outcome = await abandonCycle({ workspace: args.workspace });
    if (args.json) process.stdout.write(`${JSON.stringify(outcome.entry, null, 2)}\n`);
    else process.stdout.write(renderAbandoned(outcome));
    if (outcome.repaired) process.stderr.write(`ledger: ${outcome.repaired}\n`);
    return 0;
  }
  return runStatus(args);
}

async function runStart(args: CommandArgs, recommendationId: string | undefined): Promise<number> {
  const outcome = await startCycle({ workspace: args.workspace, recommendationId, abandonOpen: args.flags.abandon === true });
  for (const warning of outcome.warnings) process.stderr.write(`warning: ${warning}\n`);
  const { cycle } = outcome;
  if (args.json) {
    const { harnessHashes, workspaceHashes, exam, ...rest } = cycle;
    const summary = {
      ...rest,
      harnessFiles: Object.keys(harnessHashes).length,
      otherFiles: Object.keys(workspaceHashes).length,
      examFiles: exam ? Object.keys(exam.fixed).length + Object.keys(exam.appendOnly).length + Object.keys(exam.results).length : 0,
    };
    process.stdout.write(`${JSON.stringify({ cycle: summary, abandoned: outcome.abandoned?.entry ?? null, warnings: outcome.warnings }, null, 2)}\n`);
    return 0;
  }
  if (outcome.abandoned) process.stdout.write(renderAbandoned(outcome.abandoned));
  const passed = cycle.baseline.tests.filter((t) => t.pass).length;
  const unjudged = cycle.baseline.tests.filter((t) => t.unjudged).length;
  process.stdout.write(
    `cycle ${cycle.cycle} started: recommendation ${cycle.recommendation.id} "${cycle.recommendation.title}"\n` +
      `  baseline: run ${cycle.baseline.runId}, ${formatRate(cycle.baseline.passRate)} (${passed}/${cycle.baseline.tests.length - unjudged} judged tests passed` +
      `${unjudged > 0 ? `; ${unjudged} unjudged, not compared` : ''})\n` +
      `  hashed ${Object.keys(cycle.harnessHashes).length} harness file(s) and ${Object.keys(cycle.workspaceHashes).length} other file(s)\n` +
      `  baseline harness ${cycle.harness?.fingerprint.slice(0, 12) ?? 'unknown'}; baseline answers ran under ${cycle.baseline.fingerprints.filter((f) => f !== cycle.harness?.fingerprint).length} recorded harness fingerprint(s)\n` +
      `  exam hashed: ${cycle.exam ? Object.keys(cycle.exam.fixed).length + Object.keys(cycle.exam.appendOnly).length + Object.keys(cycle.exam.results).length : 0} file(s) and ${cycle.exam ? Object.keys(cycle.exam.traces).length : 0} trace(s); verify refuses if any changes\n` +
      `  this change may touch: ${renderList(cycle.recommendation.files)}\n` +
      'The edit guard is in the implement phase. Make the change, then run `harness-loop verify`.\n',
  );
  return 0;
}

async function runStatus(args: CommandArgs): Promise<number> {
  const status = await readCycleStatus({ workspace: args.workspace });
  if (args.json) {
    const body = status
      ? {
          open: true,
          cycle: status.cycle.cycle,
          startedAt: status.cycle.startedAt,
          recommendation: status.cycle.recommendation,
          baseline: { runId: status.cycle.baseline.runId, passRate: status.cycle.baseline.passRate },
          filesChanged: status.filesChanged,
          breaches: status.breaches,
          examChanged: status.examChanged,
        }
      : { open: false };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  if (!status) {
    process.stdout.write('no cycle is open; start one with `harness-loop cycle start`\n');
    return 0;
  }
  const { cycle } = status;
  process.stdout.write(
    `cycle ${cycle.cycle} open since ${cycle.startedAt}: recommendation ${cycle.recommendation.id} "${cycle.recommendation.title}"\n` +
      `  baseline: run ${cycle.baseline.runId}, ${formatRate(cycle.baseline.passRate)}\n` +
      `  files changed so far: ${status.filesChanged.length === 0 ? 'none' : status.filesChanged.map(renderFileChange).join('; ')}\n` +
      status.breaches.map((b) => `  one-change rule: ${b}\n`).join('') +
      status.examChanged.map((c) => `  exam changed (verify will refuse): ${c}\n`).join(''),
  );
  return 0;
}

function renderAbandoned(outcome: AbandonOutcome): string {
  const { entry } = outcome;
  const left = entry.filesChanged.length;
  return (
    `cycle ${entry.cycle} abandoned (recommendation ${entry.recommendation.id}); ledger entry written, edit guard off\n` +
    (left > 0
      ? `  ${left} file(s) still differ from the cycle start; revert them if the change is unwanted: ${entry.filesChanged.map(renderFileChange).join('; ')}\n`
      : '')
  );
}
