/**
 * How each container's repr is laid out: literal text interleaved with child values, which the
 * repr walker (repr.ts) renders without recursion. Formats follow CPython 3.11.
 *
 * A layout is random access (piece i, computed), not a generator: the walker may hold 100,000
 * nested containers at once, and that many suspended generators make V8's GC crawl.
 */
import { dateTimeHead, timeHead } from './datetime';
import { leafText } from './leaves';
import { namedTupleFields } from './objects';
import { PyDict, PyValue } from './value';

/** Literal text, or a child value to render in place. */
type Piece = string | PyValue;

/** Piece `i` of a repr, or undefined past the end. */
export type Layout = (i: number) => Piece | undefined;

function fixed(pieces: Piece[]): Layout {
  return (i) => pieces[i];
}

function concat(prefix: Piece[], rest: Layout): Layout {
  return (i) => (i < prefix.length ? prefix[i] : rest(i - prefix.length));
}

/** `open item, item, … close`. */
function sequence(open: string, values: PyValue[], close: string): Layout {
  const count = values.length === 0 ? 2 : 2 * values.length + 1;
  return (i) => {
    if (i >= count) return undefined;
    if (i === 0) return open;
    if (i === count - 1) return close;
    return i % 2 === 1 ? values[(i - 1) / 2] : ', ';
  };
}

interface MappingStyle {
  /** Text of an empty mapping. */
  empty: string;
  head: string;
  /** Around each entry, e.g. `(` `)` for OrderedDict's pairs. */
  open: string;
  middle: string;
  close: string;
  end: string;
}

/** `head open k middle v close, open k middle v close end`: four pieces per entry, then the end. */
function mapping(pairs: [PyValue, PyValue][], style: MappingStyle): Layout {
  if (pairs.length === 0) return fixed([style.empty]);
  const count = 4 * pairs.length + 1;
  return (i) => {
    if (i >= count) return undefined;
    if (i === count - 1) return style.close + style.end;
    const k = Math.floor(i / 4);
    switch (i % 4) {
      case 0:
        return k === 0 ? style.head + style.open : `${style.close}, ${style.open}`;
      case 1:
        return pairs[k][0];
      case 2:
        return style.middle;
      default:
        return pairs[k][1];
    }
  };
}

function numeric(value: PyValue): number | null {
  if (value.kind === 'int') return Number(value.value);
  if (value.kind === 'float') return value.value;
  return value.kind === 'bool' ? Number(value.value) : null;
}

/** Counter's repr lists `most_common()` order: counts descending, ties in insertion order. */
function mostCommon(pairs: [PyValue, PyValue][]): [PyValue, PyValue][] {
  const counts = pairs.map(([, v]) => numeric(v));
  if (counts.some((c) => c === null || Number.isNaN(c))) return pairs;
  return pairs
    .map((pair, i) => ({ pair, count: counts[i] as number, i }))
    .sort((a, b) => b.count - a.count || a.i - b.i)
    .map((e) => e.pair);
}

const DICT_STYLE: MappingStyle = { empty: '{}', head: '{', open: '', middle: ': ', close: '', end: '}' };

function dictLayout(dict: PyDict): Layout {
  switch (dict.flavor) {
    case 'OrderedDict':
      return mapping(dict.entries, { empty: 'OrderedDict()', head: 'OrderedDict([', open: '(', middle: ', ', close: ')', end: '])' });
    case 'Counter':
      return mapping(mostCommon(dict.entries), { ...DICT_STYLE, empty: 'Counter()', head: 'Counter({', end: '})' });
    case 'defaultdict':
      return concat(['defaultdict(', dict.factory ?? 'None', ', '], mapping(dict.entries, { ...DICT_STYLE, empty: '{})', end: '})' }));
    default:
      return mapping(dict.entries, DICT_STYLE);
  }
}

/** The layout of a container's repr, or null for values that leaves.ts renders whole. */
export function layoutOf(value: PyValue): Layout | null {
  switch (value.kind) {
    case 'list':
      return sequence('[', value.items, ']');
    case 'tuple':
      return sequence('(', value.items, value.items.length === 1 ? ',)' : ')');
    case 'set':
      if (value.items.length === 0) return fixed([value.frozen ? 'frozenset()' : 'set()']);
      return value.frozen ? sequence('frozenset({', value.items, '})') : sequence('{', value.items, '}');
    case 'dict':
      return dictLayout(value);
    case 'slice':
      return fixed(['slice(', value.start, ', ', value.stop, ', ', value.step, ')']);
    case 'datetime':
      // datetime prints fold before tzinfo, time prints it after (CPython's C implementation).
      return value.tzinfo && fixed([`${dateTimeHead(value)}${value.fold ? ', fold=1' : ''}, tzinfo=`, value.tzinfo, ')']);
    case 'time':
      return value.tzinfo && fixed([`${timeHead(value)}, tzinfo=`, value.tzinfo, value.fold ? ', fold=1)' : ')']);
    case 'object': {
      const fields = namedTupleFields(value);
      if (!fields || value.cls.kind !== 'global') return null;
      const pieces: Piece[] = [`${value.cls.name}(`];
      fields.forEach((field, i) => pieces.push(`${i > 0 ? ', ' : ''}${field}=`, value.args[i]));
      pieces.push(')');
      return fixed(pieces);
    }
    default:
      return null;
  }
}

/** What Python prints for a container met again inside itself. */
export function recursionMarker(value: PyValue): string {
  switch (value.kind) {
    case 'list':
      return '[...]';
    case 'tuple':
      return '(...)';
    case 'set':
      return value.frozen ? 'frozenset(...)' : 'set(...)';
    case 'dict':
      if (value.flavor === 'dict') return '{...}';
      if (value.flavor === 'defaultdict') {
        // defaultdict's own repr is not guarded; the dict inside it is.
        const factory = value.factory ? leafText(value.factory) : null;
        return `defaultdict(${factory ? factory.head(factory.length) : value.factory ? '...' : 'None'}, {...})`;
      }
      return value.flavor === 'OrderedDict' ? '...' : 'Counter(...)';
    default:
      return '...';
  }
}
