/**
 * What a backend must provide. A metadata source says which flows, runs, steps, tasks,
 * metadata entries and artifact pointers exist (the `.metaflow/_meta` files, or the metadata
 * service); a datastore holds the bytes (artifact blobs, artifact tables, logs) in a local
 * folder or in S3. The client (`client.ts`) derives statuses, previews and pages from these
 * records, so every backend gets the same rules.
 */
import type { ByteSource } from './bytesource';
import type { LogStream, RunStatus } from './model';

export interface FlowRecord {
  name: string;
  createdAt: number;
}

export interface RunRecord {
  flow: string;
  id: string;
  user: string | null;
  tags: string[];
  systemTags: string[];
  createdAt: number;
  /** Last heartbeat in ms (the service's `last_heartbeat_ts` is in seconds); null when none. */
  heartbeatAt: number | null;
}

export interface StepRecord {
  name: string;
  createdAt: number;
}

export interface TaskRecord {
  step: string;
  id: string;
  createdAt: number;
  heartbeatAt: number | null;
}

export interface MetadataEntry {
  field: string;
  /** Strings for every field but `foreach-stack`, as Metaflow writes them. */
  value: unknown;
  type: string;
  /** From the `attempt_id:<n>` tag; null for entries of no attempt. */
  attempt: number | null;
  ts: number;
}

export interface ArtifactRecord {
  name: string;
  sha: string;
  attempt: number;
  /** `pickle-v4`, `gzip+pickle-v2` …: all mean a pickle, possibly gzip-compressed by the store. */
  encoding: string;
  createdAt: number;
  /**
   * Where the metadata says the value is, when it says: the datastore root it was written under
   * (`s3://bucket/prefix`), or the object's own URL as older clients recorded it.
   */
  location?: string;
}

/** One task's attempts as the files on disk or the attempt metadata tell them. */
export interface AttemptRecord {
  attempt: number;
  startedAt: number | null;
  /** When the attempt completed (success or failure); null while running or once lost. */
  doneAt: number | null;
  /** The `attempt_ok` outcome; null when not (yet) recorded. */
  ok: boolean | null;
}

export interface RunListQuery {
  user?: string;
  /** All of these must be among the run's tags or system tags. */
  tags?: string[];
  /**
   * A hint: the caller keeps only runs of these statuses and checks each itself, so a source
   * may pre-filter on its own notion of status (as long as it keeps a superset) or ignore it.
   */
  status?: RunStatus[];
}

export interface RunRecordPage {
  runs: RunRecord[];
  /** Opaque cursor of the next page, null on the last one. */
  next: string | null;
  /** Number of matching runs when the source knows it without listing them all. */
  total: number | null;
}

export interface MetadataSource {
  readonly kind: 'local' | 'service';
  /** Where the metadata lives, fit to show to a user (no credentials). */
  readonly location: string;
  listFlows(): Promise<FlowRecord[]>;
  /** Throws NotFoundError. */
  getFlow(flow: string): Promise<FlowRecord>;
  /** Runs of the flow that match, newest first, a page at a time. Unknown flow: an empty page. */
  listRuns(flow: string, query: RunListQuery, page: { limit: number; cursor: string | null }): Promise<RunRecordPage>;
  /** Throws NotFoundError. */
  getRun(flow: string, run: string): Promise<RunRecord>;
  listSteps(flow: string, run: string): Promise<StepRecord[]>;
  listTasks(flow: string, run: string, step: string): Promise<TaskRecord[]>;
  /** Throws NotFoundError. */
  getTask(flow: string, run: string, step: string, task: string): Promise<TaskRecord>;
  taskMetadata(flow: string, run: string, step: string, task: string): Promise<MetadataEntry[]>;
  /** The terminal step's name as the run's `_parameters` task records it (`end_step`); null when it does not. */
  endStep(flow: string, run: string): Promise<string | null>;
  /** Every task's attempts in one step; the cheapest way to a step's status. */
  stepAttempts(flow: string, run: string, step: string): Promise<Map<string, AttemptRecord[]>>;
  /** One task's attempts, without reading its siblings (a foreach step can have thousands). */
  taskAttempts(flow: string, run: string, step: string, task: string): Promise<AttemptRecord[]>;
  listArtifacts(flow: string, run: string, step: string, task: string, attempt: number): Promise<ArtifactRecord[]>;
}

/** `<a>.data.json`: the artifact table of one attempt. */
export interface ArtifactTable {
  objects: Record<string, string>;
  info: Record<string, { size?: number; type?: string; encoding?: string }>;
}

export interface BlobReadOptions {
  /** The artifact record's `location`: a store reads under it when it can, else under its own root. */
  root?: string;
  /** Stored (compressed) size above which the blob is refused. */
  maxBytes: number;
}

export interface Datastore {
  readonly kind: 'local' | 's3';
  readonly location: string;
  /**
   * The pickle bytes of a blob, decompressed unless stored raw; throws NotFoundError, and
   * TooLargeError (before reading it) when it is stored larger than `maxBytes`.
   */
  readBlob(flow: string, sha: string, opts: BlobReadOptions): Promise<Buffer>;
  artifactTable(flow: string, run: string, step: string, task: string, attempt: number): Promise<ArtifactTable | null>;
  /** The log files of one attempt and stream (runtime and task sources); missing ones omitted. */
  logSources(flow: string, run: string, step: string, task: string, attempt: number, stream: LogStream): Promise<ByteSource[]>;
}
