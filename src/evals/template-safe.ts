/**
 * Keeps feedback and trace text from being templated by Promptfoo.
 *
 * Promptfoo 0.121.9 renders Nunjucks in places our data lands: every string in the config is
 * passed through an `{{ env.X }}` pass at load time (descriptions and metadata included), and
 * assertion values and vars are rendered again with the test vars before use. It also treats a
 * value starting with `file://` or `package:` as a file or module to load (and, for `.js`, run).
 * So a prohibited claim like `{{ env.OPENAI_API_KEY }}` would leak a secret into the results, and
 * a task like `file://x.js` would run code.
 *
 * The escape is itself Nunjucks: every `{` that starts a tag (`{{`, `{%`, `{#`) becomes the
 * expression `{{ "{" }}`, every `#` that ends a comment (`#}`, which Nunjucks rejects outside a
 * comment) becomes `{{ "#" }}`, and a leading `file://` or `package:` gets an empty `{{ "" }}`.
 * Where Promptfoo renders, the text comes out exactly as written; where it only runs the env pass,
 * the escapes contain no `env` and are left alone, so nothing is ever evaluated.
 */

const OPEN_BRACE = '{{ "{" }}';
const HASH = '{{ "#" }}';
const EMPTY = '{{ "" }}';
const ESCAPE = /\{\{ "([{#])" \}\}/g;
const LOADER_PREFIX = /^(?:file:\/\/|package:)/;

/** Whether Promptfoo would template or load `text` as written. */
export function needsProtection(text: string): boolean {
  return /\{[{%#]|#\}/.test(text) || LOADER_PREFIX.test(text);
}

/** The text in a form Promptfoo renders back to exactly `text` and never evaluates. */
export function protectText(text: string): string {
  if (!needsProtection(text)) return text;
  const escaped = text.replace(/\{(?=[{%#])/g, OPEN_BRACE).replace(/#(?=\})/g, HASH);
  return LOADER_PREFIX.test(escaped) ? `${EMPTY}${escaped}` : escaped;
}

/** Reverses `protectText` for display and for values Promptfoo hands over unrendered (provider vars). */
export function unprotectText(text: string): string {
  if (!text.includes('{{ "')) return text;
  const body = text.startsWith(EMPTY) ? text.slice(EMPTY.length) : text;
  return body.replace(ESCAPE, '$1');
}

/** Applies `protectText` to every string inside a JSON-like value. */
export function protectDeep<T>(value: T): T {
  if (typeof value === 'string') return protectText(value) as T;
  if (Array.isArray(value)) return value.map((v) => protectDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = protectDeep(v);
    return out as T;
  }
  return value;
}

/** Applies `unprotectText` to every string inside a JSON-like value. */
export function unprotectDeep<T>(value: T): T {
  if (typeof value === 'string') return unprotectText(value) as T;
  if (Array.isArray(value)) return value.map((v) => unprotectDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = unprotectDeep(v);
    return out as T;
  }
  return value;
}
