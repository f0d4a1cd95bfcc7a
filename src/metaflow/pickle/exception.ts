/** The exception a failed task stored in its `_exception` artifact. */
import { decodePickle } from './decoder';
import { exceptionWrapperFields } from './objects';
import { pyRepr } from './repr';
import { pyTypeName } from './type-name';

export interface PyException {
  /** Python's `module.Name` of the exception class, e.g. `builtins.ValueError`. */
  type: string;
  message: string;
  /** The formatted traceback, when the task captured one. */
  stacktrace: string | null;
}

/**
 * `MetaflowExceptionWrapper` → its fields; `None` (the attempt did not fail) → null. Any other
 * value is described by its type and repr. Throws `PickleError` for an undecodable pickle.
 */
export function exceptionFromPickle(bytes: Uint8Array): PyException | null {
  const value = decodePickle(bytes);
  if (value.kind === 'none') return null;
  const fields = value.kind === 'object' ? exceptionWrapperFields(value) : null;
  if (fields) return { type: fields.type ?? 'unknown', message: fields.message ?? '', stacktrace: fields.stacktrace || null };
  return { type: pyTypeName(value), message: pyRepr(value).text, stacktrace: null };
}
