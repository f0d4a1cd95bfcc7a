/** Fixture access and pickle-building helpers shared by the pickle tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FIXTURES, LOCAL_ROOT } from '../../support/fixtures';

/** The decompressed pickle of an artifact blob (`<Flow>/data/<sha[0:2]>/<sha>` is gzip). */
export function artifactPickle(flow: string, sha: string): Buffer {
  return gunzipSync(readFileSync(join(LOCAL_ROOT, flow, 'data', sha.slice(0, 2), sha)));
}

/** Artifact name → blob sha of a task attempt, from its `<attempt>.data.json`. */
export function taskArtifacts(flow: string, run: string, step: string, task: string, attempt = 0): Record<string, string> {
  const table = JSON.parse(readFileSync(join(LOCAL_ROOT, flow, run, step, task, `${attempt}.data.json`), 'utf8')) as { objects: Record<string, string> };
  return table.objects;
}

export interface PickleCase {
  source: string;
  protocol: number;
  pickle: string;
  repr: string | null;
  type?: string;
  numpy?: 1 | 2;
}

/** Cases generated once by test/fixtures/pickle/generate.py with real Python and numpy. */
export function pickleCases(file: 'python-values.json' | 'numpy-values.json'): PickleCase[] {
  return (JSON.parse(readFileSync(join(FIXTURES, 'pickle', file), 'utf8')) as { cases: PickleCase[] }).cases;
}

export const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));

/** Concatenates opcodes and operands: numbers are single bytes, strings latin-1, arrays raw. */
export function bytesOf(...parts: (number | string | Uint8Array | number[])[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)));
  return Uint8Array.from(Buffer.concat(chunks));
}

export function u32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

export function u64le(n: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
}

/** The first `n` characters as Python counts them (code points). */
export function pythonHead(text: string, n: number): string {
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count++ === n) break;
    out += ch;
  }
  return out;
}

/** Length as Python counts it (code points). */
export function pythonLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0 || (text.charCodeAt(i - 1) & 0xfc00) !== 0xd800) count++;
  }
  return count;
}
