// Word overlap between feedback, rules and skill descriptions, and quotes cut for reading. Pure.

const STOP = new Set(
  'the a an and or but if then than that this these those with without from into onto over under for to of in on at by as is are was were be been being it its they them their there here what which who whom when where why how all any each every some such not no nor only own same so too very can will just should would could may might must shall do does did done doing have has had having one two final each message write wrote written read make need first every sure like get give work keep you your yours our ours we he she his her i me my mine also about after before again against between both during few more most other out off once until while up down further use used using file files agent answer answers says said'.split(
    ' ',
  ),
);

/** A crude stem: cites, cited, citing and cite all become "cit". */
function stem(word: string): string {
  const w = word
    .replace(/(?<!s)s$/, '')
    .replace(/(?:ation|ing|ed)$/, '')
    .replace(/e$/, '');
  return w.length >= 3 ? w : word;
}

/** Content words, lowercased and stemmed; paths and file names are left out (they name examples, not topics). */
export function contentWords(text: string): Set<string> {
  const out = new Set<string>();
  const prose = text.toLowerCase().replace(/\S*[\w-]\/[\w./<>-]+|\b[\w-]+\.(?:md|json|ya?ml|toml|ts|js|mjs|py|txt|sh)\b/g, ' ');
  for (const raw of prose.match(/[a-z][a-z0-9_-]{2,}/g) ?? []) {
    if (STOP.has(raw)) continue;
    out.add(stem(raw));
  }
  return out;
}

/** How many content words two texts share. */
export function overlap(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const w of a) if (b.has(w)) n++;
  return n;
}

/** Text cut at a word boundary, with an ellipsis when cut; outer quotes removed so none are doubled. */
export function cutQuote(text: string, max = 160): string {
  let t = text.replace(/\s+/g, ' ').trim();
  // A JSON value too long to show whole is shown by its text leaves, never cut inside its syntax.
  if (t.length > max && /^[[{]/.test(t)) {
    try {
      const leaves: string[] = [];
      const walk = (v: unknown): void => {
        if (typeof v === 'string') leaves.push(v);
        else if (typeof v === 'number' || typeof v === 'boolean') leaves.push(String(v));
        else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
      };
      walk(JSON.parse(t));
      t = leaves.join(' · ').replace(/\s+/g, ' ').trim();
    } catch {
      // Not JSON after all: cut as text.
    }
  }
  // Outer quotes only when they wrap the whole text, so a quote is never doubled and never loses its own closing quote.
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith('“') && t.endsWith('”')))) t = t.slice(1, -1).trim();
  if (t.length <= max) return t;
  const space = t.lastIndexOf(' ', max);
  return `${t.slice(0, space > max / 2 ? space : max).replace(/[\s,;:{[("'-]+$/, '')}…`;
}

/** A rule that forbids (never, do not, avoid) rather than requires. */
export function isNegative(text: string): boolean {
  return /\b(never|don't|do not|must not|mustn't|avoid|no longer|not allowed|forbid|without)\b/i.test(text);
}
