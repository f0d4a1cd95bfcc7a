/**
 * Python's repr() of str and bytes, as a length plus a prefix on demand, so that the repr of a
 * 5 MiB bytes value can be measured without building its 15 MB text.
 *
 * Lengths count code points, as Python's `len()` does (a JS string counts UTF-16 units).
 */

/** A piece of repr text whose length is known before (or without) producing it. */
export interface LazyText {
  /** Length in code points. */
  readonly length: number;
  /** The first `n` code points (n <= length). */
  head(n: number): string;
}

export function plainText(text: string): LazyText {
  const length = codePointLength(text);
  return { length, head: (n) => (n >= length ? text : codePointHead(text, n)) };
}

export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n--;
        i++;
      }
    }
  }
  return n;
}

export function codePointHead(s: string, n: number): string {
  let units = 0;
  for (let k = 0; k < n && units < s.length; k++) {
    const c = s.charCodeAt(units);
    const pair = c >= 0xd800 && c < 0xdc00 && units + 1 < s.length && (s.charCodeAt(units + 1) & 0xfc00) === 0xdc00;
    units += pair ? 2 : 1;
  }
  return s.slice(0, units);
}

// Python's str.isprintable(): everything but "Other" (Cc Cf Cs Co Cn) and separators other than
// the ASCII space. The categories come from Node's ICU, a newer Unicode than Python 3.11's 14.0:
// characters assigned since then print as themselves here and as \u escapes in Python.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
const printableCache = new Map<number, boolean>();

function isPrintable(cp: number): boolean {
  let known = printableCache.get(cp);
  if (known === undefined) {
    known = !NON_PRINTABLE.test(String.fromCodePoint(cp));
    if (printableCache.size < 65_536) printableCache.set(cp, known);
  }
  return known;
}

const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');

/** How one code point of a str appears inside its repr. */
function escapeCodePoint(cp: number, quote: number): string {
  if (cp === quote || cp === 0x5c) return `\\${String.fromCharCode(cp)}`;
  if (cp === 0x09) return '\\t';
  if (cp === 0x0a) return '\\n';
  if (cp === 0x0d) return '\\r';
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  if (cp < 0x7f || isPrintable(cp)) return String.fromCodePoint(cp);
  if (cp <= 0xff) return `\\x${hex(cp, 2)}`;
  if (cp <= 0xffff) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

function escapedLength(cp: number, quote: number): number {
  if (cp === quote || cp === 0x5c || cp === 0x09 || cp === 0x0a || cp === 0x0d) return 2;
  if (cp < 0x20 || cp === 0x7f) return 4;
  if (cp < 0x7f || isPrintable(cp)) return 1;
  if (cp <= 0xff) return 4;
  return cp <= 0xffff ? 6 : 10;
}

/** Python picks double quotes only when the text has a single quote and no double quote. */
function chooseQuote(hasSingle: boolean, hasDouble: boolean): number {
  return hasSingle && !hasDouble ? 0x22 : 0x27;
}

/**
 * `prefix + quote + escaped body + quote + suffix`, measured once, rendered on demand.
 * `body(limit)` returns exactly min(limit, bodyLength) code points of the escaped body.
 */
function quoted(prefix: string, suffix: string, quote: number, bodyLength: number, body: (limit: number) => string): LazyText {
  const open = prefix + String.fromCharCode(quote);
  const close = String.fromCharCode(quote) + suffix;
  return {
    length: open.length + bodyLength + close.length,
    head(n) {
      if (n <= open.length) return open.slice(0, n);
      const limit = Math.min(bodyLength, n - open.length);
      return open + body(limit) + close.slice(0, n - open.length - limit);
    },
  };
}

const isPlainAscii = (c: number, quote: number): boolean => c >= 0x20 && c < 0x7f && c !== quote && c !== 0x5c;

export function strRepr(s: string): LazyText {
  const quote = chooseQuote(s.includes("'"), s.includes('"'));
  let bodyLength = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Plain printable ASCII is nearly every character; keep that path free of calls.
    if (isPlainAscii(c, quote)) {
      bodyLength++;
      continue;
    }
    const d = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
      bodyLength += escapedLength(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00), quote);
      i++;
    } else {
      bodyLength += escapedLength(c, quote);
    }
  }
  return quoted('', '', quote, bodyLength, (limit) => {
    const parts: string[] = [];
    let taken = 0;
    let run = 0;
    let i = 0;
    while (i < s.length && taken < limit) {
      const c = s.charCodeAt(i);
      if (isPlainAscii(c, quote)) {
        i++;
        taken++;
        continue;
      }
      if (run < i) parts.push(s.slice(run, i));
      const d = s.charCodeAt(i + 1);
      const pair = c >= 0xd800 && c < 0xdc00 && d >= 0xdc00 && d < 0xe000;
      const piece = escapeCodePoint(pair ? 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00) : c, quote);
      // A printable astral character is one code point in two UTF-16 units; escapes are ASCII.
      const width = pair && piece.length === 2 ? 1 : piece.length;
      parts.push(taken + width > limit ? piece.slice(0, limit - taken) : piece);
      taken += width;
      i += pair ? 2 : 1;
      run = i;
    }
    if (run < i) parts.push(s.slice(run, i));
    return parts.join('');
  });
}

export function reprStrText(s: string): string {
  const text = strRepr(s);
  return text.head(text.length);
}

function escapeByte(b: number, quote: number): string {
  if (b === quote || b === 0x5c) return `\\${String.fromCharCode(b)}`;
  if (b === 0x09) return '\\t';
  if (b === 0x0a) return '\\n';
  if (b === 0x0d) return '\\r';
  if (b < 0x20 || b >= 0x7f) return `\\x${hex(b, 2)}`;
  return String.fromCharCode(b);
}

/** Per quote character: each byte's escape as ASCII codes (4 slots per byte) and its length. */
interface ByteEscapes {
  codes: Uint8Array;
  lengths: Uint8Array;
}

const BYTE_ESCAPES = new Map<number, ByteEscapes>(
  [0x22, 0x27].map((quote) => {
    const codes = new Uint8Array(256 * 4);
    const lengths = new Uint8Array(256);
    for (let b = 0; b < 256; b++) {
      const escape = escapeByte(b, quote);
      lengths[b] = escape.length;
      for (let k = 0; k < escape.length; k++) codes[b * 4 + k] = escape.charCodeAt(k);
    }
    return [quote, { codes, lengths }];
  }),
);
// The body is ASCII, which UTF-8 decodes fastest.
const ascii = new TextDecoder('utf-8');

/** `b'…'`, or `bytearray(b'…')`. The escaped body is ASCII, so it is assembled as bytes. */
export function bytesRepr(bytes: Uint8Array, mutable: boolean): LazyText {
  const quote = chooseQuote(bytes.includes(0x27), bytes.includes(0x22));
  const { codes, lengths } = BYTE_ESCAPES.get(quote) as ByteEscapes;
  let bodyLength = 0;
  for (let i = 0; i < bytes.length; i++) bodyLength += lengths[bytes[i]];
  return quoted(mutable ? 'bytearray(b' : 'b', mutable ? ')' : '', quote, bodyLength, (limit) => {
    // Four spare bytes let every escape be copied whole; the decode keeps only `limit`.
    const out = new Uint8Array(limit + 4);
    let at = 0;
    for (let i = 0; i < bytes.length && at < limit; i++) {
      const b = bytes[i];
      const base = b << 2;
      const n = lengths[b];
      out[at] = codes[base];
      if (n > 1) {
        out[at + 1] = codes[base + 1];
        out[at + 2] = codes[base + 2];
        out[at + 3] = codes[base + 3];
      }
      at += n;
    }
    return ascii.decode(out.subarray(0, limit));
  });
}
