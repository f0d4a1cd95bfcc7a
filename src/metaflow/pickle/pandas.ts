/**
 * A pandas DataFrame summarised from its pickle: `DataFrame 3 rows × 2 columns: a, b`.
 * Reproducing pandas' table layout would mean reimplementing pandas; the shape and the column
 * names are what a preview needs. pandas ≥ 1.4 pickles the BlockManager as a call
 * `BlockManager(blocks, axes)`, older versions as a BUILD state `(axes, values, items, extra)`;
 * axes = [columns, index], each built by `pandas.core.indexes.base._new_Index(cls, dict)`.
 */
import { elementTexts } from './numpy-format';
import { attribute } from './objects';
import { className, globalName, PyObject, PyValue } from './value';

/** Column names listed before the summary says "…". */
const MAX_LABELS = 100;

interface IndexInfo {
  length: number;
  labels: string[] | null;
}

function dictValue(dict: PyValue | undefined, key: string): PyValue | undefined {
  if (dict?.kind !== 'dict') return undefined;
  return dict.entries.find(([k]) => k.kind === 'str' && k.value === key)?.[1];
}

function smallInt(value: PyValue | undefined): number | null {
  return value?.kind === 'int' && value.value >= -(2n ** 53n) && value.value <= 2n ** 53n ? Number(value.value) : null;
}

/** An axis from its `_new_Index(cls, {...})` call: a RangeIndex, an Index over an array, or a MultiIndex. */
function indexInfo(node: PyValue | undefined, label: (value: PyValue) => string | null): IndexInfo | null {
  if (node?.kind !== 'object' || globalName(node.cls) !== 'pandas.core.indexes.base._new_Index') return null;
  const fields = node.args[1];
  const [start, stop, step] = ['start', 'stop', 'step'].map((k) => smallInt(dictValue(fields, k)));
  if (start !== null && stop !== null && step !== null && step !== 0) {
    const length = Math.max(0, Math.ceil((stop - start) / step));
    return { length, labels: Array.from({ length: Math.min(length, MAX_LABELS) }, (_, i) => String(start + i * step)) };
  }
  const data = dictValue(fields, 'data');
  if (data?.kind === 'ndarray' && data.shape?.length === 1) {
    return { length: data.shape[0], labels: elementTexts(data, MAX_LABELS, label) };
  }
  const codes = dictValue(fields, 'codes');
  const first = codes?.kind === 'list' ? codes.items[0] : undefined;
  if (first?.kind === 'ndarray' && first.shape?.length === 1) return { length: first.shape[0], labels: null };
  return null;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The summary, or null when the pickle is not laid out the way pandas writes DataFrames. */
export function dataFrameSummary(frame: PyObject, label: (value: PyValue) => string | null): string | null {
  if (className(frame.cls) !== 'pandas.core.frame.DataFrame') return null;
  const manager = attribute(frame, '_mgr') ?? attribute(frame, '_data');
  if (manager?.kind !== 'object') return null;
  const state = manager.state;
  const axes = manager.args.length === 2 ? manager.args[1] : state?.kind === 'tuple' ? state.items[0] : undefined;
  if (axes?.kind !== 'list' || axes.items.length !== 2) return null;
  const columns = indexInfo(axes.items[0], label);
  const rows = indexInfo(axes.items[1], label);
  if (!columns || !rows) return null;
  const names = columns.labels ?? [];
  const more = names.length < columns.length && names.length > 0 ? ', …' : '';
  const list = names.length ? `: ${names.join(', ')}${more}` : '';
  return `DataFrame ${plural(rows.length, 'row')} × ${plural(columns.length, 'column')}${list}`;
}
