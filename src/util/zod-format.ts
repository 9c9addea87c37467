import type { z } from 'zod';

/** Zod issues as short lines "→ at a.b.c: message", at most five, then a count. */
export function formatZodIssues(error: z.ZodError, limit = 5): string {
  const lines = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `  → at ${path}: ${issue.message}`;
  });
  if (error.issues.length > limit) lines.push(`  … and ${error.issues.length - limit} more`);
  return lines.join('\n');
}
