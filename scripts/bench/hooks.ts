// Hook start-up benchmark: each built hook (dist/hooks/*.cjs) on realistic stdin, against
// `node -e 0` measured in the same run. A section of `npm run bench`; also runnable alone:
// `npm run build && npx tsx scripts/bench/hooks.ts`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { repoHookCommand as installedCommand } from '../../src/install/hook-command.js';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const HOOKS = join(ROOT, 'dist/hooks');
const SAMPLES = join(ROOT, 'test/fixtures/codex-hooks');
/** Runs per case; the median is reported. */
const RUNS = 30;
/** The goal: a hook may cost at most 15% more wall time than starting node itself. */
const GOAL = 1.15;

interface Case {
  name: string;
  args: string[];
  cwd: string;
  stdin: string;
  /** Run through bash (as Codex runs a hook command) instead of node directly. */
  shell?: boolean;
}

/** A workspace like one `harness-loop install` leaves: config.yaml, docs, sources, an answer. */
function makeWorkspace(base: string, name: string, implement: boolean): string {
  const repo = join(base, name);
  mkdirSync(join(repo, 'docs'), { recursive: true });
  mkdirSync(join(repo, 'output'), { recursive: true });
  mkdirSync(join(repo, 'src'), { recursive: true });
  mkdirSync(join(repo, '.harness-loop'), { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  writeFileSync(join(repo, '.harness-loop/config.yaml'), '# harness-loop configuration\ncritic:\n  model: gpt-5.4-mini\nevidence:\n  outputGlobs: [output/**/*.md]\n  sourceRoots: [docs, src]\n');
  if (implement) writeFileSync(join(repo, '.harness-loop/cycle.json'), JSON.stringify({ id: 'bench', phase: 'implement' }));
  const guide = Array.from({ length: 200 }, (_, i) => `Line ${i + 1}: the service keeps ${i * 10} items for ${i + 2} days in region r${i % 7}.`);
  writeFileSync(join(repo, 'docs/guide.md'), `${guide.join('\n')}\n`);
  writeFileSync(join(repo, 'src/app.ts'), 'export const retries = 3;\n');
  writeFileSync(join(repo, 'AGENTS.md'), '# Rules\n');
  const answer = ['# Answer', ''];
  for (let i = 1; i <= 20; i++) answer.push(`The service keeps ${(i - 1) * 10} items for ${i + 1} days [docs/guide.md#L${i}].`);
  writeFileSync(join(repo, 'output/good.md'), `${answer.join('\n')}\n`);
  writeFileSync(join(repo, 'output/bad.md'), `${answer.join('\n')}\nIt keeps 999 items forever [docs/missing.md]. Uploads take 5 minutes.\n`);
  // The document: 200 lines, 30 of them citing the guide.
  const long = ['# Long answer', ''];
  for (let i = 1; i <= 30; i++) long.push('## Retention', '', `The service keeps ${(i - 1) * 10} items for ${i + 1} days [docs/guide.md#L${i}].`, '', '---', '');
  while (long.length < 200) long.push('');
  writeFileSync(join(repo, 'output/long.md'), `${long.join('\n')}\n`);
  // The bundle as install puts it, so the installed command string can be run as Codex runs it.
  mkdirSync(join(repo, '.codex/harness-loop/hooks'), { recursive: true });
  for (const id of ['edit_guard', 'check_evidence_coverage']) writeFileSync(join(repo, `.codex/harness-loop/hooks/${id}.cjs`), readFileSync(join(HOOKS, `${id}.cjs`)));
  return repo;
}

function payload(sample: string, cwd: string, toolInput?: Record<string, unknown>): string {
  const input = JSON.parse(readFileSync(join(SAMPLES, sample), 'utf8')) as Record<string, unknown>;
  return JSON.stringify({ ...input, cwd, ...(toolInput ? { tool_input: toolInput } : {}) });
}

const patchOf = (path: string) => ({ command: `*** Begin Patch\n*** Add File: ${path}\n+x\n*** End Patch\n` });

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The hook rows of the bench: median wall time per case and its ratio to `node -e 0`. */
export async function benchHooks(): Promise<{ title: string; rows: { metric: string; value: string; goal?: string; pass?: boolean }[]; notes: string[] }> {
  const base = mkdtempSync(join(tmpdir(), 'hl-bench-hooks-'));
  try {
    const off = makeWorkspace(base, 'off', false);
    const on = makeWorkspace(base, 'on', true);
    const emptyModule = join(base, 'empty.mjs');
    writeFileSync(emptyModule, 'export {};\n');
    const guard = join(HOOKS, 'edit_guard.cjs');
    const evidence = join(HOOKS, 'check_evidence_coverage.cjs');
    const cases: Case[] = [
      { name: 'node -e 0 (baseline)', args: ['-e', '0'], cwd: off, stdin: '' },
      // Reference, no goal: any .mjs entry pays Node's ESM loader, whatever the file holds.
      { name: 'node on an empty .mjs file (ESM floor)', args: [emptyModule], cwd: off, stdin: '' },
      { name: 'edit_guard, no cycle (Bash)', args: [guard], cwd: off, stdin: payload('PreToolUse.Bash.json', off) },
      { name: 'edit_guard, implement phase, allowed apply_patch', args: [guard], cwd: on, stdin: payload('PreToolUse.apply_patch.json', on, { command: '*** Begin Patch\n*** Update File: AGENTS.md\n@@\n-a\n+b\n*** End Patch\n' }) },
      { name: 'edit_guard, implement phase, denied sed -i', args: [guard], cwd: on, stdin: payload('PreToolUse.Bash.json', on, { command: "cd src && sed -i 's/3/5/' app.ts" }) },
      { name: 'check_evidence_coverage, Bash writing nothing', args: [evidence], cwd: off, stdin: payload('PostToolUse.Bash.json', off) },
      { name: 'check_evidence_coverage, 20-claim document, all cited', args: [evidence], cwd: off, stdin: payload('PostToolUse.apply_patch.json', off, patchOf('output/good.md')) },
      { name: 'check_evidence_coverage, document with problems', args: [evidence], cwd: off, stdin: payload('PostToolUse.apply_patch.json', off, patchOf('output/bad.md')) },
      { name: 'check_evidence_coverage, 200-line document, 30 citations', args: [evidence], cwd: off, stdin: payload('PostToolUse.apply_patch.json', off, patchOf('output/long.md')) },
      // Codex runs a hook as `$SHELL -lc "<command>"` (codex-hooks.md §5): the shell's own start is
      // paid by every hook, so these rows compare with `node -e 0` started the same way.
      { name: 'bash -lc "node -e 0" (baseline through the shell)', args: ['-lc', 'node -e 0'], cwd: off, stdin: '', shell: true },
      { name: 'check_evidence_coverage, 200-line document, installed command', args: ['-lc', installedCommand('check_evidence_coverage')], cwd: join(off, 'src'), stdin: payload('PostToolUse.apply_patch.json', off, patchOf('output/long.md')), shell: true },
      { name: 'check_evidence_coverage, 200-line document, command with git rev-parse (before)', args: ['-lc', `node "$(git rev-parse --show-toplevel 2>/dev/null || pwd)/.codex/harness-loop/hooks/check_evidence_coverage.cjs"`], cwd: join(off, 'src'), stdin: payload('PostToolUse.apply_patch.json', off, patchOf('output/long.md')), shell: true },
      { name: 'edit_guard, implement phase, installed command', args: ['-lc', installedCommand('edit_guard')], cwd: join(on, 'src'), stdin: payload('PreToolUse.Bash.json', on, { command: "sed -i 's/3/5/' app.ts" }), shell: true },
    ];
    const times = cases.map(() => [] as number[]);
    for (let run = 0; run < RUNS; run++) {
      // Interleaved, so load on the machine affects every case alike.
      cases.forEach((c, i) => {
        const started = performance.now();
        const r = spawnSync(c.shell ? 'bash' : process.execPath, c.args, { cwd: c.cwd, input: c.stdin, encoding: 'utf8', env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` } });
        times[i]!.push(performance.now() - started);
        if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
      });
    }
    const baseline = median(times[0]!);
    const shellBaseline = median(times[cases.findIndex((c) => c.shell)]!);
    const rows = cases.map((c, i) => {
      const ms = median(times[i]!);
      const ratio = ms / (c.shell ? shellBaseline : baseline);
      if (c.shell && c.args[1] === 'node -e 0') return { metric: c.name, value: `${ms.toFixed(1)} ms` };
      if (i === 0) return { metric: c.name, value: `${ms.toFixed(1)} ms` };
      if (i === 1) return { metric: c.name, value: `${ms.toFixed(1)} ms, ${ratio.toFixed(3)}×` };
      return { metric: c.name, value: `${ms.toFixed(1)} ms, ${ratio.toFixed(3)}×`, goal: `≤ ${GOAL}×`, pass: ratio <= GOAL };
    });
    return {
      title: 'Hooks',
      rows,
      notes: [`Median wall time of ${RUNS} runs per case, cases interleaved, stdin from the real Codex samples in test/fixtures/codex-hooks; the ratio is to \`node -e 0\` in the same run, started the same way (directly, or through \`bash -lc\` as Codex runs an installed hook command; installed-command rows run from a subfolder, so the command must find the repository top).`],
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const section = await benchHooks();
  console.log(`## ${section.title}\n\n| metric | value | goal | result |\n| --- | --- | --- | --- |`);
  for (const r of section.rows) console.log(`| ${r.metric} | ${r.value} | ${r.goal ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'pass' : '**FAIL**'} |`);
  console.log(`\n${section.notes.join('\n')}`);
}
