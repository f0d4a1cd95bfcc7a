import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { BackendDataError, TooLargeError } from '../errors';

const gunzipAsync = promisify(gunzip);

/** Cap on an artifact's decompressed pickle: beyond it a preview is not worth the memory. */
export const MAX_BLOB_BYTES = 64 * 1024 * 1024;

/**
 * Blob bytes as stored → pickle bytes. `cas_raw: false` (every artifact) means gzip; a store
 * with no marker is very old and gzip too (metaflow-local-format.md §6.3).
 */
export async function unpackBlob(stored: Buffer, raw: boolean, what: string): Promise<Buffer> {
  if (raw) return stored;
  try {
    return await gunzipAsync(stored, { maxOutputLength: MAX_BLOB_BYTES });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new TooLargeError(what, MAX_BLOB_BYTES);
    throw new BackendDataError(`${what} is not a readable gzip blob`);
  }
}

/** `{"cas_raw": false, "cas_version": 1}` from a `_meta` file or S3 user metadata. */
export function isRawBlob(attributes: string | undefined | null): boolean {
  if (!attributes) return false;
  try {
    return (JSON.parse(attributes) as { cas_raw?: unknown }).cas_raw === true;
  } catch {
    return false;
  }
}
