/**
 * A real S3-compatible server (s3rver) on loopback, holding the objects that the recorded
 * Metaflow runs wrote (test/fixtures/metaflow-service/datastore), so the S3 datastore is tested
 * over HTTP with the real SDK rather than against a mock.
 */
import type { Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mapLimit } from '../../src/metaflow/concurrency';
import { FIXTURES } from './fixtures';

export const FIXTURE_BUCKET = 'metaflow-fixtures';
export const FIXTURE_ROOT = `s3://${FIXTURE_BUCKET}/metaflow`;
export const FIXTURE_DATASTORE = join(FIXTURES, 'metaflow-service', 'datastore');
/** s3rver's fixed account; it checks the access key id but not SigV4 signatures. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  vhostBuckets: boolean;
  configureBuckets: { name: string }[];
}

interface S3rverInstance {
  httpServer?: Server;
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

// s3rver ships no type declarations; this is the part of its API used here.
const S3rver = require('s3rver') as new (options: S3rverOptions) => S3rverInstance;

interface FixtureIndex {
  objects: Record<string, { size: number; md5: string; content_type: string; metadata: Record<string, string> }>;
}

export interface S3TestServer {
  endpoint: string;
  /** Path-style client with s3rver's credentials. */
  client: S3Client;
  /** Uploads every fixture object with its recorded user metadata; checks each ETag. */
  putFixtureDatastore(): Promise<void>;
  close(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'metaflowbot-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: [{ name: FIXTURE_BUCKET }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });

  async function putFixtureDatastore(): Promise<void> {
    const index = JSON.parse(await readFile(join(FIXTURE_DATASTORE, 'index.json'), 'utf8')) as FixtureIndex;
    await mapLimit(Object.entries(index.objects), 16, async ([key, object]) => {
      const out = await client.send(
        new PutObjectCommand({
          Bucket: FIXTURE_BUCKET,
          Key: key,
          Body: await readFile(join(FIXTURE_DATASTORE, FIXTURE_BUCKET, key)),
          ContentType: object.content_type,
          Metadata: object.metadata,
        }),
      );
      if (out.ETag !== `"${object.md5}"`) throw new Error(`s3rver stored ${key} with ETag ${out.ETag}, expected "${object.md5}"`);
    });
  }

  return {
    endpoint,
    client,
    putFixtureDatastore,
    async close(): Promise<void> {
      client.destroy();
      const closed = server.close();
      // Keep-alive sockets of other clients (datastores built by a test) would hold close() open.
      server.httpServer?.closeAllConnections();
      await closed;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface RecordedRequest {
  method: string;
  status: number | null;
  /** Body bytes of a GET response (its Content-Length); 0 for a HEAD or a failed request. */
  bytes: number;
}

/** Records every HTTP attempt the client makes, to see what went over the wire. */
export function recordRequests(client: S3Client): RecordedRequest[] {
  const seen: RecordedRequest[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const entry: RecordedRequest = { method: (args.request as { method?: string }).method ?? '?', status: null, bytes: 0 };
      seen.push(entry);
      try {
        const result = await next(args);
        const response = result.response as { statusCode?: number; headers?: Record<string, string> };
        entry.status = response.statusCode ?? null;
        if (entry.method === 'GET') entry.bytes = Number(response.headers?.['content-length'] ?? 0);
        return result;
      } catch (err) {
        entry.status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? null;
        throw err;
      }
    },
    { step: 'deserialize', name: 'recordRequests' },
  );
  return seen;
}
