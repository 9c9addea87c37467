import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_SCHEMAS, renderJsonSchema } from '../../../src/schema/registry.js';

describe('generated JSON Schemas', () => {
  for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
    it(`schemas/${name}.schema.json matches its zod schema (run npm run gen-schemas after a change)`, () => {
      const committed = readFileSync(`schemas/${name}.schema.json`, 'utf8');
      expect(committed).toBe(renderJsonSchema(name, schema));
    });
  }

  it('has no schema file without a zod source', () => {
    const files = readdirSync('schemas').filter((f) => f.endsWith('.schema.json'));
    expect(files.sort()).toEqual(
      Object.keys(PUBLISHED_SCHEMAS)
        .map((n) => `${n}.schema.json`)
        .sort(),
    );
  });
});
