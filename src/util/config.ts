import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ConfigSchema, type Config } from '../schema/config.js';
import { InputError } from '../errors.js';
import { formatZodIssues } from './zod-format.js';

/** Reads `.harness-loop/config.yaml`; a missing file means all defaults. */
export async function readConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ConfigSchema.parse({});
    throw new InputError(`cannot read config: ${(error as Error).message}`, file);
  }
  return parseConfig(text, file);
}

/** Parses config text, pointing at the line of the first bad field. */
export function parseConfig(text: string, file: string): Config {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    throw new InputError(`invalid YAML: ${first.message.split('\n')[0]}`, file, first.linePos?.[0]?.line);
  }
  const result = ConfigSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    const line = node?.range ? lineOf(text, node.range[0]) : undefined;
    throw new InputError(`invalid config:\n${formatZodIssues(result.error)}`, file, line);
  }
  return result.data;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
