/** One-call preview of an artifact's pickle for display: never throws. */
import { decodePickle } from './decoder';
import { arrayPreviewText } from './leaves';
import { cutText, DEFAULT_MAX_LENGTH, pyRepr } from './repr';
import { pyTypeName } from './type-name';

export interface Preview {
  /**
   * Python's repr() of the value, cut with `…`; our own format for pandas and unknown classes,
   * and numpy's repr after the shape and dtype for an array.
   */
  text: string;
  truncated: boolean;
  /** Length of the full preview text, in characters as Python counts them. */
  length: number;
  /** Python type name: `int`, `dict`, `numpy.ndarray`, `__main__.Point` … (`unknown` if undecodable). */
  typeName: string;
  /** Set when the value was too tangled to measure fully: `length` is then a lower bound. */
  lengthIsLowerBound?: true;
}

export function previewPickle(bytes: Uint8Array, maxLength = DEFAULT_MAX_LENGTH): Preview {
  try {
    const value = decodePickle(bytes);
    const typeName = pyTypeName(value);
    if (value.kind === 'ndarray') return { ...cutText(arrayPreviewText(value), maxLength), typeName };
    return { ...pyRepr(value, maxLength), typeName };
  } catch (err) {
    // PickleError for bad input; anything else would be a decoder bug, still not the caller's problem.
    const reason = err instanceof Error ? err.message : String(err);
    return { ...cutText(`<undecodable pickle: ${reason}>`, maxLength), typeName: 'unknown' };
  }
}
