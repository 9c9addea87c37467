// For each cluster: which harness component could have prevented it, and the change at that
// component, naming files, keys and lines. Candidates come fastest mechanism first; the ranker
// takes the first one the ledger has not already seen fail. Pure: the harness model is data.
import { matchesAny } from '../checks/glob.js';
import type { Layer, RuleStatus, TargetKind } from '../schema/diagnosis.js';
import type { HarnessModel, Skill } from '../schema/harness.js';
import type { Cluster } from './clusters.js';
import { effectiveSetting, mayEdit, nearestAgentsFile, relatedRules, repoConfigPath, type RuleRef } from './harness-view.js';
import { globOf, type TraceActivity } from './signatures.js';
import { contentWords, cutQuote, isNegative, overlap } from './words.js';

/** One way to fix a cluster. */
export interface Candidate {
  /** Stable part of the recommendation id. */
  key: string;
  title: string;
  target: TargetKind;
  layer: Layer;
  effort: { size: 'S' | 'M' | 'L'; reason: string };
  ruleStatus: RuleStatus;
  harnessQuotes: { source: string; line: number; text: string }[];
  change: string;
  files: string[];
  /** For prose changes: why no faster layer fits. */
  speedNote?: string;
  /** A skill-description fit strong enough to come before mechanisms (its body covers the feedback). */
  strong?: boolean;
}

export interface RemedyContext {
  harness: HarnessModel;
  activities: Map<string, TraceActivity>;
  /** The edit guard's allow-list: where a change may write. */
  allow: readonly string[];
}

const q = (r: { file: string; line: number; text: string }) => ({ source: r.file, line: r.line, text: r.text.trim() });
const code = (t: string) => `\`${t.replace(/`/g, "'")}\``;

/** Everything the cluster's evidence says, as words (feedback text, errors, failed assertions). */
export function clusterWords(c: Cluster): Set<string> {
  return contentWords(
    [
      ...c.feedback.flatMap((f) => [f.observation, ...f.prohibitedClaims, ...f.requiredObservations, f.category.replace(/_/g, ' ')]),
      ...c.incidents.map((i) => `${i.subject} ${i.text}`),
      ...c.failing.flatMap((t) => t.reasons ?? []),
    ].join('\n'),
  );
}

function written(c: Cluster, ctx: RemedyContext): string[] {
  return [...new Set([...c.traceIds].flatMap((t) => ctx.activities.get(t)?.written ?? []))].sort();
}

function touched(c: Cluster, ctx: RemedyContext): string[] {
  return [...new Set([...c.traceIds].flatMap((t) => [...(ctx.activities.get(t)?.written ?? []), ...(ctx.activities.get(t)?.read ?? [])]))];
}

/** The most telling line of evidence: the strongest feedback's observation, else an error. */
function headline(c: Cluster): string {
  const f = [...c.feedback].sort((a, b) => sev(b) - sev(a))[0];
  return cutQuote(f?.observation ?? c.incidents[0]?.text ?? c.failing.flatMap((t) => t.reasons ?? [])[0] ?? c.key, 200).replace(/[.\s]+$/, '');
}
/** The error a cluster's traces show, or what its feedback says when no span shows one. */
function errorText(c: Cluster, max = 120): string {
  return cutQuote(c.incidents[0]?.text ?? headline(c), max);
}
const sev = (f: { severity: string }) => ['low', 'medium', 'high', 'critical'].indexOf(f.severity);

// ---------------------------------------------------------------- incidents

function networkRemedy(c: Cluster, ctx: RemedyContext): Candidate[] {
  const h = ctx.harness;
  const file = repoConfigPath(h);
  const mode = effectiveSetting(h, 'sandbox_mode');
  const net = effectiveSetting(h, 'sandbox_workspace_write.network_access');
  const quotes = [mode, net].filter((s) => s !== undefined).map((s) => ({ source: s!.file, line: s!.line, text: `${s!.key} = ${s!.value}` }));
  if (net?.value === 'true' && mode?.value !== '"read-only"') return [];
  if (mode?.value === '"danger-full-access"') return [];
  const where = net ? `\`${net.file}:${net.line}\`` : `\`${file}\` (add the table \`[sandbox_workspace_write]\`)`;
  const lines = [
    `The sandbox blocked the network that ${code(c.subject ?? 'the command')} needs (${c.incidents.length ? `${c.incidents.length} failure(s), e.g. ` : ''}${JSON.stringify(errorText(c))}).`,
    mode?.value === '"read-only"' ? `- At \`${mode.file}:${mode.line}\` change \`sandbox_mode = "read-only"\` to \`sandbox_mode = "workspace-write"\`.` : '',
    `- At ${where} set \`network_access = true\` under \`[sandbox_workspace_write]\`.`,
    'If only some tasks need the network, put both keys in a profile (`[profiles.<name>]`) and run those tasks with `--profile <name>` instead.',
  ].filter(Boolean);
  return [
    {
      key: 'sandbox-network',
      title: 'Let the sandbox reach the network the commands need',
      target: 'sandbox',
      layer: 'runtime',
      effort: { size: 'S', reason: 'one config key' },
      ruleStatus: 'not-applicable',
      harnessQuotes: quotes,
      change: lines.join('\n'),
      files: [net?.file.startsWith('/') ? file : (net?.file ?? file)],
    },
  ];
}

function sandboxRemedy(c: Cluster, ctx: RemedyContext): Candidate[] {
  const h = ctx.harness;
  const file = repoConfigPath(h);
  const mode = effectiveSetting(h, 'sandbox_mode');
  const paths = [...new Set(c.incidents.map((i) => /(\/[\w.@/-]+)/.exec(i.text)?.[1]).filter((p): p is string => !!p))];
  const outside = paths.filter((p) => p.startsWith('/') && !p.startsWith(ctx.harness.root));
  const quotes = mode ? [{ source: mode.file, line: mode.line, text: `sandbox_mode = ${mode.value}` }] : [];
  const change =
    mode?.value === '"read-only"'
      ? `The sandbox refused writes (${JSON.stringify(errorText(c))}). At \`${mode.file}:${mode.line}\` change \`sandbox_mode = "read-only"\` to \`sandbox_mode = "workspace-write"\`.`
      : `The sandbox refused ${code(c.subject ?? 'a command')} (${JSON.stringify(errorText(c))}). In \`${file}\` under \`[sandbox_workspace_write]\` add \`writable_roots = [${(outside.length ? outside.map((p) => p.replace(/\/[^/]*$/, '')) : ['<the folder it writes>']).map((p) => JSON.stringify(p)).join(', ')}]\`${mode ? ` (sandbox_mode is set at \`${mode.file}:${mode.line}\`)` : ''}.`;
  return [
    {
      key: 'sandbox-write',
      title: 'Let the sandbox write where the task has to write',
      target: 'sandbox',
      layer: 'runtime',
      effort: { size: 'S', reason: 'one config key' },
      ruleStatus: 'not-applicable',
      harnessQuotes: quotes,
      change,
      files: [file],
    },
  ];
}

function mcpRemedy(c: Cluster, ctx: RemedyContext): Candidate[] {
  const name = (c.subject ?? '').replace(/^mcp:/, '');
  const servers = ctx.harness.config.flatMap((f) => f.mcpServers);
  const server = servers.find((s) => s.name === name) ?? servers.find((s) => s.name.replace(/[-_]/g, '') === name.replace(/[-_]/g, ''));
  const text = [...c.incidents.map((i) => i.text), ...c.feedback.map((f) => f.observation)].join('\n');
  const file = server && !server.file.startsWith('/') ? server.file : repoConfigPath(ctx.harness);
  const at = server ? `\`[mcp_servers.${server.name}]\` at \`${server.file}:${server.line}\`` : `\`${file}\``;
  let change: string;
  if (!server)
    change = `Codex calls MCP server ${code(name)}, which no config.toml defines. Add \`[mcp_servers.${name}]\` to \`${file}\` with its \`command\` and \`args\` (or \`url\`), or remove the instructions that make the agent call it.`;
  else if (/env|token|api[ _-]?key|unauthori[sz]ed|\b401\b|\b403\b|credential|auth/i.test(text)) {
    const missing = /\b([A-Z][A-Z0-9_]{2,})\b/.exec(text)?.[1];
    change = `MCP server ${code(name)} fails on credentials (${JSON.stringify(errorText(c))}). In ${at} pass the variable through: add \`env_vars = [${JSON.stringify(missing ?? 'THE_TOKEN')}]\`${server.envKeys.length ? ` (it now gets only ${server.envKeys.map(code).join(', ')})` : ''}.`;
  } else if (/timed? ?out|timeout|deadline/i.test(text))
    change = `MCP server ${code(name)} does not answer in time. In ${at} set \`startup_timeout_sec = 30\` and \`tool_timeout_sec = 120\`${server.startupTimeoutSec !== null ? ` (now ${server.startupTimeoutSec})` : ''}.`;
  else if (/not found|ENOENT|no such file|command not found|spawn/i.test(text))
    change = `MCP server ${code(name)} cannot start: its command ${code([server.command, ...server.args].filter(Boolean).join(' '))} is not found. In ${at} set \`command\` to an absolute path or a command on PATH (e.g. pin the package in \`args\`).`;
  else
    change = `MCP server ${code(name)} fails (${JSON.stringify(errorText(c))}). In ${at} fix its \`command\`/\`args\`${server.url ? '/`url`' : ''} so that it starts, and set \`startup_timeout_sec = 30\`.`;
  return [
    {
      key: `mcp-${name}`,
      title: `Fix the ${name} MCP server configuration`,
      target: 'mcp-server',
      layer: 'runtime',
      effort: { size: 'S', reason: 'one table in config.toml' },
      ruleStatus: 'not-applicable',
      harnessQuotes: server ? [{ source: server.file, line: server.line, text: `[mcp_servers.${server.name}]` }] : [],
      change,
      files: [file],
    },
  ];
}

function hookRemedy(c: Cluster, ctx: RemedyContext): Candidate[] {
  const subject = (c.subject ?? '').replace(/^hook:/, '');
  const base =
    subject
      .split(/[\s/"]/)
      .filter(Boolean)
      .pop() ?? subject;
  const hook = ctx.harness.hooks.find((h) => h.command === subject) ?? ctx.harness.hooks.find((h) => base.length > 2 && h.command.includes(base));
  // harness-loop's own hooks are never a remedy target; an unknown hook cannot be located.
  if (!hook || hook.owner === 'harness-loop' || !hook.editable) return [];
  const quotes = [{ source: hook.file, line: hook.line, text: hook.command }];
  const slow = c.errorClass === 'hook_slow';
  const ms = Math.max(0, ...c.incidents.map((i) => i.durationMs ?? 0));
  const change = slow
    ? `The ${hook.event} hook at \`${hook.file}:${hook.line}\` (${code(hook.command)}) ${ms > 0 ? `takes up to ${Math.round(ms)} ms on every matching call` : `is slow (${JSON.stringify(errorText(c))})`}. Narrow its \`matcher\` (now ${code(hook.matcher ?? '*')}) to the tools it checks, make it exit early on inputs it does not handle, or set \`"async": true\` if its answer is not needed before the call; keep \`timeout\` (${hook.timeout ?? 600}s) above its real run time.`
    : `The ${hook.event} hook at \`${hook.file}:${hook.line}\` (${code(hook.command)}) fails: ${JSON.stringify(errorText(c, 160))}. Fix its command (the path it runs must exist relative to the session's cwd) and make it exit 0 with a warning on its own internal errors, so a broken check never breaks the session.`;
  return [
    {
      key: `hook-fix-${hook.event}-${hook.line}`,
      title: slow ? `Speed up the ${hook.event} hook` : `Fix the failing ${hook.event} hook`,
      target: 'hook-fix',
      layer: 'hook',
      effort: { size: 'S', reason: 'one hooks.json entry or script' },
      ruleStatus: 'not-applicable',
      harnessQuotes: quotes,
      change,
      files: [hook.file],
    },
  ];
}

function modelErrorRemedy(_c: Cluster, ctx: RemedyContext): Candidate[] {
  const file = repoConfigPath(ctx.harness);
  return [
    {
      key: 'model-retries',
      title: 'Retry transient model errors',
      target: 'model-config',
      layer: 'runtime',
      effort: { size: 'S', reason: 'two config keys' },
      ruleStatus: 'not-applicable',
      harnessQuotes: [],
      change: `Turns ended on model errors. In \`${file}\`, under the model provider's table (\`[model_providers.<id>]\`), set \`request_max_retries = 4\` and \`stream_max_retries = 5\` so that one failed request does not end the turn.`,
      files: [file],
    },
  ];
}

/** A rule or skill line that names the path a command could not find: the stale reference. */
function staleReferenceRemedy(c: Cluster, ctx: RemedyContext): Candidate[] {
  const missing = [...new Set(c.incidents.map((i) => i.missingPath).filter((p): p is string => !!p))];
  for (const p of missing) {
    const name = p.replace(/^\.\//, '');
    const rule = relatedRules(ctx.harness, new Set(), 0).find((r) => r.editable && r.text.includes(name));
    if (rule) {
      const target: TargetKind = rule.where === 'skill' ? 'skill-body' : 'agents-md-rule';
      return [
        {
          key: `stale-${name}`,
          title: `Fix the reference to ${name}, which does not exist`,
          target,
          layer: 'review',
          effort: { size: 'S', reason: 'one line' },
          ruleStatus: 'present-not-followed',
          harnessQuotes: [q(rule)],
          change: `\`${rule.file}:${rule.line}\` tells the agent to use ${code(name)}, which does not exist (${c.incidents.length} failed command(s)). Replace it at that line with the path that exists, or remove the step.`,
          files: [rule.file],
          speedNote: 'The fault is in the instruction itself: correcting the line removes the cause; no check is needed.',
        },
      ];
    }
  }
  return [];
}

// ---------------------------------------------------------------- findings

/** Two related rules that say opposite things (one forbids what the other asks). */
function contradictionRemedy(c: Cluster, ctx: RemedyContext, words: Set<string>): Candidate[] {
  const rules = relatedRules(ctx.harness, words, 1).slice(0, 12);
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      if (a.file === b.file && a.line === b.line) continue;
      const shared = overlap(a.words, b.words);
      // Two files that share a topic word and disagree in polarity count too: nested AGENTS.md files and skills are where contradictions hide.
      if ((shared < 2 && !(shared >= 1 && a.file !== b.file)) || isNegative(a.text) === isNegative(b.text)) continue;
      const files = [...new Set([a.file, b.file])].filter((f) => mayEdit(f, ctx.allow));
      if (files.length === 0) continue;
      return [
        {
          key: `contradiction-${a.file}:${a.line}-${b.file}:${b.line}`,
          title: 'Resolve two instructions that contradict each other',
          target: a.where === 'skill' || b.where === 'skill' ? 'skill-body' : 'agents-md-rule',
          layer: 'review',
          effort: { size: 'S', reason: 'rewrite two lines' },
          ruleStatus: 'contradicted',
          harnessQuotes: [q(a), q(b)],
          change: `\`${a.file}:${a.line}\` says ${JSON.stringify(a.text)} while \`${b.file}:${b.line}\` says ${JSON.stringify(b.text)}. The evidence (${headline(c)}) shows the agent following one and breaking the other. Decide which holds, state it once at one of these lines, and delete or qualify the other.`,
          files,
          speedNote: 'Contradictory instructions are fixed where they are written; a check cannot choose between them.',
        },
      ];
    }
  }
  return [];
}

/** Whether a trace opened the skill's file or named it with `$name`. */
function skillWasRead(s: Skill, a: TraceActivity | undefined): boolean {
  if (!a) return false;
  return a.skillNames.includes(s.name) || a.skillsRead.some((r) => r === s.file || s.file.endsWith(`/${r}`) || r.endsWith(`/${s.file}`) || r.endsWith(s.file));
}

/** A team skill whose words fit the tasks but that no trace of the cluster opened. */
function skillDescriptionRemedy(c: Cluster, ctx: RemedyContext, words: Set<string>): Candidate[] {
  const traces = [...c.traceIds];
  const tasks = contentWords(traces.map((t) => ctx.activities.get(t)?.task ?? '').join('\n'));
  const scored = ctx.harness.skills
    .filter((s) => s.owner === 'team' && s.editable && !traces.some((t) => skillWasRead(s, ctx.activities.get(t))))
    .map((s) => ({
      s,
      n: overlap(contentWords(`${s.name.replace(/-/g, ' ')} ${s.rules.map((r) => r.text).join(' ')}`), new Set([...tasks, ...words])),
      d: overlap(contentWords(s.description), tasks),
    }))
    .filter((x) => x.n >= 2)
    .sort((a, b) => b.n - a.n);
  const best = scored[0];
  if (!best) return [];
  const s: Skill = best.s;
  // Strong only on what people and detectors said, not on assertion messages (their words are generic).
  const said = contentWords(c.feedback.flatMap((f) => [f.observation, ...f.requiredObservations, ...f.prohibitedClaims]).join('\n'));
  const strong = overlap(contentWords(s.rules.map((r) => r.text).join(' ')), said) >= 3;
  const shared = [...contentWords(`${s.name.replace(/-/g, ' ')} ${s.rules.map((r) => r.text).join(' ')}`)].filter((w) => tasks.has(w)).slice(0, 6);
  const task = cutQuote(ctx.activities.get(traces[0]!)?.task ?? '', 100);
  return [
    {
      key: `skill-description-${s.name}`,
      title: `Make the ${s.name} skill's description say when to use it`,
      target: 'skill-description',
      layer: 'review',
      effort: { size: 'S', reason: 'one frontmatter line' },
      ruleStatus: 'present-not-followed',
      harnessQuotes: [{ source: s.file, line: s.descriptionLine, text: `description: ${s.description}` }],
      change: `The ${code(s.name)} skill covers these tasks (e.g. ${JSON.stringify(task)}) but none of the ${traces.length} trace(s) opened it: its description is all the model sees, and it says ${JSON.stringify(s.description)}. At \`${s.file}:${s.descriptionLine}\` rewrite the description as "Use when …", naming the task words the sessions used${shared.length ? ` (${shared.map(code).join(', ')})` : ''} and what the skill produces.`,
      files: [s.file],
      speedNote: 'The skill already holds the instructions; the description is the trigger the model reads before acting, so this acts at session start.',
      strong,
    },
  ];
}

function evidenceHookRemedy(c: Cluster, ctx: RemedyContext, present: RuleRef[]): Candidate[] {
  const ev = ctx.harness.evidenceCheck;
  const outputs = written(c, ctx).filter((p) => !p.startsWith('.'));
  const globs = [...new Set(outputs.map(globOf))].sort();
  const roots = [
    ...new Set(
      [...c.traceIds]
        .flatMap((t) => ctx.activities.get(t)?.read ?? [])
        .filter((p) => p.includes('/') && !p.startsWith('.'))
        .map((p) => p.split('/')[0]!),
    ),
  ].sort();
  // The hook checks files as they are written; answers that only live in the final message are out of its reach.
  if (globs.length === 0) return [];
  const covered = outputs.every((p) => matchesAny(p, ev.outputGlobs));
  if (covered && ev.minCoverage >= 1) return [];
  const files = ['.harness-loop/config.yaml', ...(ev.hookInstalled ? [] : ['.codex/hooks.json'])];
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  return [
    {
      key: 'evidence-hook',
      title: 'Check citations mechanically with the check_evidence_coverage hook',
      target: 'post-tool-use-hook',
      layer: 'hook',
      effort: { size: 'S', reason: 'config keys; the hook ships with harness-loop' },
      ruleStatus: present.length ? 'present-not-followed' : 'missing',
      harnessQuotes: present.slice(0, 1).map(q),
      change: [
        'Make every written answer pass the evidence check before the model moves on:',
        `- In \`.harness-loop/config.yaml\`${ev.line ? ` (\`evidence:\` at line ${ev.line})` : ''} set \`evidence.outputGlobs: ${list(globs)}\` (where the traces wrote: ${outputs.slice(0, 3).map(code).join(', ')}), \`evidence.sourceRoots: ${list(roots.length ? roots : ev.sourceRoots)}\` and \`evidence.minCoverage: 1\`.`,
        ev.hookInstalled
          ? '- `.codex/hooks.json` already runs `check_evidence_coverage` on PostToolUse; leave it as it is.'
          : '- Run `harness-loop install` so `.codex/hooks.json` runs `check_evidence_coverage` on PostToolUse.',
        'The hook then reports, on the very next model request, citations of missing files, numbers and quotes the cited file does not contain, and uncited claims.',
      ].join('\n'),
      files,
    },
  ];
}

function outputSchemaRemedy(c: Cluster, ctx: RemedyContext, present: RuleRef[]): Candidate[] {
  const sections = [
    ...new Set(
      c.feedback
        .flatMap((f) => (Array.isArray(f.attributes.missingSections) ? f.attributes.missingSections.map(String) : []))
        .concat(c.feedback.flatMap((f) => [...f.observation.matchAll(/#{1,6} ?[\w ]+/g)].map((m) => m[0].trim()))),
    ),
  ];
  const existing = ctx.harness.outputSchemas.find((s) => s.owner === 'team' && s.editable);
  const file = existing?.file ?? '.codex/output-schema.json';
  if (!mayEdit(file, ctx.allow)) return [];
  const props = sections.length
    ? sections
        .map((s) =>
          code(
            s
              .replace(/^#+\s*/, '')
              .toLowerCase()
              .replace(/\s+/g, '_'),
          ),
        )
        .join(', ')
    : 'the parts reviewers found missing';
  const exec = ctx.harness.validation.find((v) => /codex exec/.test(v.command));
  const change = existing
    ? `\`${file}\` requires ${existing.required.map(code).join(', ') || 'nothing'}; add ${props} to its \`required\` list so an answer without them is rejected when it is generated.`
    : `Create \`${file}\` (a JSON Schema whose \`required\` properties are ${props}) and run non-interactive tasks with \`codex exec --output-schema ${file}\`${exec ? ` (as in \`${exec.file}:${exec.line}\`)` : ''}, so an answer without them is rejected when it is generated.`;
  return [
    {
      key: 'output-schema',
      title: 'Enforce the answer structure with an output schema',
      target: 'output-schema',
      layer: 'runtime',
      effort: { size: 'M', reason: 'a JSON schema and the flag that uses it' },
      ruleStatus: present.length ? 'present-not-followed' : 'missing',
      harnessQuotes: present.slice(0, 1).map(q),
      change,
      files: [file],
    },
  ];
}

const SECRET_PATTERNS: [RegExp, string, string][] = [
  [/private key/i, '-----BEGIN [A-Z ]*PRIVATE KEY-----', 'a private key'],
  [/api[ _-]?key|token|secret|password|credential/i, '(api[_-]?key|secret|token|password)\\s*[:=]\\s*\\S{8,}', 'a credential'],
  [/rm -rf/i, '\\brm\\s+-[a-z]*r[a-z]*f', '`rm -rf`'],
  [/force[- ]push|--force/i, '\\bgit\\s+push\\b.*(--force|-f\\b)', 'a force push'],
];

function preToolHookRemedy(c: Cluster, ctx: RemedyContext, present: RuleRef[]): Candidate[] {
  const text = c.feedback.map((f) => `${f.observation}\n${f.evidence.join('\n')}`).join('\n');
  const pattern = SECRET_PATTERNS.find(([re]) => re.test(text));
  const outs = written(c, ctx);
  const mentioned = outs.filter((p) => text.includes(p));
  const viaPatch = [...c.traceIds].some((t) => (ctx.activities.get(t)?.written.length ?? 0) > 0);
  const matcher = pattern && /rm -rf|push/.test(pattern[2]) ? 'Bash' : viaPatch ? 'Bash|apply_patch|Edit|Write' : 'Bash';
  const script = `.codex/hooks/deny-${(pattern?.[2] ?? 'writes')
    .replace(/[^a-z]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()}.mjs`;
  if (!mayEdit(script, ctx.allow) || !mayEdit('.codex/hooks.json', ctx.allow)) return [];
  // A prose rule that forbids something names what to block: its backticked terms and paths.
  const ruleTerms = present
    .filter((r) => isNegative(r.text))
    .flatMap((r) => [...r.text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).concat([...r.text.matchAll(/(?:^|\s)((?:[\w.-]+\/)+[\w.*-]*)/g)].map((m) => m[1]!)));
  const what = pattern
    ? `a call whose command or patch matches \`/${pattern[1]}/\` (${pattern[2]})`
    : ruleTerms.length
      ? `a call whose command or patch touches ${[...new Set(ruleTerms)].slice(0, 4).map(code).join(', ')} (what \`${present[0]!.file}:${present[0]!.line}\` forbids)${mentioned.length ? `, as the traces did in ${mentioned.slice(0, 3).map(code).join(', ')}` : ''}`
      : `a write to ${(mentioned.length ? mentioned : outs).slice(0, 3).map(code).join(', ') || 'the paths the reviewers named'}`;
  return [
    {
      key: `pre-tool-hook-${pattern?.[2] ?? 'writes'}`,
      title: `Block ${pattern?.[2] ?? 'the harmful write'} before it happens with a PreToolUse hook`,
      target: 'pre-tool-use-hook',
      layer: 'hook',
      effort: { size: 'M', reason: 'a small hook script and one hooks.json entry' },
      ruleStatus: present.length ? 'present-not-followed' : 'missing',
      harnessQuotes: present.slice(0, 1).map(q),
      change: [
        `Add \`${script}\`: read the PreToolUse JSON from stdin and deny ${what} with \`{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"…"}}\`; print nothing otherwise.`,
        `Register it in \`.codex/hooks.json\` under \`PreToolUse\` with \`"matcher": "${matcher}"\` and \`"timeout": 10\`${mentioned.length ? `; the traces wrote it into ${mentioned.map(code).join(', ')}` : ''}.`,
        present.length ? `The rule at \`${present[0]!.file}:${present[0]!.line}\` already says so in prose and was not followed.` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      files: [script, '.codex/hooks.json'],
    },
  ];
}

function validationRemedy(c: Cluster, ctx: RemedyContext, present: RuleRef[]): Candidate[] {
  const scripts = ctx.harness.validation.filter((v) => v.owner === 'team');
  const pick =
    scripts.find((v) => v.kind === 'package-script' && /^(test|check|verify|validate|ci)$/.test(v.name)) ??
    scripts.find((v) => v.kind === 'pre-commit') ??
    scripts.find((v) => v.kind === 'ci-workflow' && !/codex exec/.test(v.command));
  const command = pick ? (pick.kind === 'package-script' ? `npm run ${pick.name}` : pick.command) : null;
  const ran = command
    ? [...c.traceIds].filter((t) => (ctx.activities.get(t)?.commands ?? []).some((p) => command.startsWith(p) || p === `npm ${pick!.name}`))
    : [];
  const preCommit = ctx.harness.validation.find((v) => v.kind === 'pre-commit' && v.editable);
  const file = preCommit?.file ?? '.codex/hooks.json';
  if (!mayEdit(file, ctx.allow)) return [];
  const run = command ?? '<the command that proves the work: tests, build or deploy check>';
  const where = pick ? ` (\`${pick.file}:${pick.line}\`)` : '';
  const change = preCommit
    ? `The agent claimed results it had not checked${ran.length < c.traceIds.size ? ` (${c.traceIds.size - ran.length} of ${c.traceIds.size} trace(s) never ran ${code(run)})` : ''}. Add a local hook to \`${preCommit.file}\` that runs ${code(run)}${where}, so no commit lands without it.`
    : `The agent claimed results it had not checked${command && ran.length < c.traceIds.size ? ` (${c.traceIds.size - ran.length} of ${c.traceIds.size} trace(s) never ran ${code(run)})` : ''}. Add a \`Stop\` hook to \`.codex/hooks.json\` that runs ${code(run)}${where} and, when it fails, answers \`{"decision":"block","reason":"<its failing output>"}\` so the turn continues until the check passes (set \`"timeout"\` above the check's run time).`;
  return [
    {
      key: 'validation-stop-hook',
      title: `Run ${command ? code(command) : 'the validation'} before the agent may finish`,
      target: 'validation-script',
      layer: preCommit ? 'pre-commit' : 'hook',
      effort: { size: 'S', reason: pick ? 'the check exists; one hook entry runs it' : 'one hook entry and the command it runs' },
      ruleStatus: present.length ? 'present-not-followed' : 'missing',
      harnessQuotes: present.slice(0, 1).map(q),
      change,
      files: [file],
    },
  ];
}

function effortRemedy(c: Cluster, ctx: RemedyContext): Candidate[] {
  const effort = effectiveSetting(ctx.harness, 'model_reasoning_effort');
  if (effort && !/"(minimal|low|none)"/.test(effort.value)) return [];
  if (!effort) return [];
  const file = effort.file.startsWith('/') ? repoConfigPath(ctx.harness) : effort.file;
  const deep = ctx.harness.config
    .flatMap((f) => f.settings)
    .find((s) => s.key === 'model_reasoning_effort' && s.profile !== null && /"(high|xhigh)"/.test(s.value));
  const change = `The answers go wrong on reasoning (${headline(c)}) while the model runs with \`model_reasoning_effort = ${effort.value}\` (\`${effort.file}:${effort.line}\`). Set \`model_reasoning_effort = "high"\` in \`${file}\`${deep ? `, or run these tasks with \`--profile ${deep.profile}\` (\`${deep.file}:${deep.line}\` already sets ${deep.value})` : ''}.`;
  return [
    {
      key: 'reasoning-effort',
      title: 'Raise the reasoning effort',
      target: 'model-config',
      layer: 'runtime',
      effort: { size: 'S', reason: 'one config key' },
      ruleStatus: 'not-applicable',
      harnessQuotes: [{ source: effort.file, line: effort.line, text: `model_reasoning_effort = ${effort.value}` }],
      change,
      files: [file],
    },
  ];
}

function tokensRemedy(_c: Cluster, ctx: RemedyContext): Candidate[] {
  const file = repoConfigPath(ctx.harness);
  const set = effectiveSetting(ctx.harness, 'model_auto_compact_token_limit');
  return [
    {
      key: 'token-compaction',
      title: 'Compact long sessions before they run away',
      target: 'model-config',
      layer: 'runtime',
      effort: { size: 'S', reason: 'one config key' },
      ruleStatus: 'not-applicable',
      harnessQuotes: set ? [{ source: set.file, line: set.line, text: `model_auto_compact_token_limit = ${set.value}` }] : [],
      change: `In \`${file}\` set \`model_auto_compact_token_limit\` to about 60% of the model's context window${set ? ` (now ${set.value} at \`${set.file}:${set.line}\`)` : ''}.`,
      files: [file],
    },
  ];
}

function skillBodyRemedy(c: Cluster, ctx: RemedyContext, words: Set<string>): Candidate[] {
  const traces = [...c.traceIds];
  const lines = relatedRules(ctx.harness, words, 2).filter(
    (r) => r.where === 'skill' && r.editable && r.skill && traces.some((t) => skillWasRead(r.skill!, ctx.activities.get(t))),
  );
  const line = lines[0];
  const required = [...new Set(c.feedback.flatMap((f) => f.requiredObservations))].slice(0, 3);
  const must = required.length ? ` (the answer must say: ${required.map((x) => JSON.stringify(x)).join(', ')})` : '';
  if (line) {
    return [
      {
        key: `skill-body-${line.file}:${line.line}`,
        title: `Rewrite the step of the ${line.skill?.name ?? 'skill'} skill the agent followed into this failure`,
        target: 'skill-body',
        layer: 'review',
        effort: { size: 'S', reason: 'one step of the skill' },
        ruleStatus: 'present-not-followed',
        harnessQuotes: [q(line)],
        change: `The agent read \`${line.file}\` and still produced this failure (${headline(c)}). Rewrite step \`${line.file}:${line.line}\` (${JSON.stringify(line.text)}) so that following it prevents the failure${must}.`,
        files: [line.file],
        speedNote:
          'The skill was read, so the instruction reached the agent; a mechanical check cannot judge this kind of content, so the fix is where the instruction is.',
      },
    ];
  }
  // The agent worked from a skill in most of these traces: its procedure is where a missing step goes.
  const used = ctx.harness.skills.filter(
    (s) => s.owner === 'team' && s.editable && traces.filter((t) => skillWasRead(s, ctx.activities.get(t))).length * 2 >= traces.length,
  );
  const skill = used[0];
  if (!skill) return [];
  const last = skill.rules.at(-1);
  const quotes = skill.rules.map((r) => q({ file: skill.file, line: r.line, text: r.text }));
  return [
    {
      key: `skill-step-${skill.name}`,
      title: `Add the missing step to the ${skill.name} skill`,
      target: 'skill-body',
      layer: 'review',
      effort: { size: 'S', reason: 'one step of the skill' },
      ruleStatus: 'missing',
      harnessQuotes: quotes.slice(0, 6),
      change: `The agent followed the \`${skill.name}\` skill (\`${skill.file}\`) in ${traces.filter((t) => skillWasRead(skill, ctx.activities.get(t))).length} of ${traces.length} trace(s) and still produced this failure: ${headline(c)}. None of its steps covers this case. ${last ? `After step \`${skill.file}:${last.line}\`` : 'In its body'} add a step that handles it${must}, or change the step that leads to it (the steps are quoted above).`,
      files: [skill.file],
      speedNote: 'The agent worked from the skill, so its procedure is where the missing step belongs; a mechanical check cannot judge this kind of content.',
    },
  ];
}

function agentsRuleRemedy(c: Cluster, ctx: RemedyContext, present: RuleRef[], why: string): Candidate {
  const file = nearestAgentsFile(ctx.harness, touched(c, ctx));
  const prohibited = [...new Set(c.feedback.flatMap((f) => f.prohibitedClaims))].slice(0, 2);
  const required = [...new Set(c.feedback.flatMap((f) => f.requiredObservations))].slice(0, 2);
  const rule = [
    required.length ? `State ${required.map((x) => JSON.stringify(x)).join(' and ')} when it applies.` : '',
    prohibited.length ? `Never claim ${prohibited.map((x) => JSON.stringify(x)).join(' or ')} unless a file you read says so.` : '',
    !required.length && !prohibited.length ? `Avoid this: ${headline(c)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const p = present[0];
  if (c.kind === 'incident' && !p) {
    const exits = [...new Set(c.incidents.map((i) => i.exitCode).filter((e) => e !== null))];
    return {
      key: `agents-rule-${c.key}`,
      title: `Say in ${file} how to run ${code(c.subject ?? 'the command')} here`,
      target: 'agents-md-rule',
      layer: 'review',
      effort: { size: 'S', reason: 'one rule' },
      ruleStatus: 'missing',
      harnessQuotes: [],
      change: `${code(c.subject ?? 'The command')} failed ${c.incidents.length || c.feedback.length} time(s)${exits.length ? ` (exit ${exits.join(', ')})` : ''}: ${JSON.stringify(errorText(c))}. Add to \`${file}\` the way to run it that works in this repository (the command, its working folder, what it needs first), or say when not to run it.`,
      files: [file],
      speedNote: why,
    };
  }
  return {
    key: `agents-rule-${c.key}`,
    title: p ? `Make the rule at ${p.file}:${p.line} specific enough to follow` : `Add a rule to ${file} for this ${c.problem ?? c.errorClass ?? 'problem'}`,
    target: 'agents-md-rule',
    layer: 'review',
    effort: { size: 'S', reason: 'one rule' },
    ruleStatus: p ? 'present-not-followed' : 'missing',
    harnessQuotes: p ? [q(p)] : [],
    change: p
      ? `\`${p.file}:${p.line}\` says ${JSON.stringify(p.text)}, and the agent did not follow it (${headline(c)}). Replace it with a concrete instruction: "${rule}"`
      : `Add to \`${file}\`: "${rule}"`,
    files: [p && mayEdit(p.file, ctx.allow) ? p.file : file],
    speedNote: why,
  };
}

/** The agent guessed paths: tell it to list the folder it guessed in, read off the failed commands. */
function listBeforeReadingRule(c: Cluster, ctx: RemedyContext): Candidate {
  const missing = [...new Set(c.incidents.map((i) => i.missingPath).filter((p): p is string => !!p))];
  const dirs = [...new Set(missing.map((p) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '.')))];
  const file = nearestAgentsFile(ctx.harness, missing);
  const folder = dirs[0] ?? '.';
  return {
    key: `list-before-reading-${folder}`,
    title: `Tell the agent to list ${folder === '.' ? 'the repository' : `${folder}/`} before opening files there`,
    target: 'agents-md-rule',
    layer: 'review',
    effort: { size: 'S', reason: 'one rule' },
    ruleStatus: 'missing',
    harnessQuotes: [],
    change: `The agent opened paths that do not exist (${missing.slice(0, 3).map(code).join(', ') || c.subject}). Add to \`${file}\`: "Before opening a file in \`${folder}/\`, list it with \`rg --files ${folder}\`; open only paths that the listing shows."`,
    files: [file],
    speedNote: 'The failed read already stops the agent at once; the rule saves the wasted call, and no check can know which file the agent meant.',
  };
}

/** Every candidate remedy for a cluster, preferred first. */
export function remediesFor(c: Cluster, ctx: RemedyContext): Candidate[] {
  const words = clusterWords(c);
  const present = relatedRules(ctx.harness, words, 2).filter((r) => r.where === 'agents');
  const out: Candidate[] = [];
  if (c.kind === 'incident') {
    switch (c.errorClass) {
      case 'network':
        out.push(...networkRemedy(c, ctx));
        break;
      case 'sandbox_denied':
        out.push(...sandboxRemedy(c, ctx));
        break;
      case 'mcp_startup':
      case 'mcp_call':
        out.push(...mcpRemedy(c, ctx));
        break;
      case 'hook_error':
      case 'hook_slow':
        out.push(...hookRemedy(c, ctx));
        // harness-loop's own hooks and hooks outside the repository are not ours to change.
        return out;
      case 'model_error':
        out.push(...modelErrorRemedy(c, ctx));
        break;
      case 'file_not_found':
        out.push(...staleReferenceRemedy(c, ctx));
        break;
      default:
        break;
    }
    out.push(...skillDescriptionRemedy(c, ctx, words));
    if (c.errorClass === 'file_not_found') out.push(listBeforeReadingRule(c, ctx));
    out.push(
      agentsRuleRemedy(
        c,
        ctx,
        present,
        `A failing ${code(c.subject ?? 'command')} is not something a setting or check of this harness can prevent; the agent needs to know how to run it.`,
      ),
    );
    return out;
  }
  out.push(...contradictionRemedy(c, ctx, words));
  // A skill that holds the very procedure the feedback asks for, never opened: its description is the cause.
  const skillFit = skillDescriptionRemedy(c, ctx, words);
  if (skillFit[0]?.strong) out.push(...skillFit);
  switch (c.problem) {
    case 'citation':
      out.push(...evidenceHookRemedy(c, ctx, present));
      break;
    case 'structure':
      out.push(...outputSchemaRemedy(c, ctx, present));
      break;
    case 'forbidden':
      out.push(...preToolHookRemedy(c, ctx, present));
      break;
    case 'validation':
      out.push(...validationRemedy(c, ctx, present));
      break;
    case 'reasoning':
    case 'content':
      // A wrong answer with no mechanical signature: a too-low reasoning effort is the one setting that bears on it.
      out.push(...effortRemedy(c, ctx));
      break;
    case 'tokens':
      out.push(...tokensRemedy(c, ctx));
      break;
    default:
      break;
  }
  // Prose already failed: a rule that forbids becomes a PreToolUse hook, a rule that asks for a check becomes a script.
  const followed = present[0];
  if (followed && out.length === 0 && (c.problem === 'content' || c.problem === 'reasoning')) {
    if (isNegative(followed.text)) out.push(...preToolHookRemedy(c, ctx, present));
    else if (/\b(test|tests|lint|build|typecheck|check|verify|run)\b/i.test(followed.text)) out.push(...validationRemedy(c, ctx, present));
  }
  if (!skillFit[0]?.strong) out.push(...skillFit);
  out.push(...skillBodyRemedy(c, ctx, words));
  const why =
    c.problem === 'blocked'
      ? 'A hook already blocks this mechanically; the rule only saves the wasted attempt.'
      : `No hook, schema, setting or script can check this (${c.problem} problem): only a reader can judge it, so the rule goes where the agent reads it first.`;
  out.push(agentsRuleRemedy(c, ctx, present, why));
  return out;
}
