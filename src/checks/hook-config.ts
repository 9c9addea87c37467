// The parts of `.harness-loop/config.yaml` the hooks need, read without zod or the yaml package.
// ConfigSchema (src/schema/config.ts) takes its defaults from here, so the CLI and hooks agree.
import { readFileSync } from 'node:fs';
import { MiniYamlError, parseMiniYaml } from './mini-yaml.js';
import { layoutPath } from '../workspace/layout.js';

/** How `check_evidence_coverage` judges documents. */
export interface EvidenceSettings {
  /** Globs (repository-relative) of the documents to check. */
  outputGlobs: string[];
  /** Folders (repository-relative) citations may point into; "." is the whole repository. */
  sourceRoots: string[];
  /** Least share of claims that must carry a citation, 0..1. */
  minCoverage: number;
  /** What counts as one claim. */
  unit: 'sentence' | 'paragraph';
}

/** What the edit guard lets change while it is active. */
export interface GuardSettings {
  /** Guard every session, not only a cycle's implement phase. */
  always: boolean;
  /** Globs (repository-relative) of the harness files that may change. */
  allow: string[];
  /** Tool names (globs, e.g. `mcp__docs__*`) that write nothing, allowed while the guard is on. */
  readOnlyTools: string[];
}

/** An extra redaction pattern (same shape as the config's `redaction.extraPatterns`). */
export interface HookRedactionPattern {
  name: string;
  pattern: string;
  flags?: string;
}

/** Everything the hooks read from the config. */
export interface HookConfig {
  evidence: EvidenceSettings;
  guard: GuardSettings;
  redaction: HookRedactionPattern[];
}

/** Defaults for `evidence` in the config. */
export const DEFAULT_EVIDENCE: EvidenceSettings = {
  outputGlobs: ['output/**/*.md', 'reports/**'],
  sourceRoots: ['.'],
  minCoverage: 0.8,
  unit: 'sentence',
};

/** Defaults for `guard` in the config. */
export const DEFAULT_GUARD: GuardSettings = {
  always: false,
  allow: ['**/AGENTS.md', '.codex/**', '.agents/skills/**', 'skills/**', 'hooks/**', '.harness-loop/config.yaml', 'promptfooconfig.yaml'],
  readOnlyTools: [],
};

/** The config could not be read or has a field of the wrong type. */
export class HookConfigError extends Error {}

/** Reads the hook settings from `<root>/.harness-loop/config.yaml`; a missing file means defaults. */
export function readHookConfig(root: string): HookConfig {
  const file = layoutPath(root, 'config');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { evidence: DEFAULT_EVIDENCE, guard: DEFAULT_GUARD, redaction: [] };
    throw new HookConfigError(`cannot read .harness-loop/config.yaml: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseMiniYaml(text);
  } catch (error) {
    if (error instanceof MiniYamlError) throw new HookConfigError(`.harness-loop/config.yaml ${error.message}`);
    throw error;
  }
  return hookConfigFrom(doc);
}

/** Picks and type-checks the hook settings out of a parsed config document. */
export function hookConfigFrom(doc: unknown): HookConfig {
  const root = section(doc, '');
  const ev = section(root.evidence, 'evidence');
  const gu = section(root.guard, 'guard');
  const red = section(root.redaction, 'redaction');
  const unit = ev.unit ?? DEFAULT_EVIDENCE.unit;
  if (unit !== 'sentence' && unit !== 'paragraph') throw new HookConfigError(`evidence.unit must be "sentence" or "paragraph" (got ${JSON.stringify(unit)})`);
  const minCoverage = ev.minCoverage ?? DEFAULT_EVIDENCE.minCoverage;
  if (typeof minCoverage !== 'number' || minCoverage < 0 || minCoverage > 1)
    throw new HookConfigError(`evidence.minCoverage must be a number from 0 to 1 (got ${JSON.stringify(minCoverage)})`);
  const always = gu.always ?? DEFAULT_GUARD.always;
  if (typeof always !== 'boolean') throw new HookConfigError(`guard.always must be true or false (got ${JSON.stringify(always)})`);
  const patterns = red.extraPatterns ?? [];
  if (!Array.isArray(patterns) || !patterns.every((p) => p && typeof p === 'object' && typeof p.name === 'string' && typeof p.pattern === 'string')) {
    throw new HookConfigError('redaction.extraPatterns must be a list of {name, pattern}');
  }
  return {
    evidence: {
      outputGlobs: strings(ev.outputGlobs, 'evidence.outputGlobs') ?? DEFAULT_EVIDENCE.outputGlobs,
      sourceRoots: strings(ev.sourceRoots, 'evidence.sourceRoots') ?? DEFAULT_EVIDENCE.sourceRoots,
      minCoverage,
      unit,
    },
    guard: {
      always,
      allow: strings(gu.allow, 'guard.allow') ?? DEFAULT_GUARD.allow,
      readOnlyTools: strings(gu.readOnlyTools, 'guard.readOnlyTools') ?? DEFAULT_GUARD.readOnlyTools,
    },
    redaction: patterns as HookRedactionPattern[],
  };
}

function section(value: unknown, name: string): Record<string, any> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new HookConfigError(`${name || 'the config'} must be a map`);
  return value as Record<string, any>;
}

function strings(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== ''))
    throw new HookConfigError(`${name} must be a list of non-empty strings`);
  return value as string[];
}
