// Markdown for model answers: markdown-it with `html: false`, so raw HTML in an answer is shown as
// text, and links limited to http(s), mailto and workspace-relative paths (those open the cited
// source beside the answer). Images are shown as their alt text: the app loads nothing remote.
import MarkdownIt from 'markdown-it';

const SAFE_SCHEME = /^(https?:|mailto:)/i;
const ANY_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** A citation's target: a workspace path and an optional line range. */
export interface CiteTarget {
  path: string;
  start: number | null;
  end: number | null;
}

/** Splits `docs/a.md#L3-L5` (or `#L3`) into path and lines; null for URLs and pure anchors. */
export function parseCiteHref(href: string): CiteTarget | null {
  const trimmed = href.trim();
  if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//') || ANY_SCHEME.test(trimmed)) return null;
  const [rawPath, anchor = ''] = trimmed.split('#', 2) as [string, string?];
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath;
  }
  path = path.replace(/^\.\//, '');
  const m = /^L(\d+)(?:-L?(\d+))?$/.exec(anchor);
  const start = m ? Number(m[1]) : null;
  return { path, start, end: m?.[2] ? Number(m[2]) : start };
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.validateLink = (url: string) => {
  const trimmed = url.trim();
  return SAFE_SCHEME.test(trimmed) || !ANY_SCHEME.test(trimmed);
};
md.renderer.rules.image = (tokens, idx) => md.utils.escapeHtml(`[image: ${tokens[idx]!.content || 'no description'}]`);
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx]!;
  const href = token.attrGet('href') ?? '';
  const cite = parseCiteHref(href);
  if (cite) {
    token.attrs = [
      ['href', '#'],
      ['class', 'cite'],
      ['data-path', cite.path],
      ['data-start', String(cite.start ?? '')],
      ['data-end', String(cite.end ?? '')],
    ];
  } else if (SAFE_SCHEME.test(href.trim())) {
    token.attrs = [
      ['href', href.trim()],
      ['target', '_blank'],
      ['rel', 'noopener noreferrer'],
    ];
  } else {
    token.attrs = [['href', '#']];
  }
  return self.renderToken(tokens, idx, options);
};

/** Answer Markdown as HTML safe to assign to innerHTML. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
