import { PickleError } from './errors';

/** Bounds-checked reads over the pickle bytes; every length is checked before it is used. */
export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number): number {
    if (n > this.remaining) throw new PickleError(`pickle data was truncated at byte ${this.pos}`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.bytes[this.need(1)];
  }

  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }

  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }

  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  /** A little-endian uint64 length; anything that cannot fit in the rest of the input is refused. */
  u64Length(): number {
    const low = this.view.getUint32(this.need(8), true);
    const high = this.view.getUint32(this.pos - 4, true);
    const value = high * 2 ** 32 + low;
    if (high >= 2 ** 21 || value > this.remaining) {
      throw new PickleError(`declared length ${BigInt(high) * 2n ** 32n + BigInt(low)} exceeds the ${this.remaining} bytes left`);
    }
    return value;
  }

  f64be(): number {
    return this.view.getFloat64(this.need(8), false);
  }

  /** A view (no copy) of the next `n` bytes. */
  take(n: number): Uint8Array {
    if (n < 0) throw new PickleError(`negative byte count ${n}`);
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  /** The bytes up to the next `\n` (which is consumed, not returned), as protocol 0 writes them. */
  line(): Uint8Array {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new PickleError(`pickle data was truncated: no end of line after byte ${this.pos}`);
    const text = this.bytes.subarray(this.pos, end);
    this.pos = end + 1;
    return text;
  }
}
