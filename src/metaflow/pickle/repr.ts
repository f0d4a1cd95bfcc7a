/**
 * Python's repr() of a decoded value, cut at a maximum length, with the length of the whole.
 *
 * The value graph can be deep (100,000 nested lists), cyclic (a list containing itself) or a
 * "billion laughs" DAG (one list referenced twice at each of 60 levels). So the walk uses an
 * explicit stack instead of recursion, shows a container met inside itself as Python does
 * (`[...]`), keeps text only up to the limit, and once past it only counts: a subgraph that
 * does not reach back into its ancestors always has the same length, which is remembered.
 * A step budget bounds what is left (cycles inside DAGs); then the length is a lower bound.
 */
import { leafRepr, worthCaching } from './leaves';
import { Layout, layoutOf, recursionMarker } from './layout';
import { codePointHead, codePointLength, LazyText } from './text-repr';
import { PyValue } from './value';

export interface ReprResult {
  /** The repr, or its first `maxLength - 1` characters followed by `…`. */
  text: string;
  truncated: boolean;
  /** Characters (code points, as Python counts) in the full repr. */
  length: number;
  /** Set when the walk ran out of budget: `length` only counts what was walked. */
  lengthIsLowerBound?: true;
}

export const DEFAULT_MAX_LENGTH = 1000;
/** Text is never built beyond this many characters, whatever the caller asks. */
const MAX_TEXT_LENGTH = 64 * 1024 * 1024;
/** Pieces visited per repr: about 2 per list item, so lists of 2 million items are measured exactly. */
const MAX_STEPS = 4_000_000;

class Sink {
  total = 0;
  private kept = 0;
  private readonly parts: string[] = [];

  constructor(private readonly cap: number) {}

  get full(): boolean {
    return this.kept >= this.cap;
  }

  add(text: string): void {
    const length = codePointLength(text);
    this.total += length;
    const room = this.cap - this.kept;
    if (room <= 0 || length === 0) return;
    this.parts.push(length <= room ? text : codePointHead(text, room));
    this.kept += Math.min(length, room);
  }

  addLazy(text: LazyText): void {
    this.total += text.length;
    const room = this.cap - this.kept;
    if (room <= 0 || text.length === 0) return;
    const n = Math.min(text.length, room);
    this.parts.push(text.head(n));
    this.kept += n;
  }

  count(length: number): void {
    this.total += length;
  }

  text(): string {
    return this.parts.join('');
  }
}

interface Frame {
  node: PyValue;
  layout: Layout;
  /** Next piece of the layout. */
  index: number;
  /** `sink.total` when the node started. */
  start: number;
  depth: number;
  /** Shallowest ancestor depth a recursion marker inside this node pointed at. */
  low: number;
}

function clampLength(maxLength: number): number {
  if (!Number.isFinite(maxLength)) return Number.isNaN(maxLength) ? DEFAULT_MAX_LENGTH : MAX_TEXT_LENGTH;
  return Math.min(MAX_TEXT_LENGTH, Math.max(1, Math.floor(maxLength)));
}

export function pyRepr(value: PyValue, maxLength = DEFAULT_MAX_LENGTH): ReprResult {
  const cap = clampLength(maxLength);
  const sink = new Sink(cap);
  const frames: Frame[] = [];
  const active = new Map<PyValue, number>();
  const lengths = new Map<PyValue, number>();
  let steps = 0;

  const leaves = new Map<PyValue, string | LazyText>();
  const leafOf = (node: PyValue): string | LazyText | null => {
    const known = leaves.get(node);
    if (known !== undefined) return known;
    const text = leafRepr(node);
    if (text !== null && worthCaching(node)) leaves.set(node, text);
    return text;
  };

  const visit = (node: PyValue): void => {
    const leaf = leafOf(node);
    if (typeof leaf === 'string') return sink.add(leaf);
    if (leaf) return sink.addLazy(leaf);
    const depth = active.get(node);
    if (depth !== undefined) {
      sink.add(recursionMarker(node));
      const top = frames[frames.length - 1];
      top.low = Math.min(top.low, depth);
      return;
    }
    const known = sink.full ? lengths.get(node) : undefined;
    if (known !== undefined) return sink.count(known);
    // Every value leafRepr declines is a container with a layout.
    const layout = layoutOf(node) as Layout;
    frames.push({ node, layout, index: 0, start: sink.total, depth: frames.length, low: Infinity });
    active.set(node, frames.length - 1);
  };

  visit(value);
  while (frames.length > 0 && ++steps <= MAX_STEPS) {
    const frame = frames[frames.length - 1];
    const piece = frame.layout(frame.index++);
    if (piece !== undefined) {
      if (typeof piece === 'string') sink.add(piece);
      else visit(piece);
      continue;
    }
    frames.pop();
    active.delete(frame.node);
    if (frame.low >= frame.depth) lengths.set(frame.node, sink.total - frame.start);
    else frames[frames.length - 1].low = Math.min(frames[frames.length - 1].low, frame.low);
  }

  const truncated = sink.total > cap || frames.length > 0;
  const result: ReprResult = { text: cut(sink.text(), cap, truncated), truncated, length: sink.total };
  if (frames.length > 0) result.lengthIsLowerBound = true;
  return result;
}

function cut(text: string, cap: number, truncated: boolean): string {
  return truncated ? `${codePointHead(text, cap - 1)}…` : text;
}

/** Any text cut the way reprs are. */
export function cutText(text: string, maxLength = DEFAULT_MAX_LENGTH): ReprResult {
  const cap = clampLength(maxLength);
  const length = codePointLength(text);
  return { text: cut(text, cap, length > cap), truncated: length > cap, length };
}
