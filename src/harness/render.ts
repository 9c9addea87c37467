// The harness model as text for `harness-loop harness`. Pure.
import type { HarnessModel } from '../schema/harness.js';

const mark = (c: { owner?: string; editable: boolean }) => (c.owner === 'harness-loop' ? ' [harness-loop]' : c.editable ? '' : ' [read-only]');
const cut = (t: string, n = 100) => (t.length <= n ? t : `${t.slice(0, t.lastIndexOf(' ', n) > n / 2 ? t.lastIndexOf(' ', n) : n)}…`);

export function renderHarnessModel(m: HarnessModel): string {
  const out: string[] = [];
  out.push(`AGENTS.md (${m.agentsMd.length})`);
  for (const a of m.agentsMd) {
    out.push(`  ${a.file} [${a.scope}${a.kind === 'override' ? ', override' : ''}]${mark(a)}: ${a.rules.length} rule line(s)`);
    for (const r of a.rules.filter((x) => x.owner === 'team').slice(0, 8)) out.push(`    ${a.file}:${r.line}: ${cut(r.text)}`);
  }
  out.push(`skills (${m.skills.length})`);
  for (const s of m.skills)
    out.push(`  ${s.name} [${s.scope}]${mark(s)} ${s.file}:${s.descriptionLine}: ${cut(s.description)} (body ${s.bodyLines} lines, ${s.bodyChars} chars)`);
  out.push(`hooks (${m.hooks.length})`);
  for (const h of m.hooks)
    out.push(`  ${h.event}${h.matcher ? ` [${h.matcher}]` : ''}${mark(h)} ${h.file}:${h.line}: ${cut(h.command, 80)} (timeout ${h.timeout ?? 'default 600'}s)`);
  out.push(`config.toml (${m.config.length})`);
  for (const c of m.config) {
    out.push(`  ${c.file} [${c.scope}]${mark(c)}${c.profiles.length ? ` profiles: ${c.profiles.join(', ')}` : ''}`);
    for (const s of c.settings) out.push(`    ${c.file}:${s.line}: ${s.profile ? `profiles.${s.profile}.` : ''}${s.key} = ${s.value}`);
    for (const s of c.mcpServers)
      out.push(
        `    ${c.file}:${s.line}: mcp_servers.${s.name}: ${s.url ?? [s.command, ...s.args].join(' ')}${s.envKeys.length ? ` (env: ${s.envKeys.join(', ')})` : ''}`,
      );
    for (const [k, v] of Object.entries(c.features)) out.push(`    features.${k} = ${v}`);
  }
  out.push(`output schemas (${m.outputSchemas.length})`);
  for (const s of m.outputSchemas) out.push(`  ${s.file}${mark(s)}: required ${s.required.join(', ') || '(none)'}`);
  out.push(`validation (${m.validation.length})`);
  for (const v of m.validation) out.push(`  ${v.kind} ${v.name}${mark(v)} ${v.file}:${v.line}: ${cut(v.command, 80)}`);
  const e = m.evidenceCheck;
  out.push(
    `evidence check: ${e.hookInstalled ? 'installed' : 'not installed'}; outputGlobs ${e.outputGlobs.join(', ')}; sourceRoots ${e.sourceRoots.join(', ')}; minCoverage ${e.minCoverage}${e.line ? ` (${e.file}:${e.line})` : ' (defaults)'}`,
  );
  for (const p of m.problems) out.push(`problem: ${p}`);
  return `${out.join('\n')}\n`;
}
