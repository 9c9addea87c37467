import { createHash } from 'node:crypto';

/**
 * Escapes text for HTML element content and quoted attribute values alike. Traces carry
 * arbitrary model and tool output, so every interpolated value goes through this, ids included.
 * NUL becomes U+FFFD, as the HTML parser would do anyway, so the file stays clean text.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'\u0000]/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\u0000': '\uFFFD',
};

/**
 * The anchor id of a trace section: `trace-` plus the id with anything outside [A-Za-z0-9_-]
 * replaced. A replaced id gets a short hash of the original, so two ids that differ only in
 * replaced characters still get two anchors.
 */
export function traceAnchor(traceId: string): string {
  const safe = traceId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120);
  if (safe === traceId) return `trace-${safe}`;
  return `trace-${safe}-${createHash('sha256').update(traceId).digest('hex').slice(0, 8)}`;
}

/** Text cut to a size a page can show, with how much was left out. */
export interface Clip {
  /** The kept text. */
  text: string;
  /** Characters left out (0 when nothing was cut). */
  omitted: number;
}

/** Cuts text to `max` characters; the rest is counted, not kept. */
export function clipText(text: string, max: number): Clip {
  return text.length <= max ? { text, omitted: 0 } : { text: text.slice(0, max), omitted: text.length - max };
}

/**
 * A span input or output as text: strings as they are (pretty-printed when they hold a JSON
 * object, as Codex tool arguments do), anything else as indented JSON; null when absent.
 */
export function clipValue(value: unknown, max: number): Clip | null {
  if (value === undefined || value === null) return null;
  let text: string;
  if (typeof value === 'string') {
    text = value;
    const trimmed = value.trim();
    if (trimmed.startsWith('{') && trimmed.length <= max * 4) {
      try {
        text = JSON.stringify(JSON.parse(trimmed), null, 2);
      } catch {
        text = value;
      }
    }
  } else {
    text = JSON.stringify(value, null, 2) ?? String(value);
  }
  return clipText(text, max);
}

/** A clip as a `<pre>` block, with a note when text was cut. */
export function renderClip(clip: Clip): string {
  const note =
    clip.omitted > 0
      ? `<p class="note">… ${escapeHtml(clip.omitted.toLocaleString('en-US'))} more characters not shown; the full text is in the trace store.</p>`
      : '';
  return `<pre>${escapeHtml(clip.text)}</pre>${note}`;
}

/**
 * Text with `backtick` spans shown as code, as the diagnosis writes them. Each piece is escaped
 * on its own, so the markup added is only ever `<code>`.
 */
export function renderInlineCode(text: string): string {
  const parts = text.split('`');
  // An odd count of backticks leaves the last one unpaired: keep it as text.
  if (parts.length % 2 === 0) parts[parts.length - 2] += `\`${parts.pop()}`;
  return parts.map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part))).join('');
}

/** 0.8 → "80%", one decimal only when it matters. */
export function formatPercent(rate: number): string {
  const pct = rate * 100;
  return `${Number.isInteger(Math.round(pct * 10) / 10) ? Math.round(pct) : pct.toFixed(1)}%`;
}

/** Milliseconds for people: "850 ms", "2.4 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 0.01) return '<0.01 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms - min * 60_000) / 1000)} s`;
}

/** An ISO time as "2026-11-25 16:44:26 UTC"; other text is returned as it is. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return 'unknown time';
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}
