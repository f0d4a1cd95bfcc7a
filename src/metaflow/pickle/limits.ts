/**
 * Bounds that keep decoding a hostile pickle cheap. Every loop in the decoder is bounded by
 * one of these, so a pickle can make us fail fast but never hang or exhaust memory.
 */
export interface PickleLimits {
  /** Larger inputs are refused before reading a byte (the datastore already caps blobs at 64 MiB). */
  maxInputBytes: number;
  /** Opcodes executed; every item on the stack costs at least one, so this also bounds memory. */
  maxOperations: number;
  /** Memo entries (PUT/MEMOIZE). */
  maxMemoEntries: number;
  /** Bytes of one LONG4/LONG integer: converting a huge int to decimal is quadratic-ish. */
  maxIntBytes: number;
}

export const DEFAULT_LIMITS: Readonly<PickleLimits> = Object.freeze({
  maxInputBytes: 64 * 1024 * 1024,
  maxOperations: 10_000_000,
  maxMemoEntries: 1_000_000,
  maxIntBytes: 16 * 1024,
});

export function resolveLimits(overrides: Partial<PickleLimits> | undefined): PickleLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
