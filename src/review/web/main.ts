// The review app in the browser: a virtualized queue on the left, the selected trace on the right.
// Every piece of trace text reaches the page as a text node (dom.ts) or through markdown-it with
// raw HTML off (markdown.ts); the server's CSP forbids inline script as a second line.
import type { Feedback } from '../../schema/feedback.js';
import type { QueueItem } from '../queue.js';
import { h, replace } from './dom.js';
import { renderMarkdown } from './markdown.js';

interface QueuePage {
  total: number;
  offset: number;
  items: QueueItem[];
  pending: number;
  pendingCritiques: number;
  traces: number;
  facets: { categories: string[]; sources: string[]; cycles: number[] };
  reviewer: string;
}
interface Clip {
  text: string;
  omitted: number;
}
interface ViewSpan {
  bar: { left: number; width: number; instant: boolean } | null;
  id: string;
  parentId: string | null;
  kind: string;
  name: string;
  durationMs: number | null;
  status: string;
  error: string | null;
  exitCode: number | null;
  input: Clip | null;
  output: Clip | null;
}
interface TraceView {
  trace: {
    id: string;
    task: string | null;
    finalAnswer: string | null;
    startTime: string | null;
    models: string[];
    source: { kind: string; file: string };
    spans: ViewSpan[];
  };
  item: QueueItem | null;
  feedback: Feedback[];
  critiques: Feedback[];
  tests: { id: string; pass: boolean; unjudged?: boolean; category: string | null; reasons: string[] }[];
  citations: { raw: string; path: string; start: number | null; end: number | null }[];
  categories: string[];
  severities: string[];
}
interface ApiError {
  error: string;
  fields?: Record<string, string>;
}
interface PendingVerdict {
  testId: string;
  description?: string;
  category?: string;
  rubricHash: string;
  rubric: string;
  traceId?: string;
  answerHash: string;
  answer: string | null;
}

const ROW_HEIGHT = 64;
const PAGE = 100;
const token = new URLSearchParams(location.search).get('token') ?? '';
const root = document.getElementById('app')!;

const state = {
  filters: { category: '', source: '', cycle: '', status: '' },
  total: 0,
  pages: new Map<number, QueueItem[]>(),
  loadingPages: new Set<number>(),
  generation: 0,
  selected: -1,
  reviewer: '',
  view: null as TraceView | null,
  summary: null as QueuePage | null,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.error);
  }
}

async function api<T>(path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { headers: { 'x-review-token': token }, cache: 'no-store' };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers = { 'x-review-token': token, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const json = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as T | ApiError;
  if (!res.ok) throw new HttpError(res.status, json as ApiError);
  return json as T;
}

// ---- layout ----------------------------------------------------------------------------------

const counter = h('span', { class: 'counter', id: 'remaining' });
const filterBar = h('div', { class: 'filters' });
const scroller = h('div', { class: 'scroller', id: 'queue', tabindex: '0' });
const spacer = h('div', { class: 'spacer' });
scroller.append(spacer);
const traceView = h('main', { class: 'trace', id: 'trace' }, h('p', { class: 'muted' }, 'Pick a trace from the queue (j / k to move).'));
const toast = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite' });
const verdictsButton = h('button', { type: 'button', class: 'verdicts-button', id: 'verdicts-button', onclick: () => void openVerdicts() }, 'Rubrics waiting');

function renderShell(): void {
  replace(
    root,
    h(
      'header',
      { class: 'top' },
      h('h1', {}, 'harness-loop review'),
      counter,
      filterBar,
      verdictsButton,
      h('span', { class: 'keys' }, 'j/k next/prev · a accept · r reject · e edit · p/f pass/fail a rubric'),
    ),
    h('div', { class: 'body' }, h('aside', { class: 'queue' }, scroller), traceView),
    toast,
  );
}

function say(text: string, kind: 'ok' | 'error' = 'ok'): void {
  toast.textContent = text;
  toast.className = `toast show ${kind}`;
  window.setTimeout(() => (toast.className = 'toast'), 2500);
}

function select(name: keyof typeof state.filters, label: string, values: (string | number)[]): HTMLSelectElement {
  const el = h(
    'select',
    {
      name,
      'aria-label': label,
      onchange: () => {
        state.filters[name] = el.value;
        void reloadQueue(true);
      },
    },
    h('option', { value: '' }, `${label}: any`),
    ...values.map((v) => h('option', { value: String(v) }, String(v))),
  );
  el.value = state.filters[name];
  return el;
}

function renderFilters(summary: QueuePage): void {
  replace(
    filterBar,
    select('category', 'category', summary.facets.categories),
    select('source', 'source', summary.facets.sources),
    select('cycle', 'cycle', summary.facets.cycles),
    select('status', 'status', ['pending', 'reviewed', 'clean']),
  );
}

function renderCounter(summary: QueuePage): void {
  counter.textContent = `${summary.pending} of ${summary.traces} traces left to review · ${summary.pendingCritiques} critiques waiting`;
}

// ---- queue (virtualized: only the rows in view exist) ------------------------------------------

function queryString(offset: number): string {
  const p = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
  for (const [k, v] of Object.entries(state.filters)) if (v) p.set(k, v);
  return p.toString();
}

async function loadPage(page: number): Promise<void> {
  if (state.pages.has(page) || state.loadingPages.has(page)) return;
  state.loadingPages.add(page);
  const generation = state.generation;
  try {
    const result = await api<QueuePage>(`/api/queue?${queryString(page * PAGE)}`);
    if (generation !== state.generation) return;
    state.pages.set(page, result.items);
    state.total = result.total;
    state.summary = result;
    renderCounter(result);
    renderRows();
  } finally {
    state.loadingPages.delete(page);
  }
}

function itemAt(index: number): QueueItem | undefined {
  return state.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
}

function renderRows(): void {
  spacer.style.height = `${state.total * ROW_HEIGHT}px`;
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - 5);
  const last = Math.min(state.total, first + Math.ceil(scroller.clientHeight / ROW_HEIGHT) + 10);
  const rows: HTMLElement[] = [];
  for (let i = first; i < last; i++) {
    const item = itemAt(i);
    if (!item) void loadPage(Math.floor(i / PAGE));
    rows.push(renderRow(i, item));
  }
  spacer.replaceChildren(...rows);
  if (state.total === 0) spacer.replaceChildren(h('p', { class: 'muted empty' }, 'No traces match these filters.'));
}

function renderRow(index: number, item: QueueItem | undefined): HTMLElement {
  const style = `top:${index * ROW_HEIGHT}px;height:${ROW_HEIGHT}px`;
  if (!item) return h('div', { class: 'row loading', style }, '…');
  const chips = [
    item.failingTests > 0 && h('span', { class: 'chip chip-fail' }, `${item.failingTests} failing`),
    item.findings > 0 && h('span', { class: 'chip chip-finding' }, `${item.findings} finding${item.findings > 1 ? 's' : ''}`),
    item.pendingCritiques > 0 && h('span', { class: 'chip chip-critique' }, `${item.pendingCritiques} critique${item.pendingCritiques > 1 ? 's' : ''}`),
    h('span', { class: `chip status-${item.status}` }, item.status),
  ];
  return h(
    'div',
    {
      class: `row${index === state.selected ? ' selected' : ''}`,
      style,
      'data-index': index,
      'data-trace-id': item.traceId,
      role: 'button',
      onclick: () => void selectIndex(index),
    },
    h('div', { class: 'row-task' }, item.task),
    h('div', { class: 'row-meta' }, h('span', { class: 'score', title: 'how bad it looks' }, String(item.score)), ...chips),
  );
}

async function reloadQueue(reset: boolean): Promise<void> {
  state.generation++;
  state.pages.clear();
  if (reset) {
    state.selected = -1;
    scroller.scrollTop = 0;
  }
  const result = await api<QueuePage>(`/api/queue?${queryString(0)}`);
  state.pages.set(0, result.items);
  state.total = result.total;
  state.summary = result;
  state.reviewer ||= result.reviewer;
  renderCounter(result);
  renderRows();
}

async function selectIndex(index: number): Promise<void> {
  if (index < 0 || index >= state.total) return;
  const page = Math.floor(index / PAGE);
  if (!state.pages.has(page)) await loadPage(page);
  const item = itemAt(index);
  if (!item) return;
  state.selected = index;
  const top = index * ROW_HEIGHT;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + ROW_HEIGHT > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + ROW_HEIGHT - scroller.clientHeight;
  renderRows();
  await openTrace(item.traceId);
}

// ---- trace view --------------------------------------------------------------------------------

async function openTrace(id: string): Promise<void> {
  try {
    const view = await api<TraceView>(`/api/trace?id=${encodeURIComponent(id)}`);
    state.view = view;
    renderTrace(view);
  } catch (error) {
    replace(traceView, h('p', { class: 'error' }, (error as Error).message));
  }
}

function renderTrace(view: TraceView): void {
  const t = view.trace;
  const answer = h('div', { class: 'answer markdown', id: 'answer' });
  answer.innerHTML = renderMarkdown(t.finalAnswer ?? '_No final answer recorded._');
  highlightCitations(answer, view.citations);
  const source = h(
    'div',
    { class: 'source', id: 'source' },
    h('p', { class: 'muted' }, view.citations.length > 0 ? 'Click a highlighted citation to see the cited lines.' : 'The answer cites no files.'),
  );
  replace(
    traceView,
    h('h2', { class: 'task' }, t.task ?? '(no task recorded)'),
    h('p', { class: 'meta' }, `${t.id} · ${t.startTime ?? 'unknown time'} · ${t.models.join(', ') || 'unknown model'} · ${t.spans.length} spans`),
    renderTests(view),
    h(
      'section',
      { class: 'side-by-side' },
      h('div', { class: 'pane' }, h('h3', {}, 'Final answer'), answer),
      h('div', { class: 'pane' }, h('h3', {}, 'Cited source'), source),
    ),
    renderCritiques(view),
    renderFeedbackList(view),
    renderForm(view),
    renderTimeline(t.spans),
  );
  const first = answer.querySelector<HTMLElement>('.cite');
  if (first) void showSource(first);
}

function renderTests(view: TraceView): HTMLElement | null {
  if (view.tests.length === 0) return null;
  return h(
    'ul',
    { class: 'tests' },
    ...view.tests.map((test) =>
      h(
        'li',
        { class: test.pass ? 'pass' : test.unjudged ? 'unjudged' : 'fail' },
        h('strong', {}, test.pass ? 'pass ' : test.unjudged ? 'unjudged ' : 'FAIL '),
        `${test.id}${test.category ? ` (${test.category})` : ''}`,
        test.reasons.length > 0 ? `: ${test.reasons.join('; ')}` : '',
      ),
    ),
  );
}

/** Wraps each citation as written ([docs/a.md], (source: …)) in a link to the cited lines. */
function highlightCitations(container: HTMLElement, citations: TraceView['citations']): void {
  for (const c of citations) {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    const hits: Text[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.nodeValue?.includes(c.raw) && !n.parentElement?.closest('a')) hits.push(n as Text);
    for (const node of hits) {
      let rest: Text = node;
      for (let at = rest.data.indexOf(c.raw); at >= 0; at = rest.data.indexOf(c.raw)) {
        const match = rest.splitText(at);
        rest = match.splitText(c.raw.length);
        const link = h('a', { href: '#', class: 'cite', 'data-path': c.path, 'data-start': c.start ?? '', 'data-end': c.end ?? '' }, c.raw);
        match.replaceWith(link);
      }
    }
  }
  container.querySelectorAll<HTMLElement>('a.cite').forEach((a) =>
    a.addEventListener('click', (e) => {
      e.preventDefault();
      void showSource(a);
    }),
  );
}

async function showSource(link: HTMLElement): Promise<void> {
  const pane = document.getElementById('source');
  if (!pane) return;
  document.querySelectorAll('a.cite.active').forEach((a) => a.classList.remove('active'));
  link.classList.add('active');
  const path = link.dataset.path ?? '';
  const start = Number(link.dataset.start) || null;
  const end = Number(link.dataset.end) || start;
  try {
    const file = await api<{ path: string; lines: string[] }>(`/api/source?path=${encodeURIComponent(path)}`);
    const table = h(
      'ol',
      { class: 'lines' },
      ...file.lines.map((line, i) => h('li', { class: start !== null && i + 1 >= start && i + 1 <= (end ?? start) ? 'hit' : '', value: i + 1 }, line || ' ')),
    );
    replace(pane, h('p', { class: 'source-path' }, file.path, start ? ` · lines ${start}${end && end !== start ? `–${end}` : ''}` : ''), table);
    table.querySelector('.hit')?.scrollIntoView({ block: 'nearest' });
  } catch (error) {
    replace(pane, h('p', { class: 'error' }, `${path}: ${(error as Error).message}`));
  }
}

function listBlock(title: string, items: string[]): HTMLElement | null {
  return items.length === 0 ? null : h('div', { class: 'list' }, h('span', { class: 'label' }, title), h('ul', {}, ...items.map((x) => h('li', {}, x))));
}

function recordBody(r: Feedback): HTMLElement[] {
  return [
    h(
      'div',
      { class: 'record-head' },
      h('span', { class: `badge src-${r.source}` }, r.verifiedBy ? `${r.source} ✓ ${r.verifiedBy}` : r.source),
      h('span', { class: 'badge' }, r.category),
      h('span', { class: `badge sev-${r.severity}` }, r.severity),
      r.status !== 'active' ? h('span', { class: `badge status-${r.status}` }, r.status) : null,
      h('span', { class: 'muted' }, r.author),
    ),
    h('p', { class: 'observation' }, r.observation),
    ...[listBlock('Evidence', r.evidence), listBlock('Required', r.requiredObservations), listBlock('Prohibited', r.prohibitedClaims)].filter(
      (x): x is HTMLElement => x !== null,
    ),
  ];
}

function renderFeedbackList(view: TraceView): HTMLElement {
  return h(
    'section',
    { class: 'feedback-list' },
    h('h3', {}, `Feedback on this trace (${view.feedback.length})`),
    view.feedback.length === 0 ? h('p', { class: 'muted' }, 'None yet.') : null,
    ...view.feedback.map((r) => {
      const reason = typeof r.attributes.rejectReason === 'string' ? h('p', { class: 'muted' }, `Rejected: ${r.attributes.rejectReason}`) : null;
      return h('article', { class: `record ${r.status}`, 'data-feedback-id': r.id }, ...recordBody(r), reason);
    }),
  );
}

// ---- critiques: accept / edit / reject ----------------------------------------------------------

function renderCritiques(view: TraceView): HTMLElement | null {
  if (view.critiques.length === 0) return null;
  return h(
    'section',
    { class: 'critiques' },
    h('h3', {}, `LLM critiques waiting for you (${view.critiques.length})`),
    ...view.critiques.map((c) => renderCritique(view, c)),
  );
}

function renderCritique(view: TraceView, c: Feedback): HTMLElement {
  const errors = h('p', { class: 'error field-error', 'data-error-for': 'form' });
  const reason = h('input', { type: 'text', class: 'reject-reason', placeholder: 'Why is it wrong? (required to reject)', 'aria-label': 'reject reason' });
  const reasonError = h('span', { class: 'field-error', 'data-error-for': 'reason' });
  const editor = h('div', { class: 'editor', hidden: true });
  const card = h(
    'article',
    { class: 'critique', 'data-feedback-id': c.id },
    ...recordBody(c),
    typeof c.attributes.unverifiedReason === 'string' ? h('p', { class: 'muted' }, `Unverified: ${c.attributes.unverifiedReason}`) : null,
    editor,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'accept', onclick: () => void review(card, c, 'accept') }, 'Accept'),
      h('button', { type: 'button', class: 'edit', onclick: () => toggleEditor(view, card, c) }, 'Edit'),
      reason,
      h('button', { type: 'button', class: 'reject', onclick: () => void review(card, c, 'reject') }, 'Reject'),
      reasonError,
    ),
    errors,
  );
  reason.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') void review(card, c, 'reject');
  });
  return card;
}

function toggleEditor(view: TraceView, card: HTMLElement, c: Feedback): void {
  const editor = card.querySelector<HTMLElement>('.editor')!;
  if (!editor.hidden) {
    editor.hidden = true;
    return;
  }
  replace(
    editor,
    field('Category', categoryInput(view, c.category, `cat-${c.id}`), 'category'),
    field('Severity', severitySelect(view, c.severity), 'severity'),
    field('Observation', h('textarea', { name: 'observation', rows: 3, value: c.observation }), 'observation'),
    field('Evidence (one per line)', h('textarea', { name: 'evidence', rows: 3, value: c.evidence.join('\n') }), 'evidence'),
    field(
      'Required observations (one per line)',
      h('textarea', { name: 'requiredObservations', rows: 2, value: c.requiredObservations.join('\n') }),
      'requiredObservations',
    ),
    field('Prohibited claims (one per line)', h('textarea', { name: 'prohibitedClaims', rows: 2, value: c.prohibitedClaims.join('\n') }), 'prohibitedClaims'),
  );
  editor.hidden = false;
  editor.querySelector<HTMLElement>('textarea')?.focus();
}

async function review(card: HTMLElement, c: Feedback, action: 'accept' | 'reject'): Promise<void> {
  card.querySelectorAll('.field-error').forEach((e) => (e.textContent = ''));
  const body: Record<string, unknown> = { id: c.id, action, reviewer: state.reviewer };
  if (action === 'reject') body.reason = card.querySelector<HTMLInputElement>('.reject-reason')!.value;
  const editor = card.querySelector<HTMLElement>('.editor')!;
  if (action === 'accept' && !editor.hidden) body.edits = readFields(editor);
  try {
    await api('/api/critique', body);
    say(action === 'accept' ? 'Accepted: now a human-verified record' : 'Rejected, with your reason');
    await refreshAfterWrite();
  } catch (error) {
    showErrors(card, error);
  }
}

// ---- the feedback form --------------------------------------------------------------------------

function field(label: string, input: HTMLElement, name: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, label), input, h('span', { class: 'field-error', 'data-error-for': name }));
}

function categoryInput(view: TraceView, value: string, listId: string): HTMLElement {
  return h(
    'span',
    {},
    h('input', { name: 'category', list: listId, value, autocomplete: 'off' }),
    h('datalist', { id: listId }, ...view.categories.map((c) => h('option', { value: c }))),
  );
}

function severitySelect(view: TraceView, value: string): HTMLSelectElement {
  const el = h('select', { name: 'severity' }, h('option', { value: '' }, 'choose…'), ...view.severities.map((s) => h('option', { value: s }, s)));
  el.value = value;
  return el;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function readFields(container: HTMLElement): Record<string, unknown> {
  const value = (name: string) => container.querySelector<HTMLInputElement>(`[name="${name}"]`)?.value ?? '';
  return {
    category: value('category'),
    severity: value('severity'),
    observation: value('observation'),
    evidence: lines(value('evidence')),
    requiredObservations: lines(value('requiredObservations')),
    prohibitedClaims: lines(value('prohibitedClaims')),
  };
}

function showErrors(container: HTMLElement, error: unknown): void {
  const body = error instanceof HttpError ? error.body : { error: (error as Error).message };
  const fields = body.fields ?? { form: body.error };
  let shown = false;
  for (const [name, message] of Object.entries(fields)) {
    const slot = container.querySelector(`[data-error-for="${name}"]`);
    if (slot) {
      slot.textContent = message;
      shown = true;
    }
  }
  const general = container.querySelector('[data-error-for="form"]');
  if (general) general.textContent = shown ? body.error : Object.values(fields).join('; ') || body.error;
  say(body.error, 'error');
}

function renderForm(view: TraceView): HTMLElement {
  const span = h(
    'select',
    { name: 'spanId' },
    h('option', { value: '' }, 'whole trace'),
    ...view.trace.spans.map((s) => h('option', { value: s.id }, `${s.kind} ${s.name} (${s.id})`)),
  );
  const form = h(
    'form',
    { class: 'feedback-form', id: 'feedback-form', novalidate: true },
    h('h3', {}, 'Add feedback'),
    h('p', { class: 'muted' }, 'Select text in the answer or a tool output to add it as evidence.'),
    h(
      'div',
      { class: 'grid' },
      field('Category', categoryInput(view, '', 'categories'), 'category'),
      field('Severity', severitySelect(view, ''), 'severity'),
      field('Span', span, 'spanId'),
      field('Author', h('input', { name: 'author', value: state.reviewer }), 'author'),
    ),
    field('Observation', h('textarea', { name: 'observation', rows: 3, placeholder: 'What is wrong, as a sentence' }), 'observation'),
    field('Evidence (one per line)', h('textarea', { name: 'evidence', rows: 3 }), 'evidence'),
    field('Required observations (one per line)', h('textarea', { name: 'requiredObservations', rows: 2 }), 'requiredObservations'),
    field('Prohibited claims (one per line)', h('textarea', { name: 'prohibitedClaims', rows: 2 }), 'prohibitedClaims'),
    h('p', { class: 'error field-error', 'data-error-for': 'form' }),
    h('p', { class: 'field-error', 'data-error-for': 'traceId' }),
    h('button', { type: 'submit', class: 'save' }, 'Save feedback'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void saveForm(form, view);
  });
  return form;
}

async function saveForm(form: HTMLFormElement, view: TraceView): Promise<void> {
  form.querySelectorAll('.field-error').forEach((el) => (el.textContent = ''));
  const value = (name: string) => form.querySelector<HTMLInputElement>(`[name="${name}"]`)!.value;
  const body = { ...readFields(form), traceId: view.trace.id, spanId: value('spanId'), author: value('author') };
  try {
    await api('/api/feedback', body);
    say('Saved');
    await refreshAfterWrite();
  } catch (error) {
    showErrors(form, error);
  }
}

async function refreshAfterWrite(): Promise<void> {
  const id = state.view?.trace.id;
  await reloadQueue(false);
  if (id) await openTrace(id);
}

// ---- spans ----------------------------------------------------------------------------------

function depthOf(spans: ViewSpan[], span: ViewSpan): number {
  const parents = new Map(spans.map((s) => [s.id, s.parentId]));
  let depth = 0;
  const seen = new Set([span.id]);
  for (let p = span.parentId; p !== null && parents.has(p) && !seen.has(p); p = parents.get(p) ?? null) {
    seen.add(p);
    depth++;
  }
  return Math.min(depth, 6);
}

function clipBlock(label: string, clip: Clip | null, spanId: string): HTMLElement | null {
  if (!clip) return null;
  return h(
    'div',
    { class: 'io' },
    h('span', { class: 'label' }, label),
    h('pre', { class: 'span-io', 'data-span-id': spanId }, clip.text),
    clip.omitted > 0 ? h('p', { class: 'muted' }, `… ${clip.omitted.toLocaleString('en-US')} more characters not shown`) : null,
  );
}

function formatMs(ms: number | null): string {
  if (ms === null) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function renderTimeline(spans: ViewSpan[]): HTMLElement {
  return h(
    'section',
    { class: 'timeline' },
    h('h3', {}, `Spans (${spans.length})`),
    ...spans.map((s) => {
      const bar = s.bar ? h('span', { class: `bar${s.bar.instant ? ' instant' : ''}`, style: `left:${s.bar.left}%;width:${s.bar.width}%` }) : null;
      const failed = s.status === 'error' || (s.exitCode !== null && s.exitCode !== 0);
      return h(
        'details',
        { class: `span kind-${s.kind}${failed ? ' failed' : ''}`, 'data-span-id': s.id, style: `--depth:${depthOf(spans, s)}` },
        h(
          'summary',
          {},
          h('span', { class: 'kind' }, s.kind.replace('_call', '')),
          h('span', { class: 'name' }, s.name),
          h('span', { class: 'dur' }, formatMs(s.durationMs)),
          s.exitCode !== null ? h('span', { class: 'exit' }, `exit ${s.exitCode}`) : null,
          h('span', { class: 'track' }, bar),
        ),
        h('p', { class: 'muted' }, `span ${s.id}`),
        clipBlock('Input', s.input, s.id),
        clipBlock('Output', s.output, s.id),
        s.error ? h('pre', { class: 'span-error' }, s.error) : null,
      );
    }),
  );
}

// ---- selection → evidence, keyboard ----------------------------------------------------------

document.addEventListener('mouseup', () => window.setTimeout(addSelectionAsEvidence, 0));

/** The selected text, when it starts in the answer or a tool input/output, becomes an evidence line. */
function addSelectionAsEvidence(): void {
  const selection = window.getSelection();
  const text = selection?.toString().replace(/\s+/g, ' ').trim() ?? '';
  if (!selection || text === '' || selection.rangeCount === 0) return;
  // The start, not the common ancestor: a triple-click selection ends in the next block.
  const node = selection.getRangeAt(0).startContainer;
  const el = node instanceof Element ? node : node.parentElement;
  const where = el?.closest('#answer') ? 'answer' : el?.closest('pre.span-io') ? `span ${el.closest<HTMLElement>('pre.span-io')!.dataset.spanId}` : null;
  if (!where) return;
  const evidence = document.querySelector<HTMLTextAreaElement>('#feedback-form [name="evidence"]');
  if (!evidence) return;
  const line = `"${text}" (${where})`;
  if (lines(evidence.value).includes(line)) return;
  evidence.value = [...lines(evidence.value), line].join('\n');
  say('Selection added to evidence');
}

// ---- rubric verdicts -----------------------------------------------------------------------------

async function refreshVerdictCount(): Promise<PendingVerdict[]> {
  const { pending } = await api<{ pending: PendingVerdict[] }>('/api/verdicts');
  verdictsButton.textContent = `Rubrics waiting (${pending.length})`;
  return pending;
}

/** The unjudged rubrics of the latest run, each beside the answer it judges. */
async function openVerdicts(): Promise<void> {
  const pending = await refreshVerdictCount();
  state.selected = -1;
  state.view = null;
  renderRows();
  replace(
    traceView,
    h('h2', {}, `Rubrics waiting for a verdict (${pending.length})`),
    pending.length === 0 ? h('p', { class: 'muted', id: 'no-verdicts' }, 'Every rubric of the latest run has a verdict.') : null,
    ...pending.map(renderVerdictCard),
  );
  traceView.querySelector<HTMLTextAreaElement>('.verdict .verdict-reason')?.focus();
}

function renderVerdictCard(p: PendingVerdict): HTMLElement {
  const reason = h('textarea', { class: 'verdict-reason', rows: 2, placeholder: 'Why it passes or fails (then p / f, or Alt+P / Alt+F here)' });
  const card = h(
    'section',
    { class: 'verdict', 'data-rubric': p.rubricHash, 'data-answer': p.answerHash },
    h('h3', {}, `${p.category ? `${p.category}: ` : ''}${p.description ?? p.testId}`),
    h('p', { class: 'muted' }, `test ${p.testId} · trace ${p.traceId ?? '?'} · ${p.answerHash}`),
    h(
      'div',
      { class: 'verdict-pair' },
      h('div', {}, h('h4', {}, 'Rubric'), h('pre', { class: 'rubric' }, p.rubric)),
      h(
        'div',
        {},
        h('h4', {}, 'Answer'),
        p.answer === null ? h('p', { class: 'muted' }, 'The answer is not in the trace store.') : h('div', { class: 'answer markdown' }),
      ),
    ),
    field('Reason', reason, 'reason'),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'pass', onclick: () => void judge(card, p, true) }, 'Pass (p)'),
      h('button', { type: 'button', class: 'fail', onclick: () => void judge(card, p, false) }, 'Fail (f)'),
    ),
  );
  const answer = card.querySelector<HTMLElement>('.answer');
  if (answer && p.answer !== null) answer.innerHTML = renderMarkdown(p.answer);
  reason.addEventListener('keydown', (e) => {
    if (!e.altKey || (e.code !== 'KeyP' && e.code !== 'KeyF')) return;
    e.preventDefault();
    void judge(card, p, e.code === 'KeyP');
  });
  return card;
}

async function judge(card: HTMLElement, p: PendingVerdict, pass: boolean): Promise<void> {
  const reason = card.querySelector<HTMLTextAreaElement>('.verdict-reason')!;
  if (reason.value.trim() === '') {
    reason.focus();
    say('Give a reason first', 'error');
    return;
  }
  try {
    await api('/api/verdict', { rubricHash: p.rubricHash, answerHash: p.answerHash, pass, reason: reason.value });
    say(`Recorded: ${pass ? 'pass' : 'fail'}`);
    card.remove();
    await refreshVerdictCount();
    traceView.querySelector<HTMLTextAreaElement>('.verdict .verdict-reason')?.focus();
  } catch (error) {
    say((error as Error).message, 'error');
  }
}

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if (e.ctrlKey || e.metaKey || e.altKey || target.closest('input, textarea, select')) return;
  const card = document.querySelector<HTMLElement>('.verdict');
  if (card && (e.key === 'p' || e.key === 'f')) {
    card.querySelector<HTMLButtonElement>(e.key === 'p' ? '.pass' : '.fail')?.click();
    e.preventDefault();
    return;
  }
  if (e.key === 'j' || e.key === 'ArrowDown') void selectIndex(state.selected + 1);
  else if (e.key === 'k' || e.key === 'ArrowUp') void selectIndex(Math.max(0, state.selected - 1));
  else if (e.key === 'a') document.querySelector<HTMLButtonElement>('.critique .accept')?.click();
  else if (e.key === 'e') document.querySelector<HTMLButtonElement>('.critique .edit')?.click();
  else if (e.key === 'r') {
    const reason = document.querySelector<HTMLInputElement>('.critique .reject-reason');
    if (!reason) return;
    if (reason.value.trim() === '') reason.focus();
    else document.querySelector<HTMLButtonElement>('.critique .reject')?.click();
  } else return;
  e.preventDefault();
});

// ---- start -------------------------------------------------------------------------------------

async function start(): Promise<void> {
  if (!token) {
    replace(root, h('p', { class: 'error boot' }, 'This page needs the URL that `harness-loop review` printed (it carries a token).'));
    return;
  }
  try {
    const first = await api<QueuePage>(`/api/queue?${queryString(0)}`);
    renderShell();
    state.reviewer = first.reviewer;
    renderFilters(first);
    state.pages.set(0, first.items);
    state.total = first.total;
    renderCounter(first);
    renderRows();
    scroller.addEventListener('scroll', () => requestAnimationFrame(renderRows), { passive: true });
    window.addEventListener('resize', () => renderRows());
    await refreshVerdictCount().catch(() => undefined);
    if (first.total > 0) await selectIndex(0);
  } catch (error) {
    const refused = error instanceof HttpError && error.status === 403;
    replace(root, h('p', { class: 'error boot', id: 'refused' }, refused ? `Refused: ${error.message}` : `Cannot load the queue: ${(error as Error).message}`));
  }
}

void start();
