// Writes schemas/*.schema.json from the zod schemas; test/unit/schema/schemas.test.ts fails when they are stale.
import { writeFileSync, mkdirSync } from 'node:fs';
import { PUBLISHED_SCHEMAS, renderJsonSchema } from '../src/schema/registry.js';

mkdirSync('schemas', { recursive: true });
for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
  writeFileSync(`schemas/${name}.schema.json`, renderJsonSchema(name, schema));
  console.log(`schemas/${name}.schema.json`);
}
