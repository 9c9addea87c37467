// What both hooks share: the stdin payload, the repository root, and the few appends they make
// (feedback records, the guard log, the error log). Synchronous on purpose: a hook is one short
// process and every append is a single O_APPEND write of whole lines.
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Redactor } from '../redact/redact.js';
import { stableId } from '../util/hash.js';
import type { HookRedactionPattern } from './hook-config.js';
import { layoutPath } from '../workspace/layout.js';

/** The hook payload Codex writes on stdin (snake_case, as Codex spells it); only what the hooks read. */
export interface HookInput {
  session_id?: string;
  turn_id?: string;
  cwd?: string;
  hook_event_name?: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  tool_response?: unknown;
  tool_use_id?: string;
  /** Absolute path of the session's rollout file (exists when the hook runs). */
  transcript_path?: string;
}

/** Where a hook runs: the process cwd (used when the payload has none), HOME, and the clock. */
export interface HookEnv {
  cwd: string;
  home: string;
  now?: Date;
}

/** Parses the payload; throws when it is not a JSON object. */
export function parseHookInput(text: string): HookInput {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('hook input is not a JSON object');
  const input = value as HookInput;
  if (input.tool_input !== undefined && (input.tool_input === null || typeof input.tool_input !== 'object')) throw new Error('tool_input is not an object');
  return input;
}

/** The repository around `cwd` (nearest folder with `.git`), else `cwd` itself. */
export function findRepoRoot(cwd: string): string {
  for (let dir = cwd; ;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return cwd;
    dir = up;
  }
}

/** Appends JSON records as whole lines in one write; creates the folder. */
export function appendJsonLines(file: string, records: readonly unknown[]): void {
  if (records.length === 0) return;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** Notes a hook failure in `.harness-loop/hook-errors.log`; never throws (the hook must still answer). */
export function logHookError(root: string, hook: string, error: unknown, now = new Date()): void {
  try {
    const message = error instanceof Error ? error.message : String(error);
    const file = layoutPath(root, 'hookErrors');
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${now.toISOString()} ${hook}: ${message.replace(/\s+/g, ' ').slice(0, 2000)}\n`);
  } catch {
    // Nowhere left to report; the session goes on.
  }
}

/** What a hook knows about one finding; the common record fields are added by `hookFeedbackRecord`. */
export interface HookFinding {
  hook: string;
  category: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  observation: string;
  evidence: string[];
  attributes: Record<string, unknown>;
}

/** A feedback record in FeedbackSchema's shape (src/schema/feedback.ts), built without zod. */
export interface HookFeedbackRecord {
  schemaVersion: 1;
  id: string;
  traceId: string;
  spanId?: string;
  source: 'hook';
  author: string;
  category: string;
  severity: HookFinding['severity'];
  observation: string;
  evidence: string[];
  requiredObservations: string[];
  prohibitedClaims: string[];
  status: 'active';
  createdAt: string;
  attributes: Record<string, unknown>;
}

/**
 * Builds a redacted hook record. The id hashes the same fields, in the same order, as
 * computeFeedbackId in src/feedback/record.ts (a unit test keeps them equal); that module is not
 * imported because it pulls zod into the hook bundle.
 */
export function hookFeedbackRecord(input: HookInput, finding: HookFinding, redaction: readonly HookRedactionPattern[], now = new Date()): HookFeedbackRecord {
  const redactor = new Redactor(redaction);
  const traceId = input.session_id || 'unknown-session';
  const spanId = input.tool_use_id || undefined;
  const observation = redactor.redactString(finding.observation);
  const evidence = finding.evidence.map((e) => redactor.redactString(e));
  const id = stableId('fb_', traceId, spanId ?? '', 'hook', finding.category, finding.severity, observation, JSON.stringify(evidence), '[]', '[]');
  return {
    schemaVersion: 1,
    id,
    traceId,
    ...(spanId ? { spanId } : {}),
    source: 'hook',
    author: `harness-loop/${finding.hook}`,
    category: finding.category,
    severity: finding.severity,
    observation,
    evidence,
    requiredObservations: [],
    prohibitedClaims: [],
    status: 'active',
    createdAt: now.toISOString(),
    attributes: redactor.redact({ hook: finding.hook, turnId: input.turn_id, tool: input.tool_name, ...finding.attributes }),
  };
}

/** Where hook feedback is appended; the feedback stage reads it beside feedback.jsonl. */
export function hookFeedbackFile(root: string): string {
  return layoutPath(root, 'hookFeedback');
}
