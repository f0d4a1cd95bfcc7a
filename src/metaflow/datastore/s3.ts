/**
 * The datastore half of Metaflow's S3 backend: blobs, artifact tables and logs below
 * METAFLOW_DATASTORE_SYSROOT_S3, with the same keys as a local `.metaflow` folder
 * (metaflow-local-format.md §6, §9). A blob's `cas_raw` marker is the object's user metadata
 * `x-amz-meta-metaflow-user-attributes` instead of a `_meta` file. A blob is read where its
 * artifact record says it was written, as Metaflow's client does, else under the configured root.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import type { ByteSource } from '../bytesource';
import { BackendDataError, BackendTimeoutError, DatastoreUnavailableError, MetaflowError, NotFoundError, TooLargeError } from '../errors';
import type { LogStream } from '../model';
import type { ArtifactTable, BlobReadOptions, Datastore } from '../sources';
import { isRawBlob, unpackBlob } from './blob';
import { attemptKey, blobKey, isSha, LOG_SOURCES, logFile } from './keys';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** What boto3 (and so Metaflow) falls back to when no region is configured. */
const DEFAULT_REGION = 'us-east-1';
/** Retries of transient failures (throttling, 5xx, resets, timeouts) are the SDK's, in its standard mode. */
const MAX_ATTEMPTS = 3;

export interface S3DatastoreOptions {
  /** METAFLOW_DATASTORE_SYSROOT_S3, e.g. `s3://metaflow-fixtures/metaflow`. */
  root: string;
  /** METAFLOW_S3_ENDPOINT_URL, for S3-compatible stores: implies path-style addressing. */
  endpointUrl?: string | null;
  /** Else the SDK's chain (AWS_REGION, the profile's `region`), else us-east-1. */
  region?: string | null;
  /** Per attempt: connecting, waiting for the response headers, and any pause in the body. */
  requestTimeoutMs?: number;
  /** A ready client (tests); it stays the caller's to destroy. */
  client?: S3Client;
}

export interface S3Stats {
  /** HEAD and GET operations sent (the SDK's retries of one operation count once). */
  requests: number;
  /** Object bytes received. */
  bytes: number;
}

export type S3Datastore = Datastore & { close(): void; stats(): S3Stats };

export function createS3Datastore(opts: S3DatastoreOptions): S3Datastore {
  return new S3DatastoreImpl(opts);
}

const S3_URL = /^s3:\/\/([^/]+)\/*(.*?)\/*$/;

export function parseS3Root(root: string): { bucket: string; prefix: string } {
  const m = S3_URL.exec(root.trim());
  if (!m) throw new Error(`METAFLOW_DATASTORE_SYSROOT_S3 must look like s3://<bucket>/<prefix>, not "${root}".`);
  return { bucket: m[1], prefix: m[2] };
}

/** A bucket and a key prefix, and how to name them. */
interface S3Root {
  bucket: string;
  prefix: string;
  location: string;
}

function s3Root(bucket: string, prefix: string): S3Root {
  return { bucket, prefix, location: `s3://${bucket}${prefix ? `/${prefix}` : ''}` };
}

/** The endpoint as it may be shown: URL user info could hold a secret. */
function endpointLabel(endpointUrl: string): string {
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    throw new Error('METAFLOW_S3_ENDPOINT_URL must be a URL such as http://127.0.0.1:9000.');
  }
  return url.pathname === '/' ? url.origin : `${url.origin}${url.pathname}`;
}

/**
 * Flow, run, step and task names become key segments. S3 gives `..` no meaning, but a proxy or
 * an S3-compatible server may normalise it in the URL path, so such names never reach a key.
 */
function isSafeSegment(s: string): boolean {
  return s.length > 0 && s !== '.' && s !== '..' && !s.includes('/');
}

/**
 * The SDK's own region chain, with Metaflow's fallback instead of its "Region is missing": an
 * unused client is the only public handle on that chain.
 */
function chainRegionOrDefault(): () => Promise<string> {
  const probe = new S3Client({});
  const chain = probe.config.region;
  // The provider outlives its client; the client's own sockets and agents are freed now.
  probe.destroy();
  return () => chain().catch(() => DEFAULT_REGION);
}

function buildClient(opts: S3DatastoreOptions): S3Client {
  const timeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const endpoint = opts.endpointUrl || undefined;
  // No `credentials`: the SDK's default chain (env, shared files, SSO, container and instance roles).
  return new S3Client({
    region: opts.region || chainRegionOrDefault(),
    // An S3-compatible server rarely has per-bucket DNS names; on AWS a bucket in another region
    // answers 301, which the SDK can follow instead of failing.
    ...(endpoint ? { endpoint, forcePathStyle: true } : { followRegionRedirects: true }),
    retryMode: 'standard',
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: timeout, requestTimeout: timeout, socketTimeout: timeout, throwOnRequestTimeout: true },
  });
}

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Refusals that a retry will not cure: the credentials lack a right or are not valid. */
const ACCESS_ERRORS = new Set([
  'AccessDenied',
  'Forbidden',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
]);

function statusOf(err: unknown): number | undefined {
  return (err as SdkError | null)?.$metadata?.httpStatusCode;
}

function isMissing(err: unknown): boolean {
  return statusOf(err) === 404 && (err as SdkError).name !== 'NoSuchBucket';
}

function isUnsatisfiableRange(err: unknown): boolean {
  return statusOf(err) === 416;
}

function checkRange(name: string, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`${name}: invalid byte range [${start}, ${end})`);
  }
}

const EMPTY = Buffer.alloc(0);

/** One object: its root, for messages, and its full key. */
interface S3Object {
  root: S3Root;
  key: string;
}

function keyUnder(root: S3Root, relative: string): string {
  return root.prefix ? `${root.prefix}/${relative}` : relative;
}

function objectUrl({ root, key }: S3Object): string {
  return `s3://${root.bucket}/${key}`;
}

class S3DatastoreImpl implements Datastore {
  readonly kind = 's3' as const;
  private readonly root: S3Root;
  private readonly where: string;
  private readonly client: S3Client;
  private readonly ownsClient: boolean;
  private readonly timeoutMs: number;
  private readonly counters: S3Stats = { requests: 0, bytes: 0 };

  constructor(opts: S3DatastoreOptions) {
    const { bucket, prefix } = parseS3Root(opts.root);
    this.root = s3Root(bucket, prefix);
    this.where = opts.endpointUrl ? endpointLabel(opts.endpointUrl) : 'AWS';
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.ownsClient = !opts.client;
    this.client = opts.client ?? buildClient(opts);
  }

  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  get location(): string {
    return this.root.location;
  }

  stats(): S3Stats {
    return { ...this.counters };
  }

  /** One sentence per failure, naming the bucket or endpoint, never a credential. */
  private failure(err: unknown, { root, key }: S3Object): Error {
    if (err instanceof MetaflowError) return err;
    const e = (err ?? {}) as SdkError;
    const name = e.name ?? 'Error';
    const status = statusOf(err);
    // The Node handler names resets "TimeoutError" too, but a reset is the server going away.
    const reset = e.code === 'ECONNRESET' || e.code === 'EPIPE';
    if ((name === 'TimeoutError' && !reset) || e.code === 'ETIMEDOUT') {
      return new BackendTimeoutError(`S3 at ${this.where} did not answer within ${this.timeoutMs} ms (reading ${objectUrl({ root, key })}).`);
    }
    if (name === 'CredentialsProviderError') {
      return new DatastoreUnavailableError(
        `No AWS credentials were found to read S3 bucket ${root.bucket}: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an instance or container role.`,
      );
    }
    if (status === 403 || ACCESS_ERRORS.has(name)) {
      // A HEAD has no error body, so only the status tells why.
      const why = ACCESS_ERRORS.has(name) ? name : `HTTP ${status}`;
      return new DatastoreUnavailableError(
        `Access to S3 bucket ${root.bucket} was denied (${why}): check that the AWS credentials in use may read ${root.location}.`,
      );
    }
    if (name === 'NoSuchBucket') {
      const setting = root === this.root ? 'METAFLOW_DATASTORE_SYSROOT_S3' : "the artifact's recorded location";
      return new DatastoreUnavailableError(`S3 bucket ${root.bucket} does not exist at ${this.where}: check ${setting}.`);
    }
    if (status === undefined || status >= 500) {
      const why = status ? ` (HTTP ${status})` : e.code ? ` (${e.code})` : '';
      return new DatastoreUnavailableError(`S3 at ${this.where} is not reachable${why}.`);
    }
    return new DatastoreUnavailableError(`S3 at ${this.where} refused to read ${objectUrl({ root, key })} (${name}, HTTP ${status}).`);
  }

  /** HEAD; null when the object does not exist. */
  private async head(object: S3Object): Promise<HeadObjectCommandOutput | null> {
    this.counters.requests++;
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: object.root.bucket, Key: object.key }));
    } catch (err) {
      if (isMissing(err)) return null;
      throw this.failure(err, object);
    }
  }

  /** GET of the whole object or of `range`; null when the object does not exist. */
  private async get(object: S3Object, range?: string): Promise<{ body: Buffer; metadata: Record<string, string> } | null> {
    this.counters.requests++;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: object.root.bucket, Key: object.key, Range: range }));
      const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      this.counters.bytes += bytes.byteLength;
      return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), metadata: out.Metadata ?? {} };
    } catch (err) {
      if (isMissing(err)) return null;
      if (range && isUnsatisfiableRange(err)) return { body: EMPTY, metadata: {} };
      throw this.failure(err, object);
    }
  }

  /**
   * Where a blob may be: under the root its record names (or at the object URL older clients
   * recorded), then under the configured root, for a datastore copied elsewhere since.
   */
  private blobObjects(flow: string, sha: string, recorded: string | undefined): S3Object[] {
    if (!isSha(sha) || !isSafeSegment(flow)) throw new NotFoundError(`${flow} artifact ${sha}`);
    const relative = blobKey(flow, sha);
    const configured = { root: this.root, key: keyUnder(this.root, relative) };
    const m = recorded === undefined ? null : S3_URL.exec(recorded);
    if (!m) return [configured];
    const [, bucket, path] = m;
    if (!isSafeSegment(bucket) || (path !== '' && !path.split('/').every(isSafeSegment))) return [configured];
    const own = path === relative || path.endsWith(`/${relative}`);
    const root = s3Root(bucket, own ? path.slice(0, path.length - relative.length).replace(/\/$/, '') : path);
    const named = { root, key: keyUnder(root, relative) };
    return named.root.location === this.root.location ? [configured] : [named, configured];
  }

  /** The first of `objects` that exists, with its HEAD; a bucket refused or gone passes to the next. */
  private async find(objects: S3Object[]): Promise<{ object: S3Object; head: HeadObjectCommandOutput } | null> {
    for (const [i, object] of objects.entries()) {
      try {
        const head = await this.head(object);
        if (head) return { object, head };
      } catch (err) {
        if (!(err instanceof DatastoreUnavailableError) || i === objects.length - 1) throw err;
      }
    }
    return null;
  }

  private attemptObject(flow: string, run: string, step: string, task: string, attempt: number, file: string): S3Object | null {
    const safe = [flow, run, step, task].every(isSafeSegment) && Number.isSafeInteger(attempt) && attempt >= 0;
    return safe ? { root: this.root, key: keyUnder(this.root, attemptKey(flow, run, step, task, attempt, file)) } : null;
  }

  /** One HEAD finds the blob and tells its size, so one above the cap is never downloaded. */
  async readBlob(flow: string, sha: string, { root, maxBytes }: BlobReadOptions): Promise<Buffer> {
    const what = `${flow} artifact ${sha}`;
    const found = await this.find(this.blobObjects(flow, sha, root));
    if (!found) throw new NotFoundError(what);
    const size = found.head.ContentLength ?? 0;
    if (size > maxBytes) throw new TooLargeError(what, size);
    const got = await this.get(found.object);
    if (!got) throw new NotFoundError(what);
    return unpackBlob(got.body, isRawBlob(got.metadata['metaflow-user-attributes']), what);
  }

  async artifactTable(flow: string, run: string, step: string, task: string, attempt: number): Promise<ArtifactTable | null> {
    const object = this.attemptObject(flow, run, step, task, attempt, 'data.json');
    if (object === null) return null;
    const got = await this.get(object);
    if (!got) return null;
    try {
      return JSON.parse(got.body.toString('utf8')) as ArtifactTable;
    } catch {
      throw new BackendDataError(`${objectUrl(object)} is not JSON.`);
    }
  }

  async logSources(flow: string, run: string, step: string, task: string, attempt: number, stream: LogStream): Promise<ByteSource[]> {
    const found = await Promise.all(
      LOG_SOURCES.map(async (source) => {
        const object = this.attemptObject(flow, run, step, task, attempt, logFile(source, stream));
        const head = object === null ? null : await this.head(object);
        return head && object !== null ? this.byteSource(object, head.ContentLength ?? 0) : null;
      }),
    );
    return found.filter((s): s is ByteSource => s !== null);
  }

  /**
   * A log object read by ranges. Its size is the HEAD that found it, so a tail costs one HEAD
   * and a few ranged GETs; reads stop at that size, the snapshot the caller's offsets refer to.
   */
  private byteSource(object: S3Object, knownSize: number): ByteSource {
    const name = objectUrl(object);
    return {
      name,
      size: async () => knownSize,
      read: async (start: number, end: number): Promise<Buffer> => {
        checkRange(name, start, end);
        const stop = Math.min(end, knownSize);
        if (start >= stop) return EMPTY;
        const got = await this.get(object, `bytes=${start}-${stop - 1}`);
        // Some S3-compatible servers (s3rver reading `bytes=0-0`) send more than was asked for.
        return got ? got.body.subarray(0, stop - start) : EMPTY;
      },
    };
  }
}
