/**
 * Random access to one log file, so that a tail of a 1 GB log on S3 costs a few ranged reads
 * instead of a download. Implementations must be safe to call concurrently.
 */
import { promises as fs } from 'fs';

export interface ByteSource {
  /** Identifies the file (a path or URL); log cursors are bound to it. */
  readonly name: string;
  size(): Promise<number>;
  /** Bytes [start, end); shorter only when the source ends before `end`. */
  read(start: number, end: number): Promise<Buffer>;
}

function checkRange(name: string, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`${name}: invalid byte range [${start}, ${end})`);
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/**
 * A local file. The file is opened per call rather than held open because the interface has no
 * close(), and a missing file reads as empty: lost, running and cloned tasks have no log files.
 */
export function fileByteSource(path: string): ByteSource {
  return {
    name: path,
    async size(): Promise<number> {
      try {
        return (await fs.stat(path)).size;
      } catch (err) {
        if (isMissing(err)) return 0;
        throw err;
      }
    },
    async read(start: number, end: number): Promise<Buffer> {
      checkRange(path, start, end);
      if (end === start) return Buffer.alloc(0);
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(path, 'r');
      } catch (err) {
        if (isMissing(err)) return Buffer.alloc(0);
        throw err;
      }
      try {
        const buf = Buffer.allocUnsafe(end - start);
        let filled = 0;
        // A single read() may return fewer bytes than asked for without being at the end.
        while (filled < buf.length) {
          const { bytesRead } = await handle.read(buf, filled, buf.length - filled, start + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buf.subarray(0, filled);
      } finally {
        await handle.close();
      }
    },
  };
}

export function bufferByteSource(name: string, buf: Buffer): ByteSource {
  return {
    name,
    size: async () => buf.length,
    async read(start: number, end: number): Promise<Buffer> {
      checkRange(name, start, end);
      return buf.subarray(Math.min(start, buf.length), Math.min(end, buf.length));
    },
  };
}
