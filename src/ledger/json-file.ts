import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { formatZodIssues } from '../util/zod-format.js';

/**
 * Reads a JSON file and validates it; a missing file is returned as null so each caller can
 * name the command that produces it. Bad JSON or a bad field is an InputError at file:line.
 */
export async function readJsonFile<T extends z.ZodType>(file: string, schema: T, what: string): Promise<z.infer<T> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`cannot read ${what}: ${(error as Error).message}`, file, undefined, 'input.unreadable', { cause: error });
  }
  return parseJsonText(text, file, schema, what);
}

/** Parses JSON text against `schema`, pointing at the line of the syntax error or first bad field. */
export function parseJsonText<T extends z.ZodType>(text: string, file: string, schema: T, what: string): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not valid JSON (${describeSyntaxError(error as Error)})`, file, lineOfSyntaxError(text, error as Error), 'input.json', {
      cause: error,
    });
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const path = result.error.issues[0]?.path ?? [];
  throw new InputError(`not a valid ${what}:\n${formatZodIssues(result.error)}`, file, lineOfPath(text, path as (string | number)[]), 'input.invalid');
}

/** V8's message without the quoted slice of the file it appends in newer versions. */
function describeSyntaxError(error: Error): string {
  return error.message.replace(/,\s*(?:\.\.\.)?"[\s\S]*is not valid JSON$/, '').split('\n')[0]!;
}

/** V8 names the offset ("at position 42") in most messages; otherwise the yaml parser locates it. */
function lineOfSyntaxError(text: string, error: Error): number | undefined {
  const m = /position (\d+)/.exec(error.message);
  if (m) return lineAt(text, Number(m[1]));
  const doc = parseDocument(text);
  return doc.errors[0]?.linePos?.[0]?.line;
}

/** JSON is YAML, so the yaml parser's source ranges give the line of a value by its path. */
function lineOfPath(text: string, path: (string | number)[]): number | undefined {
  try {
    const doc = parseDocument(text);
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineAt(text, node.range[0]);
    }
  } catch {
    // Only a nicer message is lost.
  }
  return undefined;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
