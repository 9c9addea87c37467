import { z } from 'zod';
import { ConfigSchema } from './config.js';
import { TraceSchema } from './trace.js';

/** Every schema that is published as `schemas/<name>.schema.json`. */
export const PUBLISHED_SCHEMAS: Record<string, z.ZodType> = {
  trace: TraceSchema,
  config: ConfigSchema,
};

/** The JSON Schema text for one published schema, exactly as committed. */
export function renderJsonSchema(name: string, schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const withId = { $id: `https://harness-loop.dev/schemas/${name}.schema.json`, title: name, ...json };
  return `${JSON.stringify(withId, null, 2)}\n`;
}
