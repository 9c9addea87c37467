import { z } from 'zod';
import { BatchManifestSchema } from './batch.js';
import { ConfigSchema } from './config.js';
import { CritiqueSchema } from './critique.js';
import { CycleSchema } from './cycle.js';
import { EvalRunSummarySchema, EvalTestMetadataSchema, PruneLogEntrySchema, RubricVerdictSchema } from './eval-suite.js';
import { FeedbackSchema } from './feedback.js';
import { HarnessModelSchema } from './harness.js';
import { LedgerEntrySchema } from './ledger.js';
import { LlmRecommendationsSchema } from './llm-diagnosis.js';
import { TraceSchema } from './trace.js';

/** Every schema that is published as `schemas/<name>.schema.json`. */
export const PUBLISHED_SCHEMAS: Record<string, z.ZodType> = {
  trace: TraceSchema,
  config: ConfigSchema,
  feedback: FeedbackSchema,
  cycle: CycleSchema,
  'ledger-entry': LedgerEntrySchema,
  critique: CritiqueSchema,
  'llm-recommendations': LlmRecommendationsSchema,
  'eval-run': EvalRunSummarySchema,
  'eval-test-metadata': EvalTestMetadataSchema,
  'rubric-verdict': RubricVerdictSchema,
  'eval-prune-log-entry': PruneLogEntrySchema,
  'batch-manifest': BatchManifestSchema,
  'harness-model': HarnessModelSchema,
};

/**
 * Schemas a model answers in (Codex `--output-schema`). The OpenAI API applies them in strict
 * mode and rejects the request (HTTP 400, before the model runs) for a keyword outside its
 * subset, so their file is exactly what is sent: no $schema/$id/title, no minLength/minItems.
 */
export const STRICT_OUTPUT_SCHEMAS: ReadonlySet<string> = new Set(['critique', 'llm-recommendations']);

/** The JSON Schema text for one published schema, exactly as committed. */
export function renderJsonSchema(name: string, schema: z.ZodType): string {
  if (STRICT_OUTPUT_SCHEMAS.has(name)) return `${JSON.stringify(toStrictJsonSchema(schema), null, 2)}\n`;
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const withId = { $id: `https://harness-loop.dev/schemas/${name}.schema.json`, title: name, ...json };
  return `${JSON.stringify(withId, null, 2)}\n`;
}

// Keywords OpenAI strict structured outputs accept that zod emits for our answer schemas.
const STRICT_KEYWORDS = new Set(['type', 'description', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'anyOf', 'const']);
// Emitted by zod for checks strict mode cannot express; zod still enforces them on the answer.
// (minItems/maxItems are documented as supported, but nothing is lost by leaving them to zod.)
const VALIDATION_ONLY_KEYWORDS = new Set(['$schema', 'minLength', 'maxLength', 'minItems', 'maxItems']);

/**
 * A zod schema as an OpenAI strict-mode JSON Schema. Validation-only keywords are dropped; any
 * other departure from strict mode (an optional property, an open object, an unknown keyword)
 * throws, because the API would reject the schema with every real model.
 */
export function toStrictJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (VALIDATION_ONLY_KEYWORDS.has(key)) continue;
      // Property names are data, not keywords: keep them all.
      out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, strip(v)])) : strip(value);
    }
    return out;
  };
  const json = strip(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' })) as Record<string, unknown>;
  const problems = checkStrictJsonSchema(json);
  if (problems.length > 0) throw new Error(`schema is not OpenAI strict-mode compatible:\n${problems.join('\n')}`);
  return json;
}

/** Lists what in a JSON Schema breaks OpenAI strict structured outputs, as `at <path>: problem`. */
export function checkStrictJsonSchema(root: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (root.type !== 'object') problems.push('at (root): the root must be an object');
  const visit = (node: Record<string, unknown>, path: string) => {
    for (const key of Object.keys(node)) if (!STRICT_KEYWORDS.has(key)) problems.push(`at ${path}: keyword "${key}" is not accepted in strict mode`);
    const types = Array.isArray(node.type) ? node.type : [node.type];
    if (types.includes('object') || node.properties !== undefined) {
      const keys = Object.keys((node.properties ?? {}) as object);
      if (node.additionalProperties !== false) problems.push(`at ${path}: objects need additionalProperties: false`);
      const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
      for (const key of keys)
        if (!required.has(key)) problems.push(`at ${path}.${key}: every property must be required (use a nullable type instead of optional)`);
      for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) visit(child, `${path}.${key}`);
    }
    if (node.items !== undefined) visit(node.items as Record<string, unknown>, `${path}[]`);
    if (Array.isArray(node.anyOf)) (node.anyOf as Record<string, unknown>[]).forEach((child, i) => visit(child, `${path}|${i}`));
  };
  visit(root, '(root)');
  return problems;
}
