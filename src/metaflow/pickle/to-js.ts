/**
 * Decoded values as plain JS data, for reading Metaflow's own artifacts (`_graph_info`,
 * `_foreach_stack`, …). Shared sub-values are copied, so the walk is budgeted: a hostile DAG
 * cannot make it explode, and depth is capped so it cannot overflow the JS stack.
 */
import { PickleError } from './errors';
import { attributes, namedTupleFields } from './objects';
import { pyRepr } from './repr';
import { pyTypeName } from './type-name';
import { globalName, PyValue } from './value';

const MAX_DEPTH = 1000;
const MAX_NODES = 200_000;

/** Marks a value that contains itself, where the copy stops. */
export const CYCLE = Object.freeze({ __cycle__: true });

function record(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // defineProperty, so that a key named `__proto__` stays data instead of replacing the prototype.
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * None → null, bool, int → number (or its decimal string beyond 2^53), float → number,
 * str → string, bytes → Uint8Array, list/tuple/set → array, dict with str keys → object
 * (other keys: a Map), objects → `{__class__: 'module.Name', ...attributes}`, other modelled
 * values (datetimes, numpy …) → `{__class__, repr}`.
 */
export function pyToJs(value: PyValue): unknown {
  const active = new Set<PyValue>();
  let nodes = 0;

  const convert = (node: PyValue, depth: number): unknown => {
    if (++nodes > MAX_NODES) throw new PickleError(`value has more than ${MAX_NODES} parts to convert`);
    if (depth > MAX_DEPTH) throw new PickleError(`value is nested more than ${MAX_DEPTH} levels deep`);
    if (active.has(node)) return CYCLE;
    active.add(node);
    try {
      return convertNode(node, (child) => convert(child, depth + 1));
    } finally {
      active.delete(node);
    }
  };
  return convert(value, 0);
}

function convertNode(node: PyValue, convert: (child: PyValue) => unknown): unknown {
  switch (node.kind) {
    case 'none':
      return null;
    case 'bool':
    case 'float':
    case 'str':
      return node.value;
    case 'int':
      return node.value >= BigInt(Number.MIN_SAFE_INTEGER) && node.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(node.value) : node.value.toString();
    case 'bytes':
      return Uint8Array.from(node.value);
    case 'list':
    case 'tuple':
    case 'set':
      return node.items.map(convert);
    case 'dict': {
      const named: [string, unknown][] = [];
      for (const [key, value] of node.entries) if (key.kind === 'str') named.push([key.value, convert(value)]);
      if (named.length === node.entries.length) return record(named);
      return new Map(node.entries.map(([k, v]) => [convert(k), convert(v)]));
    }
    case 'global':
      return { __class__: 'type', name: globalName(node) };
    case 'object': {
      const fields = namedTupleFields(node);
      const state: [string, unknown][] = fields ? fields.map((f, i) => [f, convert(node.args[i])]) : attributes(node).map(([k, v]) => [k, convert(v)]);
      if (!fields && node.args.length) state.push(['__args__', node.args.map(convert)]);
      if (node.listItems.length) state.push(['__items__', node.listItems.map(convert)]);
      state.push(['__class__', pyTypeName(node)]);
      return record(state);
    }
    default:
      return { __class__: pyTypeName(node), repr: pyRepr(node).text };
  }
}
