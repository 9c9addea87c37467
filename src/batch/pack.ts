// Fitting traces into token-bounded batches: measure each trace, shrink one that alone is over
// the budget, then pack greedily in store order without ever splitting a trace.
import type { BatchLine } from '../schema/batch.js';
import type { Trace } from '../schema/trace.js';
import { DEFAULT_LIMITS, isErrorSpan, renderTrace, renderableSpans, type RenderLimits } from './render.js';
import { TokenCounter } from './tokens.js';

/** Characters kept of long texts at each step of shrinking, largest first. */
const SHRINK_STEPS = [8000, 4000, 2000, 1000, 500, 200];

/** Renders and counts one trace; shrinks it when it alone is over `maxTokens`. */
export function measureTrace(trace: Trace, maxTokens: number, counter: TokenCounter = new TokenCounter()): BatchLine {
  const line = renderLine(trace, DEFAULT_LIMITS, counter);
  return line.tokens <= maxTokens ? line : shrinkTrace(trace, maxTokens, counter);
}

function renderLine(trace: Trace, limits: RenderLimits, counter: TokenCounter): BatchLine {
  const { trace: rendered, elidedChars } = renderTrace(trace, limits, counter);
  return { traceId: trace.id, tokens: counter.count(JSON.stringify(rendered)), elidedChars, shrunk: false, overBudget: false, trace: rendered };
}

/**
 * Shrinks a trace that alone exceeds `maxTokens`, gentlest step first: cut the middle of long
 * tool inputs and outputs ever shorter, then those of failed spans too, then leave out spans
 * without error from the middle of the session outwards. The task, the final answer and every
 * error span stay; when they alone exceed the budget the result is marked `overBudget`.
 */
export function shrinkTrace(trace: Trace, maxTokens: number, counter: TokenCounter = new TokenCounter()): BatchLine {
  let last: BatchLine | undefined;
  const attempt = (limits: RenderLimits): BatchLine | undefined => {
    last = { ...renderLine(trace, limits, counter), shrunk: true };
    return last.tokens <= maxTokens ? last : undefined;
  };
  for (const chars of SHRINK_STEPS) {
    const fits = attempt({ fieldChars: chars, errorFieldChars: DEFAULT_LIMITS.errorFieldChars });
    if (fits) return fits;
  }
  for (const chars of [2000, 500]) {
    const fits = attempt({ fieldChars: 200, errorFieldChars: chars });
    if (fits) return fits;
  }
  const bare: RenderLimits = { fieldChars: 0, errorFieldChars: 500 };
  const fits = attempt(bare) ?? dropSpans(trace, maxTokens, bare, counter, attempt) ?? attempt({ ...bare, errorFieldChars: 0, dropSpans: allDroppable(trace) });
  return fits ?? { ...last!, overBudget: true };
}

function allDroppable(trace: Trace): Set<number> {
  const spans = renderableSpans(trace);
  return new Set(spans.map((_, i) => i).filter((i) => !isErrorSpan(spans[i]!)));
}

/** Leaves out spans without error, those nearest the middle first, until the trace fits. */
function dropSpans(
  trace: Trace,
  maxTokens: number,
  limits: RenderLimits,
  counter: TokenCounter,
  attempt: (l: RenderLimits) => BatchLine | undefined,
): BatchLine | undefined {
  const spans = renderableSpans(trace);
  const droppable = [...allDroppable(trace)];
  if (droppable.length === 0) return undefined;
  const centre = (droppable.length - 1) / 2;
  const order = droppable.map((index, k) => ({ index, distance: Math.abs(k - centre) })).sort((a, b) => a.distance - b.distance || a.index - b.index);
  // Costs measured on the bare rendering guide the choice; the exact count decides.
  const cost = new Map(
    order.map(({ index }) => [index, counter.count(JSON.stringify(renderTrace({ ...trace, spans: [spans[index]!] }, limits, counter).trace.spans[0])) + 1]),
  );
  let over = renderLine(trace, limits, counter).tokens - maxTokens + 40;
  const drop = new Set<number>();
  for (const { index } of order) {
    if (over <= 0) {
      const fits = attempt({ ...limits, dropSpans: drop });
      if (fits) return fits;
      over = 20;
    }
    drop.add(index);
    over -= cost.get(index)!;
  }
  return attempt({ ...limits, dropSpans: drop });
}

/** A batch being filled: the lines it holds and their token sum. */
export interface Batch<T extends { tokens: number }> {
  items: T[];
  tokens: number;
}

/**
 * Greedy packing in arrival order, one item at a time, so a stage can stream: `add` returns
 * the batch it closed to make room, if any. An item over the budget gets a batch of its own.
 */
export class BatchPacker<T extends { tokens: number }> {
  private current: Batch<T> = { items: [], tokens: 0 };

  constructor(readonly maxTokens: number) {}

  add(item: T): Batch<T> | undefined {
    let closed: Batch<T> | undefined;
    if (this.current.items.length > 0 && this.current.tokens + item.tokens > this.maxTokens) {
      closed = this.current;
      this.current = { items: [], tokens: 0 };
    }
    this.current.items.push(item);
    this.current.tokens += item.tokens;
    return closed;
  }

  /** Closes the last batch; undefined when nothing was added since the last close. */
  finish(): Batch<T> | undefined {
    const last = this.current;
    this.current = { items: [], tokens: 0 };
    return last.items.length > 0 ? last : undefined;
  }
}

/** Packs items into batches of at most `maxTokens` (an item over it alone), order kept. */
export function packBatches<T extends { tokens: number }>(items: Iterable<T>, maxTokens: number): Batch<T>[] {
  const packer = new BatchPacker<T>(maxTokens);
  const batches: Batch<T>[] = [];
  for (const item of items) {
    const closed = packer.add(item);
    if (closed) batches.push(closed);
  }
  const last = packer.finish();
  if (last) batches.push(last);
  return batches;
}
