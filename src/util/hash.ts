import { createHash } from 'node:crypto';

/** A short stable id from the parts that define a thing. */
export function stableId(prefix: string, ...parts: string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return `${prefix}${h.digest('hex').slice(0, 16)}`;
}

/** Content hash of a serialized value, for "same trace twice" checks. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
