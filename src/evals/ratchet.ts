/**
 * The ratchet: a rebuild merges into the existing suite and never drops or reorders a test.
 * Existing tests keep their hand edits; generated tests not yet in the suite are appended;
 * `removeTest` (behind `evals prune`) is the only way out.
 */
import { matchIdPrefix } from '../util/id-prefix.js';
import { isMap, isSeq, type Document } from 'yaml';
import { InputError, UsageError } from '../errors.js';
import { stableId } from '../util/hash.js';
import { assertionKey, canonicalJson } from './assertions.js';
import type { GeneratedTest } from './build.js';
import { createNode, parseSuite, renderNewSuite, renderSuite } from './suite-yaml.js';
import { unprotectDeep, unprotectText } from './template-safe.js';

/** What a merge did to the tests. */
export interface MergeStats {
  /** Tests that were in the suite before (all kept). */
  kept: number;
  /** New tests appended. */
  added: number;
  /** Existing tests that gained assertions, feedback ids or a newer trace. */
  updated: number;
  /** Hand-written tests given a `metadata.testId` so they can be listed and pruned. */
  adopted: number;
  /** Existing generated tests switched to a newer trace of the same task. */
  refreshedTraces: number;
  /** Ids that appear more than once in the suite (all copies kept; the first is merged into). */
  duplicateIds: string[];
}

/** Input of `mergeSuite`. */
export interface MergeInput {
  existing: string | null;
  generated: readonly GeneratedTest[];
  header: Record<string, unknown>;
  cycle: number;
  file: string;
}

/** The merged suite as text, plus its tests and defaultTest as data (for checks). */
export interface MergeOutput {
  text: string;
  tests: Record<string, unknown>[];
  defaultTest: unknown;
  stats: MergeStats;
}

const ARRAY_FIELDS = ['feedbackIds', 'sources', 'traceIds'] as const;

/** Merges generated tests into the existing suite text (or writes a new suite when there is none). */
export function mergeSuite(input: MergeInput): MergeOutput {
  const stats: MergeStats = { kept: 0, added: 0, updated: 0, adopted: 0, refreshedTraces: 0, duplicateIds: [] };
  if (input.existing === null || input.existing.trim() === '') {
    const tests = input.generated.map((g) => g.test);
    stats.added = tests.length;
    const config = { ...input.header, tests };
    return { text: renderNewSuite(config), tests, defaultTest: input.header.defaultTest, stats };
  }

  const existingText = input.existing;
  const doc = parseSuite(existingText, input.file);
  if (doc.contents === null) doc.contents = createNode(doc, {}) as unknown as typeof doc.contents;
  // Header keys are set only when missing: a provider or grader the user changed stays changed.
  for (const [key, value] of Object.entries(input.header)) if (!doc.has(key)) doc.set(key, createNode(doc, value));
  if (!isSeq(doc.get('tests', true))) doc.set('tests', createNode(doc, []));
  const seq = doc.get('tests', true);
  if (!isSeq(seq)) throw new InputError('`tests` must be a list', input.file, undefined, 'evals.suite-shape');

  const tests: Record<string, unknown>[] = [];
  const indexById = new Map<string, number>();
  seq.items.forEach((node, i) => {
    if (!isMap(node))
      throw new InputError(`tests[${i}] is not a mapping; every test must be an object`, input.file, lineOf(existingText, node), 'evals.suite-shape');
    const js = node.toJSON() as Record<string, unknown>;
    const given = metaOf(js).testId;
    let id: string;
    if (typeof given === 'string' && given !== '') {
      id = unprotectText(given);
    } else {
      id = stableId('hand-', canonicalJson(js));
      adoptTest(doc, i, js, id, input.cycle);
      stats.adopted++;
    }
    if (indexById.has(id)) stats.duplicateIds.push(id);
    else indexById.set(id, i);
    tests.push(js);
  });
  stats.kept = tests.length;

  for (const g of input.generated) {
    const i = indexById.get(g.id);
    if (i === undefined) {
      seq.items.push(createNode(doc, g.test) as (typeof seq.items)[number]);
      indexById.set(g.id, tests.length);
      tests.push(g.test);
      stats.added++;
      continue;
    }
    const changed = mergeTest(doc, i, tests[i]!, g, stats);
    if (changed) stats.updated++;
  }
  const defaultTest = doc.get('defaultTest', true);
  return {
    text: renderSuite(doc),
    tests,
    defaultTest:
      defaultTest && typeof (defaultTest as { toJSON?: unknown }).toJSON === 'function' ? (defaultTest as { toJSON(): unknown }).toJSON() : defaultTest,
    stats,
  };
}

function metaOf(test: Record<string, unknown>): Record<string, unknown> {
  const meta = test.metadata;
  return meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, unknown>) : {};
}

function adoptTest(doc: Document.Parsed, i: number, js: Record<string, unknown>, id: string, cycle: number): void {
  const meta = js.metadata;
  if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta))) {
    throw new InputError(`tests[${i}].metadata must be a mapping`, undefined, undefined, 'evals.suite-shape');
  }
  doc.setIn(['tests', i, 'metadata', 'testId'], id);
  doc.setIn(['tests', i, 'metadata', 'addedInCycle'], cycle);
  js.metadata = { ...(meta as Record<string, unknown> | undefined), testId: id, addedInCycle: cycle };
}

/** Adds what is new in `g` to the existing test at index i; returns whether anything changed. */
function mergeTest(doc: Document.Parsed, i: number, js: Record<string, unknown>, g: GeneratedTest, stats: MergeStats): boolean {
  let changed = false;
  const meta = metaOf(js);
  const gMeta = g.test.metadata as Record<string, unknown>;
  const generated = (meta.generated ?? {}) as { traceId?: unknown; assertions?: unknown };
  // Keys of every assertion ever generated: one the user deleted by hand is not added back.
  const known = new Set<string>(Array.isArray(generated.assertions) ? (generated.assertions as string[]) : existingAssertionKeys(js.assert));
  const asserts = Array.isArray(js.assert) ? [...(js.assert as unknown[])] : [];
  const added: unknown[] = [];
  for (const a of g.assertions) {
    if (known.has(a.key)) continue;
    // The same check in an earlier wording is already there: do not ask twice.
    if (a.aliasKeys?.some((k) => known.has(k))) continue;
    known.add(a.key);
    added.push(a.assertion);
  }
  if (added.length > 0) {
    if (Array.isArray(js.assert)) for (const a of added) doc.addIn(['tests', i, 'assert'], createNode(doc, a));
    else doc.setIn(['tests', i, 'assert'], createNode(doc, added));
    js.assert = [...asserts, ...added];
    changed = true;
  }
  const nextMeta: Record<string, unknown> = { ...meta };
  for (const field of ARRAY_FIELDS) {
    const before = Array.isArray(meta[field]) ? (meta[field] as unknown[]) : [];
    const union = [...before, ...((gMeta[field] as unknown[]) ?? []).filter((v) => !before.includes(v))];
    if (union.length !== before.length || !Array.isArray(meta[field])) {
      doc.setIn(['tests', i, 'metadata', field], createNode(doc, union));
      nextMeta[field] = union;
      changed = true;
    }
  }
  for (const field of ['weight', 'severity', 'category'] as const) {
    if (meta[field] === undefined || (field === 'weight' && meta[field] !== gMeta[field]) || (field === 'severity' && meta[field] !== gMeta[field])) {
      doc.setIn(['tests', i, 'metadata', field], gMeta[field]);
      nextMeta[field] = gMeta[field];
      changed = true;
    }
  }
  // A generated trace id that nobody edited follows the newest answer to the same task.
  const gGenerated = gMeta.generated as { traceId: string };
  const vars = (js.vars ?? {}) as Record<string, unknown>;
  let traceId = typeof generated.traceId === 'string' ? generated.traceId : undefined;
  if (traceId !== undefined && typeof vars.trace_id === 'string' && unprotectText(vars.trace_id) === unprotectText(traceId) && traceId !== gGenerated.traceId) {
    doc.setIn(['tests', i, 'vars', 'trace_id'], gGenerated.traceId);
    js.vars = { ...vars, trace_id: gGenerated.traceId };
    traceId = gGenerated.traceId;
    stats.refreshedTraces++;
    changed = true;
  }
  const nextGenerated = { traceId: traceId ?? (typeof vars.trace_id === 'string' ? vars.trace_id : gGenerated.traceId), assertions: [...known] };
  if (canonicalJson(nextGenerated) !== canonicalJson(meta.generated)) {
    doc.setIn(['tests', i, 'metadata', 'generated'], createNode(doc, nextGenerated));
    nextMeta.generated = nextGenerated;
    changed = changed || meta.generated === undefined;
  }
  js.metadata = nextMeta;
  return changed;
}

function existingAssertionKeys(asserts: unknown): string[] {
  if (!Array.isArray(asserts)) return [];
  return asserts
    .filter(
      (a): a is { type: string; value?: unknown; config?: unknown } =>
        a !== null && typeof a === 'object' && typeof (a as { type?: unknown }).type === 'string',
    )
    .map((a) => assertionKey(a.type, unprotectDeep(a.value), a.config === undefined ? undefined : unprotectDeep(a.config)));
}

function lineOf(text: string, node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? text.slice(0, range[0]).split('\n').length : undefined;
}

/** Removes the test with `id`; returns the new text and the test as it stood. */
export function removeTest(text: string, id: string, file: string): { text: string; test: Record<string, unknown>; index: number; id: string } {
  const doc = parseSuite(text, file);
  const seq = doc.get('tests', true);
  const items = isSeq(seq) ? seq.items : [];
  const ids = items.map((node) => (isMap(node) ? unprotectText(String(metaOf(node.toJSON() as Record<string, unknown>).testId ?? '')) : ''));
  // A unique prefix names a test as well as its whole id.
  const match = matchIdPrefix(id, ids);
  if ('ambiguous' in match)
    throw new UsageError(`"${id}" matches more than one test: ${match.ambiguous.join(', ')}; give more characters`, 'evals.ambiguous-test');
  const index = 'id' in match ? ids.indexOf(match.id) : -1;
  if (index < 0) throw new UsageError(`no test with id "${id}" in ${file} (see 'harness-loop evals list')`, 'evals.unknown-test');
  const test = (items[index] as { toJSON(): Record<string, unknown> }).toJSON();
  doc.deleteIn(['tests', index]);
  return { text: renderSuite(doc), test, index, id: ids[index]! };
}
