import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseAnswer } from '../../../src/codex/runner.js';
import { CritiqueSchema } from '../../../src/schema/critique.js';
import { STRICT_OUTPUT_SCHEMAS, checkStrictJsonSchema, toStrictJsonSchema } from '../../../src/schema/registry.js';

const committed = JSON.parse(readFileSync('schemas/critique.schema.json', 'utf8')) as Record<string, unknown>;

const OBSERVATION = {
  traceId: 't1',
  spanId: null,
  category: 'citation_error',
  severity: 'high',
  observation: 'Cites a file that says otherwise.',
  evidence: ['$49 per month'],
  requiredObservations: [],
  prohibitedClaims: [],
};

describe('schemas/critique.schema.json (the --output-schema of feedback critique)', () => {
  it('meets OpenAI strict structured-output rules: closed objects, every property required, plain keywords', () => {
    expect(checkStrictJsonSchema(committed)).toEqual([]);
    expect(JSON.stringify(committed)).not.toMatch(/"\$schema"|"minLength"|"\$id"/);
  });

  it('holds for every schema a model answers in', () => {
    for (const name of STRICT_OUTPUT_SCHEMAS) {
      expect([name, checkStrictJsonSchema(JSON.parse(readFileSync(`schemas/${name}.schema.json`, 'utf8')) as Record<string, unknown>)]).toEqual([name, []]);
    }
  });

  it('expresses the missing span as null, not as an optional key', () => {
    const item = (committed.properties as { observations: { items: { properties: Record<string, unknown>; required: string[] } } }).observations.items;
    expect(item.required).toContain('spanId');
    expect(item.properties.spanId).toMatchObject({ anyOf: [{ type: 'string' }, { type: 'null' }] });
  });

  it('refuses to render a schema with an optional property or an open object', () => {
    expect(() => toStrictJsonSchema(z.object({ a: z.string(), b: z.string().optional() }).strict())).toThrow(/at \(root\)\.b: every property must be required/);
    expect(() => toStrictJsonSchema(z.object({ a: z.string() }).passthrough())).toThrow(/additionalProperties: false/);
  });
});

describe('parseAnswer', () => {
  it('accepts an answer of the schema', () => {
    const r = parseAnswer(JSON.stringify({ observations: [OBSERVATION] }), CritiqueSchema);
    expect(r).toMatchObject({ ok: true, value: { observations: [OBSERVATION] } });
  });

  it('reports a cut-off answer as invalid JSON', () => {
    const r = parseAnswer('{"observations":[{"traceId":"t1","spanId":nu', CritiqueSchema);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^the answer is not valid JSON \(truncated\?\): /);
  });

  it('reports a wrong shape with the path of each problem', () => {
    const r = parseAnswer(JSON.stringify({ observations: [{ ...OBSERVATION, severity: 'urgent', extra: 1 }] }), CritiqueSchema);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('the answer does not match the output schema:');
    expect(!r.ok && r.reason).toContain('→ at observations.0.severity');
    expect(!r.ok && r.reason).toContain('→ at observations.0: Unrecognized key: "extra"');
  });

  it('reports an empty answer and an empty observation text', () => {
    expect(parseAnswer('', CritiqueSchema)).toMatchObject({ ok: false, reason: 'the answer is empty' });
    expect(parseAnswer(JSON.stringify({ observations: [{ ...OBSERVATION, observation: '  ' }] }), CritiqueSchema)).toMatchObject({ ok: false });
  });
});
