/**
 * Text decoding the way CPython's unpickler does it: UTF-8 with lone surrogates allowed
 * ("surrogatepass"), ASCII for Python 2 strings, and the protocol-0 text opcodes' literals.
 */
import { PickleError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Python writes str with `surrogatepass`, so a lone surrogate is valid UTF-8 to it (not to TextDecoder). */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeUtf8SurrogatePass(bytes);
  }
}

function decodeUtf8SurrogatePass(bytes: Uint8Array): string {
  const units: number[] = [];
  const chunks: string[] = [];
  let i = 0;
  const fail = (): never => {
    throw new PickleError(`invalid UTF-8 in a str at byte ${i}`);
  };
  const cont = (k: number): number => {
    const b = bytes[i + k];
    if (b === undefined || (b & 0xc0) !== 0x80) fail();
    return b & 0x3f;
  };
  while (i < bytes.length) {
    const b = bytes[i];
    let cp: number;
    let n: number;
    if (b < 0x80) [cp, n] = [b, 1];
    else if (b >= 0xc2 && b < 0xe0) [cp, n] = [((b & 0x1f) << 6) | cont(1), 2];
    else if (b >= 0xe0 && b < 0xf0) [cp, n] = [((b & 0x0f) << 12) | (cont(1) << 6) | cont(2), 3];
    else if (b >= 0xf0 && b < 0xf5) [cp, n] = [((b & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3), 4];
    else return fail();
    if ((n === 3 && cp < 0x800) || (n === 4 && (cp < 0x10000 || cp > 0x10ffff))) fail();
    if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else units.push(cp);
    i += n;
    if (units.length >= 8192) chunks.push(String.fromCharCode(...units.splice(0)));
  }
  chunks.push(String.fromCharCode(...units));
  return chunks.join('');
}

/** Python 2 `str` (STRING, BINSTRING): Python 3 decodes it as ASCII and fails otherwise. */
export function decodeAscii(bytes: Uint8Array): string {
  for (const b of bytes) {
    if (b >= 0x80) throw new PickleError('a Python 2 str holds non-ASCII bytes (Python would fail to decode it as ASCII)');
  }
  return latin1(bytes);
}

export function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/** The INT opcode's argument: `00`/`01` are Python 2 booleans, anything else a decimal integer. */
export function parseIntText(line: Uint8Array, maxDigits: number): bigint | boolean {
  const text = latin1(line).trim();
  if (text === '00') return false;
  if (text === '01') return true;
  return parseDecimal(text, maxDigits);
}

/** The LONG opcode's argument: a decimal integer with Python 2's `L` suffix. */
export function parseLongText(line: Uint8Array, maxDigits: number): bigint {
  const text = latin1(line).trim();
  return parseDecimal(text.endsWith('L') ? text.slice(0, -1) : text, maxDigits);
}

function parseDecimal(text: string, maxDigits: number): bigint {
  if (!/^[+-]?\d+$/.test(text)) throw new PickleError(`invalid integer literal ${JSON.stringify(text.slice(0, 40))}`);
  if (text.length > maxDigits) throw new PickleError(`integer literal of ${text.length} digits exceeds the limit`);
  return BigInt(text);
}

/** The FLOAT opcode's argument, as `float()` reads it (including `inf` and `nan`). */
export function parseFloatText(line: Uint8Array): number {
  const text = latin1(line).trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) {
    const value = special[2].toLowerCase() === 'nan' ? NaN : Infinity;
    return special[1] === '-' ? -value : value;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new PickleError(`invalid float literal ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

const SIMPLE_ESCAPES: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** The STRING opcode's argument: a quoted Python 2 literal, unescaped like `codecs.escape_decode`. */
export function decodeStringLiteral(line: Uint8Array): Uint8Array {
  const n = line.length;
  const quote = line[0];
  if (n < 2 || line[n - 1] !== quote || (quote !== 0x27 && quote !== 0x22)) {
    throw new PickleError('the STRING opcode argument must be quoted');
  }
  const out: number[] = [];
  for (let i = 1; i < n - 1; i++) {
    const b = line[i];
    if (b !== 0x5c) {
      out.push(b);
      continue;
    }
    if (i + 1 >= n - 1) throw new PickleError('trailing \\ in a STRING literal');
    const c = String.fromCharCode(line[++i]);
    if (c === '\n') continue;
    if (c in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[c]);
    } else if (c >= '0' && c <= '7') {
      let value = Number(c);
      for (let k = 0; k < 2 && i + 1 < n - 1 && line[i + 1] >= 0x30 && line[i + 1] <= 0x37; k++) value = value * 8 + (line[++i] - 0x30);
      out.push(value & 0xff);
    } else if (c === 'x') {
      const hex = String.fromCharCode(line[i + 1] ?? 0, line[i + 2] ?? 0);
      if (i + 2 >= n - 1 || !/^[0-9a-fA-F]{2}$/.test(hex)) throw new PickleError('invalid \\x escape in a STRING literal');
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(0x5c, line[i]);
    }
  }
  return Uint8Array.from(out);
}

const HEX = /^[0-9a-fA-F]+$/;

/** The UNICODE opcode's argument: `raw-unicode-escape` (latin-1 bytes plus \uXXXX and \UXXXXXXXX). */
export function decodeRawUnicodeEscape(bytes: Uint8Array): string {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] !== 0x5c || i + 1 >= bytes.length) {
      i++;
      continue;
    }
    const kind = bytes[i + 1];
    if (kind !== 0x75 && kind !== 0x55) {
      // A backslash that does not start \u or \U is kept together with the next byte, so `\\u` is literal.
      i += 2;
      continue;
    }
    const count = kind === 0x75 ? 4 : 8;
    const hex = latin1(bytes.subarray(i + 2, i + 2 + count));
    if (hex.length !== count || !HEX.test(hex)) throw new PickleError('truncated \\u escape in a UNICODE literal');
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) throw new PickleError('\\U escape out of range in a UNICODE literal');
    parts.push(latin1(bytes.subarray(start, i)), String.fromCodePoint(cp));
    i += 2 + count;
    start = i;
  }
  parts.push(latin1(bytes.subarray(start)));
  return parts.join('');
}
