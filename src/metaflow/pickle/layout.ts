/**
 * How each container's repr is laid out: literal text interleaved with child values, which the
 * repr walker (repr.ts) renders without recursion. Formats follow CPython 3.11.
 */
import { dateTimeHead, timeHead } from './datetime';
import { leafText } from './leaves';
import { namedTupleFields } from './objects';
import { PyDict, PyValue } from './value';

/** Literal text, or a child value to render in place. */
export type Piece = string | PyValue;

function* items(values: PyValue[], separator = ', '): Generator<Piece> {
  for (let i = 0; i < values.length; i++) {
    if (i > 0) yield separator;
    yield values[i];
  }
}

function* entries(pairs: [PyValue, PyValue][], open: string, middle: string, close: string): Generator<Piece> {
  for (let i = 0; i < pairs.length; i++) {
    yield i > 0 ? `, ${open}` : open;
    yield pairs[i][0];
    yield middle;
    yield pairs[i][1];
    yield close;
  }
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
  return pairs.map((pair, i) => ({ pair, count: counts[i] as number, i })).sort((a, b) => b.count - a.count || a.i - b.i).map((e) => e.pair);
}

function* dictLayout(dict: PyDict): Generator<Piece> {
  switch (dict.flavor) {
    case 'OrderedDict':
      if (!dict.entries.length) {
        yield 'OrderedDict()';
      } else {
        yield 'OrderedDict([';
        yield* entries(dict.entries, '(', ', ', ')');
        yield '])';
      }
      break;
    case 'Counter':
      if (!dict.entries.length) {
        yield 'Counter()';
      } else {
        yield 'Counter({';
        yield* entries(mostCommon(dict.entries), '', ': ', '');
        yield '})';
      }
      break;
    case 'defaultdict':
      yield 'defaultdict(';
      yield dict.factory ?? 'None';
      yield ', {';
      yield* entries(dict.entries, '', ': ', '');
      yield '})';
      break;
    default:
      yield '{';
      yield* entries(dict.entries, '', ': ', '');
      yield '}';
  }
}

/** The pieces of a container's repr, or null for values that leaves.ts renders whole. */
export function layoutOf(value: PyValue): Iterable<Piece> | null {
  switch (value.kind) {
    case 'list':
      return (function* () {
        yield '[';
        yield* items(value.items);
        yield ']';
      })();
    case 'tuple':
      return (function* () {
        yield '(';
        yield* items(value.items);
        yield value.items.length === 1 ? ',)' : ')';
      })();
    case 'set':
      return (function* () {
        if (!value.items.length) {
          yield value.frozen ? 'frozenset()' : 'set()';
          return;
        }
        yield value.frozen ? 'frozenset({' : '{';
        yield* items(value.items);
        yield value.frozen ? '})' : '}';
      })();
    case 'dict':
      return dictLayout(value);
    case 'slice':
      return ['slice(', value.start, ', ', value.stop, ', ', value.step, ')'];
    case 'datetime':
      // datetime prints fold before tzinfo, time prints it after (CPython's C implementation).
      return value.tzinfo && [`${dateTimeHead(value)}${value.fold ? ', fold=1' : ''}, tzinfo=`, value.tzinfo, ')'];
    case 'time':
      return value.tzinfo && [`${timeHead(value)}, tzinfo=`, value.tzinfo, value.fold ? ', fold=1)' : ')'];
    case 'object': {
      const fields = namedTupleFields(value);
      if (!fields || value.cls.kind !== 'global') return null;
      const name = value.cls.name;
      return (function* () {
        yield `${name}(`;
        for (let i = 0; i < fields.length; i++) {
          yield `${i > 0 ? ', ' : ''}${fields[i]}=`;
          yield value.args[i];
        }
        yield ')';
      })();
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
