/** Converts the many time shapes sources use into ISO-8601 UTC, or null when unusable. */

/** Unix seconds (rollout `started_at`) → ISO. */
export function isoFromSeconds(seconds: unknown): string | null {
  const n = toNumber(seconds);
  return n === null || n <= 0 ? null : new Date(n * 1000).toISOString();
}

/** Unix milliseconds → ISO. */
export function isoFromMillis(ms: unknown): string | null {
  const n = toNumber(ms);
  return n === null || n <= 0 ? null : new Date(n).toISOString();
}

/** OTLP nanoseconds as string or number; "0" means absent. Keeps ms precision. */
export function isoFromNanos(nanos: unknown): string | null {
  if (typeof nanos === 'string' && /^\d+$/.test(nanos)) {
    if (/^0+$/.test(nanos)) return null;
    const ms = Number(BigInt(nanos) / 1_000_000n);
    return new Date(ms).toISOString();
  }
  const n = toNumber(nanos);
  return n === null || n <= 0 ? null : new Date(Math.floor(n / 1e6)).toISOString();
}

/** Any parseable date string → ISO, keeping only millisecond precision. */
export function isoFromString(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Milliseconds between two ISO times, or null. */
export function millisBetween(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  const d = Date.parse(end) - Date.parse(start);
  return Number.isFinite(d) && d >= 0 ? d : null;
}

/** Numbers arrive as numbers or as strings ("18", "200"); anything else is null. */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (typeof value === 'bigint') return Number(value);
  return null;
}

/** Earliest / latest of ISO strings, ignoring nulls. */
export function minIso(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}
export function maxIso(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/**
 * The creation time a UUIDv7 carries in its first 48 bits (RFC 9562 §5.7), or null for other ids.
 * Codex thread ids are UUIDv7, so a stream without timestamps still says when its session began.
 */
export function isoFromUuidV7(id: string): string | null {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.exec(id);
  if (!m) return null;
  const ms = parseInt(m[1]! + m[2]!, 16);
  return ms > 0 ? new Date(ms).toISOString() : null;
}
