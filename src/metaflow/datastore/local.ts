/** The datastore half of a local `.metaflow` folder: blobs, artifact tables and logs. */
import { join } from 'node:path';
import { fileByteSource, type ByteSource } from '../bytesource';
import { NotFoundError, TooLargeError } from '../errors';
import type { LogStream } from '../model';
import type { ArtifactTable, BlobReadOptions, Datastore } from '../sources';
import { fileSize, readFileOrNull, readJson } from '../local/files';
import { isRawBlob, unpackBlob } from './blob';
import { attemptKey, blobKey, isSha, LOG_SOURCES, logFile } from './keys';

export class LocalDatastore implements Datastore {
  readonly kind = 'local' as const;

  constructor(readonly root: string) {}

  get location(): string {
    return this.root;
  }

  private blobPath(flow: string, sha: string): string {
    if (!isSha(sha) || flow.includes('/') || flow.startsWith('.')) throw new NotFoundError(`${flow} artifact ${sha}`);
    return join(this.root, blobKey(flow, sha));
  }

  /** A local folder has one root, whatever the record says. */
  async readBlob(flow: string, sha: string, { maxBytes }: BlobReadOptions): Promise<Buffer> {
    const path = this.blobPath(flow, sha);
    const size = await fileSize(path);
    if (size === null) throw new NotFoundError(`${flow} artifact ${sha}`);
    if (size > maxBytes) throw new TooLargeError(`${flow} artifact ${sha}`, size);
    const stored = await readFileOrNull(path);
    if (stored === null) throw new NotFoundError(`${flow} artifact ${sha}`);
    const meta = await readFileOrNull(`${path}_meta`);
    return unpackBlob(stored, isRawBlob(meta?.toString('utf8')), `${flow} artifact ${sha}`);
  }

  async artifactTable(flow: string, run: string, step: string, task: string, attempt: number): Promise<ArtifactTable | null> {
    return readJson<ArtifactTable>(join(this.root, attemptKey(flow, run, step, task, attempt, 'data.json')));
  }

  async logSources(flow: string, run: string, step: string, task: string, attempt: number, stream: LogStream): Promise<ByteSource[]> {
    const found: ByteSource[] = [];
    for (const source of LOG_SOURCES) {
      const path = join(this.root, attemptKey(flow, run, step, task, attempt, logFile(source, stream)));
      if ((await fileSize(path)) !== null) found.push(fileByteSource(path));
    }
    return found;
  }
}
