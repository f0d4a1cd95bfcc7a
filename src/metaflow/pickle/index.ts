/**
 * A safe reader of Python pickles (protocols 0–5) for previews: it never imports or calls
 * anything, and it is bounded in time and memory on hostile input. See decoder.ts.
 */
export { PickleError } from './errors';
export type { PickleLimits } from './limits';
export { DEFAULT_LIMITS } from './limits';
export type * from './value';
export { decodePickle } from './decoder';
export type { Preview } from './preview';
export { previewPickle } from './preview';
export type { ReprResult } from './repr';
export { pyRepr, cutText, DEFAULT_MAX_LENGTH } from './repr';
export { pyToJs, CYCLE } from './to-js';
export type { PyException } from './exception';
export { exceptionFromPickle } from './exception';
export { pyTypeName } from './type-name';
