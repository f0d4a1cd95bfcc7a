/**
 * Reading the instances we keep as `PyObject` records: their attributes, and the few classes
 * whose meaning we know (Metaflow's exception wrapper and foreach frames, uuid.UUID).
 */
import { className, PyObject, PyValue } from './value';

/** Instance attributes with str names: BUILD's dict state, or `(dict, slots)`. */
export function attributes(object: PyObject): [string, PyValue][] {
  const state = object.state;
  const parts = state?.kind === 'tuple' && state.items.length === 2 ? state.items : state ? [state] : [];
  const out: [string, PyValue][] = [];
  for (const part of parts) {
    if (part.kind !== 'dict') continue;
    for (const [key, value] of part.entries) if (key.kind === 'str') out.push([key.value, value]);
  }
  return out;
}

export function attribute(object: PyObject, name: string): PyValue | undefined {
  return attributes(object).find(([key]) => key === name)?.[1];
}

/** Metaflow's `ForeachFrame` named tuple, built by NEWOBJ from its five fields. */
const FOREACH_FIELDS = ['step', 'var', 'num_splits', 'index', 'value'];

/** The field names of a named tuple we know, or null. */
export function namedTupleFields(object: PyObject): string[] | null {
  const cls = object.cls;
  if (cls.kind !== 'global' || cls.name !== 'ForeachFrame' || object.args.length !== FOREACH_FIELDS.length) return null;
  return FOREACH_FIELDS;
}

export interface ExceptionFields {
  type: string | null;
  message: string | null;
  stacktrace: string | null;
}

/** `metaflow.exception.MetaflowExceptionWrapper`: its state is `{exception, type, stacktrace}`. */
export function exceptionWrapperFields(object: PyObject): ExceptionFields | null {
  if (className(object.cls) !== 'metaflow.exception.MetaflowExceptionWrapper') return null;
  const text = (name: string): string | null => {
    const value = attribute(object, name);
    return value?.kind === 'str' ? value.value : null;
  };
  return { type: text('type'), message: text('exception'), stacktrace: text('stacktrace') };
}

/** The wrapper's `__str__` (which its `__repr__` returns). */
export function exceptionWrapperRepr(fields: ExceptionFields): string {
  if (fields.stacktrace) return fields.stacktrace;
  return `[no stacktrace]\n${fields.type ?? 'None'}: ${fields.message ?? 'None'}`;
}

/** `UUID('…')` from the `{'int': n}` state uuid.UUID pickles. */
export function uuidRepr(object: PyObject): string | null {
  if (className(object.cls) !== 'uuid.UUID') return null;
  const value = attribute(object, 'int');
  if (value?.kind !== 'int' || value.value < 0n || value.value >= 1n << 128n) return null;
  const hex = value.value.toString(16).padStart(32, '0');
  return `UUID('${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}')`;
}

/** `<module.Class object: a, b>`: what we can say about an instance without its class. */
export function genericObjectRepr(object: PyObject): string {
  const names = attributes(object).map(([name]) => name);
  return `<${className(object.cls)} object${names.length ? `: ${names.join(', ')}` : ''}>`;
}
