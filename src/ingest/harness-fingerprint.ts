/**
 * Harness fingerprints: which harness a trace ran under, as a hash of what the agent saw. Pure:
 * readers collect the pieces (the AGENTS.md text Codex injected, the skills it listed, the
 * turn settings), runs harness-loop starts add the hashes of the harness files of their copy,
 * and this module turns them into one comparable value. What goes in is documented in
 * docs/harness-fingerprint.md; keep the two in step.
 */
import { createHash } from 'node:crypto';
import type { HarnessFingerprint } from '../schema/trace.js';

/** What a reader saw of the harness in one session; every part optional. */
export interface SessionHarness {
  /** The session's working directory, replaced by `<cwd>` so that copies of one harness match. */
  cwd?: string | null;
  /** The AGENTS.md text Codex injected (all files, in the order Codex joined them). */
  agentsMd?: string | null;
  /** The skills listing Codex sent (the `<skills_instructions>` block or `host_skills.body`). */
  skillsListing?: string | null;
  /** `turn_context.model`. */
  model?: string | null;
  /** `turn_context.effort` or `collaboration_mode.settings.reasoning_effort`. */
  reasoningEffort?: string | null;
  /** `turn_context.sandbox_policy`, any JSON. */
  sandbox?: unknown;
  /** `turn_context.approval_policy`. */
  approvalPolicy?: string | null;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** JSON with object keys sorted at every depth, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Replaces the session's own directory (which differs between copies of one harness) by `<cwd>`. */
function neutralize(text: string, cwd: string | null | undefined): string {
  const normalized = text.replace(/\r\n/g, '\n').trim();
  if (!cwd || cwd === '/') return normalized;
  return normalized.split(cwd.replace(/\/+$/, '')).join('<cwd>');
}

/**
 * The skill entries of a listing (`- name: description (file: r1/x/SKILL.md)`), sorted. The
 * roots table and the usage prose are left out: the roots are absolute paths of this machine,
 * the prose is Codex's own and changes with its version, not with the harness.
 */
export function skillEntries(listing: string): string[] {
  const section = /### Available skills\n([\s\S]*?)(?:\n###|\n<\/skills_instructions>|$)/.exec(listing);
  const body = section ? section[1]! : listing;
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('- '))
    .sort();
}

/** The body of Codex's injected AGENTS.md message: the text between `<INSTRUCTIONS>` tags, or the whole message. */
export function agentsMdFromMessage(text: string): string {
  const m = /<INSTRUCTIONS>\n?([\s\S]*?)\n?<\/INSTRUCTIONS>/.exec(text);
  return m ? m[1]! : text.replace(/^\s*# AGENTS\.md instructions for [^\n]*\n/, '');
}

/** Component name → sha256 of its canonical content, for what a session showed. */
export function sessionComponents(seen: SessionHarness): Record<string, string> {
  const out: Record<string, string> = {};
  if (seen.agentsMd) out.agentsMd = sha256(neutralize(seen.agentsMd, seen.cwd));
  if (seen.skillsListing) out.skills = sha256(canonicalJson(skillEntries(neutralize(seen.skillsListing, seen.cwd))));
  if (seen.model) out.model = sha256(seen.model);
  if (seen.reasoningEffort) out.reasoningEffort = sha256(seen.reasoningEffort);
  if (seen.sandbox !== undefined && seen.sandbox !== null) out.sandbox = sha256(neutralize(canonicalJson(seen.sandbox), seen.cwd));
  if (seen.approvalPolicy) out.approvalPolicy = sha256(seen.approvalPolicy);
  return out;
}

/** `file:<path>` → sha256 of the file, for the harness files of the copy a run used. */
export function fileComponents(fileHashes: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(fileHashes).map(([path, hash]) => [`file:${path}`, hash]));
}

/** The fingerprint over `components`; null when there is nothing to tell one harness from another. */
export function fingerprintOf(derivedFrom: HarnessFingerprint['derivedFrom'], components: Record<string, string>): HarnessFingerprint | null {
  if (Object.keys(components).length === 0) return null;
  const sorted = Object.fromEntries(Object.entries(components).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { fingerprint: sha256(canonicalJson(sorted)), derivedFrom, components: sorted };
}

/** A session's fingerprint as read from its own record (rollout, exec stream, telemetry). */
export function sessionFingerprint(derivedFrom: Exclude<HarnessFingerprint['derivedFrom'], 'run'>, seen: SessionHarness): HarnessFingerprint | null {
  return fingerprintOf(derivedFrom, sessionComponents(seen));
}

/**
 * The fingerprint of a run harness-loop started: what the session itself showed plus the hash
 * of every harness file of the copy it ran in, so that a change Codex does not echo (a hook, a
 * hook's settings, config.toml) still tells the run apart.
 */
export function runFingerprint(session: HarnessFingerprint | null | undefined, fileHashes: Readonly<Record<string, string>>): HarnessFingerprint | null {
  return fingerprintOf('run', { ...(session?.components ?? {}), ...fileComponents(fileHashes) });
}

/** The file part of a run fingerprint: path → sha256, or null when it has none. */
export function filesOf(fingerprint: HarnessFingerprint | null | undefined): Record<string, string> | null {
  if (!fingerprint || fingerprint.derivedFrom !== 'run') return null;
  const files = Object.entries(fingerprint.components).filter(([k]) => k.startsWith('file:'));
  return Object.fromEntries(files.map(([k, v]) => [k.slice('file:'.length), v]));
}

/** True when two path → hash maps hold the same files with the same content. */
export function sameFiles(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
