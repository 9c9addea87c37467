// One rule for every id a user types: the whole id, or any prefix of it that only one id has
// (`--trace 01a2…` as the README writes it). Trailing "…" or "..." is ignored.
import { UsageError } from '../errors.js';

export type PrefixMatch = { id: string } | { none: true } | { ambiguous: string[] };

/** Strips the ellipsis people copy along with a shortened id. */
function clean(given: string): string {
  return given.trim().replace(/(\u2026|\.\.\.)$/, '');
}

/** The id `given` names among `candidates`: an exact match wins over prefixes. */
export function matchIdPrefix(given: string, candidates: Iterable<string>): PrefixMatch {
  const wanted = clean(given);
  const hits = new Set<string>();
  for (const id of candidates) {
    if (id === wanted) return { id };
    if (wanted !== '' && id.startsWith(wanted)) hits.add(id);
  }
  if (hits.size === 1) return { id: [...hits][0]! };
  return hits.size === 0 ? { none: true } : { ambiguous: [...hits].sort() };
}

/**
 * Resolves a typed id or unique prefix to the full id; a usage error (exit 2) names the kind of
 * thing, and for an ambiguous prefix the ids it matches.
 */
export function resolveIdPrefix(given: string, candidates: Iterable<string>, what: string): string {
  const match = matchIdPrefix(given, candidates);
  if ('id' in match) return match.id;
  if ('ambiguous' in match) {
    const shown = match.ambiguous.slice(0, 5).join(', ') + (match.ambiguous.length > 5 ? `, … (${match.ambiguous.length} in all)` : '');
    throw new UsageError(`"${clean(given)}" matches more than one ${what}: ${shown}; give more characters`, 'usage.ambiguous-id');
  }
  throw new UsageError(`no ${what} "${clean(given)}"`, 'usage.unknown-id');
}
