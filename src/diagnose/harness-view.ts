// Questions the remedies ask of the harness model: effective settings, rules related to some
// evidence, the AGENTS.md nearest to some files, whether a new file may be created. Pure.
import { matchesAny } from '../checks/glob.js';
import type { ConfigSetting, HarnessModel, Skill } from '../schema/harness.js';
import { contentWords, overlap } from './words.js';

/** A team-owned instruction line, from an AGENTS.md or a skill body. */
export interface RuleRef {
  file: string;
  line: number;
  text: string;
  where: 'agents' | 'skill';
  skill?: Skill;
  editable: boolean;
  words: Set<string>;
}

export function teamRules(h: HarnessModel): RuleRef[] {
  const out: RuleRef[] = [];
  for (const a of h.agentsMd)
    for (const r of a.rules)
      if (r.owner === 'team') out.push({ file: a.file, line: r.line, text: r.text, where: 'agents', editable: a.editable, words: contentWords(r.text) });
  for (const s of h.skills)
    if (s.owner === 'team')
      for (const r of s.rules)
        out.push({ file: s.file, line: r.line, text: r.text, where: 'skill', skill: s, editable: s.editable, words: contentWords(r.text) });
  return out;
}

/** Rules sharing at least `min` content words with the evidence (one is enough for a short rule when min is 2), most related first. */
export function relatedRules(h: HarnessModel, words: Set<string>, min = 2): RuleRef[] {
  return teamRules(h)
    .map((r) => ({ r, n: overlap(r.words, words) }))
    .filter((x) => x.n >= min || (min === 2 && x.n === 1 && x.r.words.size >= 3 && x.r.words.size <= 4))
    .sort((a, b) => b.n - a.n || a.r.file.localeCompare(b.r.file) || a.r.line - b.r.line)
    .map((x) => x.r);
}

/** A top-level setting from the repository config, else the user's. */
export function effectiveSetting(h: HarnessModel, key: string): ConfigSetting | undefined {
  for (const scope of ['repo', 'user'] as const) {
    const s = h.config
      .filter((c) => c.scope === scope)
      .flatMap((c) => c.settings)
      .find((x) => x.key === key && x.profile === null);
    if (s) return s;
  }
  return undefined;
}

/** The repository's config.toml (existing, or where a new one goes). */
export function repoConfigPath(h: HarnessModel): string {
  return h.config.find((c) => c.scope === 'repo')?.file ?? '.codex/config.toml';
}

/** Whether a change may create or edit `path` (inside the guard's allow-list, not harness-loop's own). */
export function mayEdit(path: string, allow: readonly string[]): boolean {
  return (
    !path.startsWith('/') &&
    !path.split('/').includes('..') &&
    !/(^|\/)\.codex\/harness-loop\/|(^|\/)harness-improvement\//.test(path) &&
    matchesAny(path, allow)
  );
}

/** The editable AGENTS.md whose folder holds most of `paths` (deepest first), else the root one. */
export function nearestAgentsFile(h: HarnessModel, paths: readonly string[]): string {
  const files = h.agentsMd.filter((a) => a.scope === 'repo' && a.kind === 'agents' && a.editable);
  let best = 'AGENTS.md';
  let bestDepth = -1;
  for (const a of files) {
    const dir = a.directory === '.' ? '' : `${a.directory}/`;
    const hits = paths.filter((p) => p.startsWith(dir)).length;
    const depth = dir.split('/').length;
    if (hits > 0 && hits * 100 + depth > bestDepth) {
      best = a.file;
      bestDepth = hits * 100 + depth;
    }
  }
  return best;
}
