// What to change for each kind of failure, as data. Each category lists its remedies from the
// fastest layer down: a problem a machine can check gets a hook or schema before another sentence.
import type { Layer, TargetKind } from '../schema/diagnosis.js';

/** What the data says about where the agent writes answers and which files it cites. */
export interface PlaybookContext {
  /** Globs of files the agent wrote as answers, e.g. `answers/**\/*.md`. */
  outputGlobs: string[];
  /** Folders the cited sources live in, e.g. `docs`. */
  sourceRoots: string[];
  /** The first skill file, if the harness has one. */
  skillFile: string | null;
  /** A harness line that works against the remedy, quoted. */
  contradiction: { file: string; line: number; text: string } | null;
  /** The category as given by feedback. */
  category: string;
  /** One observation from the feedback, for rules built from it. */
  observation: string;
}

export interface Remedy {
  /** Stable part of the recommendation id. */
  key: string;
  title: string;
  target: TargetKind;
  layer: Layer;
  effort: { size: 'S' | 'M' | 'L'; reason: string };
  /** Harness text that already addresses the problem. */
  rulePatterns: RegExp[];
  /** Harness text that works against the remedy. */
  contradictPatterns: RegExp[];
  files(ctx: PlaybookContext): string[];
  change(ctx: PlaybookContext): string;
}

const list = (items: string[]) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

const evidenceHook: Remedy = {
  key: 'evidence-hook',
  title: 'Check citations mechanically with the check_evidence_coverage hook',
  target: 'post-tool-use-hook',
  layer: 'hook',
  effort: { size: 'S', reason: 'two config keys; the hook ships with harness-loop' },
  rulePatterns: [/check_evidence_coverage/, /outputGlobs/],
  contradictPatterns: [],
  files: () => ['.harness-loop/config.yaml', '.codex/hooks.json'],
  change: (ctx) =>
    [
      'Make every written answer pass the evidence check before the model moves on:',
      `- In \`.harness-loop/config.yaml\` set \`evidence.outputGlobs: ${list(ctx.outputGlobs.length ? ctx.outputGlobs : ['answers/**/*.md'])}\`, ` +
        `\`evidence.sourceRoots: ${list(ctx.sourceRoots.length ? ctx.sourceRoots : ['docs'])}\` and \`evidence.minCoverage: 1\`.`,
      '- Make sure `.codex/hooks.json` runs `check_evidence_coverage` on `PostToolUse` for `Bash|apply_patch|Edit|Write` (`harness-loop install` adds it).',
      'The hook then reports, on the very next model request, citations of missing files, numbers and quotes the cited file does not contain, and uncited claims.',
    ].join('\n'),
};

const citationRule: Remedy = {
  key: 'citation-rule',
  title: 'Require cited files to contain every number and quote',
  target: 'agents-md-rule',
  layer: 'review',
  effort: { size: 'S', reason: 'one rule in AGENTS.md' },
  rulePatterns: [/\bcit(e|ation)/i],
  contradictPatterns: [],
  files: () => ['AGENTS.md'],
  change: () =>
    'Add to AGENTS.md: "Only cite a file you opened in this session. Every number and quoted phrase in a sentence must appear in the file cited for that sentence; if the docs do not say it, say that instead of guessing."',
};

const conflictRule: Remedy = {
  key: 'conflict-rule',
  title: 'Surface conflicting sources instead of picking one silently',
  target: 'skill',
  layer: 'review',
  effort: { size: 'S', reason: 'replace one step of the skill' },
  rulePatterns: [/disagree|conflict|contradict/i],
  contradictPatterns: [/(use|pick|choose|take) the (one|file|source)[^.\n]*(recent|newest|latest)/i, /move on/i],
  files: (ctx) => [ctx.skillFile ?? 'AGENTS.md'],
  change: (ctx) =>
    [
      ctx.contradiction
        ? `In \`${ctx.contradiction.file}\` replace line ${ctx.contradiction.line} ("${ctx.contradiction.text.trim()}") with:`
        : `Add to \`${ctx.skillFile ?? 'AGENTS.md'}\`:`,
      '"If two files disagree, give both values with their citations, say which file is newer and why you prefer it, and flag the conflict in one sentence. Never drop a source silently."',
    ].join('\n'),
};

const commandRule: Remedy = {
  key: 'command-rule',
  title: 'Look before reading: list files instead of guessing paths',
  target: 'agents-md-rule',
  layer: 'review',
  effort: { size: 'S', reason: 'one rule in AGENTS.md' },
  rulePatterns: [/\b(ls|rg --files|list)\b/i],
  contradictPatterns: [],
  files: () => ['AGENTS.md'],
  change: () => 'Add to AGENTS.md: "Find files with `rg --files docs` or `ls docs` before opening them; do not guess file names."',
};

const sectionSchema: Remedy = {
  key: 'output-schema',
  title: 'Enforce the required sections with an output schema',
  target: 'output-schema',
  layer: 'hook',
  effort: { size: 'M', reason: 'a JSON schema and the exec flag that uses it' },
  rulePatterns: [/output-schema|required section/i],
  contradictPatterns: [],
  files: () => ['.codex/output-schema.json', '.codex/config.toml'],
  change: () =>
    'Add `.codex/output-schema.json` whose required properties are the required sections, and run non-interactive tasks with `codex exec --output-schema .codex/output-schema.json` so an answer without them is rejected at generation time.',
};

const retryConfig: Remedy = {
  key: 'retry-config',
  title: 'Retry transient model errors',
  target: 'config-toml',
  layer: 'ci',
  effort: { size: 'S', reason: 'two keys in config.toml' },
  rulePatterns: [/request_max_retries|stream_max_retries/],
  contradictPatterns: [/request_max_retries\s*=\s*0/],
  files: () => ['.codex/config.toml'],
  change: () => 'In `.codex/config.toml` set `request_max_retries = 4` and `stream_max_retries = 5` for the model provider so a single failed request does not end the turn.',
};

const tokenConfig: Remedy = {
  key: 'token-config',
  title: 'Compact long sessions before they run away',
  target: 'config-toml',
  layer: 'ci',
  effort: { size: 'S', reason: 'one key in config.toml' },
  rulePatterns: [/model_auto_compact_token_limit/],
  contradictPatterns: [],
  files: () => ['.codex/config.toml'],
  change: () => 'In `.codex/config.toml` set `model_auto_compact_token_limit` to about 60% of the model context window, and add to AGENTS.md that large tool outputs are read with `head`/`rg` rather than whole.',
};

const guardRule: Remedy = {
  key: 'guard-rule',
  title: 'Tell the agent which files it may edit',
  target: 'agents-md-rule',
  layer: 'review',
  effort: { size: 'S', reason: 'one rule in AGENTS.md' },
  rulePatterns: [/may (only )?edit|only (change|edit)/i],
  contradictPatterns: [],
  files: () => ['AGENTS.md'],
  change: () => 'Add to AGENTS.md the list of paths the agent may change, matching the hook allow-list, so blocked edits stop being attempted.',
};

const genericRule: Remedy = {
  key: 'rule',
  title: 'Turn the reviewers\' feedback into an explicit rule',
  target: 'agents-md-rule',
  layer: 'review',
  effort: { size: 'S', reason: 'one rule in AGENTS.md' },
  rulePatterns: [],
  contradictPatterns: [],
  files: () => ['AGENTS.md'],
  change: (ctx) => `Add to AGENTS.md a rule that prevents this ${ctx.category.replace(/_/g, ' ')} problem, in the reviewers' words: "${ctx.observation}"`,
};

/** Remedies per feedback category; the first is the fastest layer that can catch the problem. */
export const PLAYBOOK: Record<string, Remedy[]> = {
  citation_error: [evidenceHook, citationRule],
  missing_artifact: [evidenceHook, citationRule],
  unsupported_claim: [evidenceHook, citationRule],
  conflict_not_surfaced: [conflictRule],
  failed_command: [commandRule],
  tool_error: [commandRule],
  hook_block: [guardRule],
  missing_section: [sectionSchema],
  errored_turn: [retryConfig],
  runaway_tokens: [tokenConfig],
  instruction_not_followed: [genericRule],
};

export function remediesFor(category: string): Remedy[] {
  return PLAYBOOK[category] ?? [genericRule];
}
