import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join, relative, sep } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mapLimit } from '../../src/metaflow/concurrency';
import { createS3Datastore, type S3Datastore, type S3DatastoreOptions } from '../../src/metaflow/datastore/s3';
import { BackendTimeoutError, BackendUnavailableError, NotFoundError, TooLargeError } from '../../src/metaflow/errors';
import { MetaflowClient } from '../../src/metaflow/client';
import { createServiceMetadataSource } from '../../src/metaflow/service';
import type { ArtifactTable } from '../../src/metaflow/sources';
import { startFakeMetadataService } from '../support/fake-metadata-service';
import {
  FIXTURE_BUCKET,
  FIXTURE_DATASTORE,
  FIXTURE_ROOT,
  recordRequests,
  type RecordedRequest,
  S3RVER_CREDENTIALS,
  startS3Server,
  type S3TestServer,
} from '../support/s3-server';

const OBJECTS = join(FIXTURE_DATASTORE, FIXTURE_BUCKET, 'metaflow');
const MiB = 1024 * 1024;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** `<Flow>/<run>/<step>/<task>/<attempt>.<file>` of a fixture file. */
function attemptOf(file: string): { flow: string; run: string; step: string; task: string; attempt: number; name: string } {
  const [flow, run, step, task, base] = relative(OBJECTS, file).split(sep);
  const dot = base.indexOf('.');
  return { flow, run, step, task, attempt: Number(base.slice(0, dot)), name: base.slice(dot + 1) };
}

let server: S3TestServer;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  server = await startS3Server();
  await server.putFixtureDatastore();
});

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

afterAll(async () => {
  await server?.close();
});

/** A datastore over its own client, so the requests it makes can be told apart. */
/** Reads of any size: the cap is tested on its own. */
const UNCAPPED = { maxBytes: Number.MAX_SAFE_INTEGER };

function datastore(opts: Partial<S3DatastoreOptions> = {}): { ds: S3Datastore; requests: RecordedRequest[] } {
  const client = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  const requests = recordRequests(client);
  const ds = createS3Datastore({ root: FIXTURE_ROOT, endpointUrl: server.endpoint, client, ...opts });
  cleanups.push(() => ds.close(), () => client.destroy());
  return { ds, requests };
}

/** A datastore that builds its own client, credentials from the default chain. */
function ownClientDatastore(opts: Partial<S3DatastoreOptions> = {}): S3Datastore {
  const ds = createS3Datastore({ root: FIXTURE_ROOT, endpointUrl: server.endpoint, ...opts });
  cleanups.push(() => ds.close());
  return ds;
}

/**
 * Only the environment's credentials: no profile, no shared files, no region (so the
 * us-east-1 fallback is used too). Restored afterwards.
 */
async function withAwsEnv<T>(accessKeyId: string, secretAccessKey: string, fn: () => Promise<T>): Promise<T> {
  const vars: Record<string, string | undefined> = {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_CONFIG_FILE: join(FIXTURE_DATASTORE, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(FIXTURE_DATASTORE, 'no-such-aws-credentials'),
  };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

describe('S3 datastore: artifacts', () => {
  const tables = filesUnder(OBJECTS).filter((f) => f.endsWith('.data.json'));
  const blobs = [
    ...new Set(
      tables.flatMap((f) => {
        const { flow } = attemptOf(f);
        const table = JSON.parse(readFileSync(f, 'utf8')) as ArtifactTable;
        return Object.values(table.objects).map((sha) => `${flow}/${sha}`);
      }),
    ),
  ];

  it('reads every blob the artifact tables point to: a protocol-4 pickle whose SHA-1 is its key', async () => {
    expect(blobs.length).toBeGreaterThan(50);
    const { ds } = datastore();
    const read = await mapLimit(blobs, 8, async (blob) => {
      const [flow, sha] = blob.split('/');
      const pickle = await ds.readBlob(flow, sha, UNCAPPED);
      return { sha, header: pickle.subarray(0, 2).toString('hex'), sha1: createHash('sha1').update(pickle).digest('hex') };
    });
    for (const { sha, header, sha1 } of read) expect({ header, sha1 }).toEqual({ header: '8004', sha1: sha });
  });

  it('caps a blob by its stored, compressed size', async () => {
    const { ds } = datastore();
    const [flow, sha] = blobs[0].split('/');
    const size = statSync(join(OBJECTS, flow, 'data', sha.slice(0, 2), sha)).size;
    await expect(ds.readBlob(flow, sha, { maxBytes: size })).resolves.toBeInstanceOf(Buffer);
    await expect(ds.readBlob(flow, sha, { maxBytes: size - 1 })).rejects.toMatchObject({ bytes: size });
  });

  it("returns an attempt's artifact table, and null for an attempt that wrote none", async () => {
    const { ds } = datastore();
    const expected = JSON.parse(readFileSync(join(OBJECTS, 'FailFlow/10/boom/41/1.data.json'), 'utf8')) as ArtifactTable;
    const table = await ds.artifactTable('FailFlow', '10', 'boom', '41', 1);
    expect(table).toEqual(expected);
    expect(Object.keys(table!.objects)).toEqual(expect.arrayContaining(['name', '_task_ok', '_exception']));
    expect(await ds.artifactTable('FailFlow', '10', 'boom', '41', 7)).toBeNull();
  });

  it('refuses a blob above the preview cap with TooLargeError, without downloading it', async () => {
    const { ds, requests } = datastore();
    const sha = '4c6229dc1063e370fc77d5b1f304260d21fa24ed';
    const err = await ds.readBlob('FailFlow', sha, { maxBytes: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect(err).toMatchObject({ what: `FailFlow artifact ${sha}`, bytes: 362 });
    expect(requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('reports a missing blob as NotFoundError naming the flow and the SHA', async () => {
    const { ds } = datastore();
    const sha = '0'.repeat(40);
    await expect(ds.readBlob('HelloFlow', sha, UNCAPPED)).rejects.toThrow(new NotFoundError(`HelloFlow artifact ${sha}`));
    const known = blobs.find((b) => b.startsWith('HelloFlow/'))!.split('/')[1];
    await expect(ds.readBlob('NoSuchFlow', known, UNCAPPED)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('sends no request for a name that is not a SHA or a path segment', async () => {
    const { ds, requests } = datastore();
    await expect(ds.readBlob('HelloFlow', '../../LogFlow/5/start/20/0.runtime_stdout.log', UNCAPPED)).rejects.toBeInstanceOf(NotFoundError);
    await expect(ds.readBlob('HelloFlow', 'ABCDEF0123456789ABCDEF0123456789ABCDEF01', UNCAPPED)).rejects.toBeInstanceOf(NotFoundError);
    await expect(ds.readBlob('..', '0'.repeat(40), UNCAPPED)).rejects.toBeInstanceOf(NotFoundError);
    expect(await ds.artifactTable('FailFlow', '10', '..', '41', 1)).toBeNull();
    expect(await ds.logSources('LogFlow', '5', 'start/20', '20', 0, 'stdout')).toEqual([]);
    expect(requests).toEqual([]);
  });
});

describe('S3 datastore: where an artifact record says its blob is', () => {
  const sha = '4c6229dc1063e370fc77d5b1f304260d21fa24ed';
  const sha1 = (pickle: Buffer): string => createHash('sha1').update(pickle).digest('hex');

  it('reads under the root the record names, not the configured one', async () => {
    const { ds, requests } = datastore({ root: `s3://${FIXTURE_BUCKET}/elsewhere` });
    expect(sha1(await ds.readBlob('FailFlow', sha, { ...UNCAPPED, root: FIXTURE_ROOT }))).toBe(sha);
    const size = statSync(join(OBJECTS, 'FailFlow', 'data', sha.slice(0, 2), sha)).size;
    await expect(ds.readBlob('FailFlow', sha, { root: FIXTURE_ROOT, maxBytes: size - 1 })).rejects.toMatchObject({ bytes: size });
    expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual(['HEAD 200', 'GET 200', 'HEAD 200']);
    await expect(ds.readBlob('FailFlow', sha, UNCAPPED)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads at the object URL older clients recorded', async () => {
    const { ds } = datastore({ root: `s3://${FIXTURE_BUCKET}/elsewhere` });
    expect(sha1(await ds.readBlob('FailFlow', sha, { ...UNCAPPED, root: `${FIXTURE_ROOT}/FailFlow/data/${sha.slice(0, 2)}/${sha}` }))).toBe(sha);
  });

  it('falls back to the configured root when the recorded one lacks the blob or its bucket', async () => {
    const { ds, requests } = datastore();
    expect(sha1(await ds.readBlob('FailFlow', sha, { ...UNCAPPED, root: `s3://${FIXTURE_BUCKET}/moved` }))).toBe(sha);
    expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual(['HEAD 404', 'HEAD 200', 'GET 200']);
    expect(sha1(await ds.readBlob('FailFlow', sha, { ...UNCAPPED, root: 's3://no-such-bucket/metaflow' }))).toBe(sha);
  });

  it('ignores a recorded location that is not an S3 root, or holds path tricks', async () => {
    const { ds, requests } = datastore();
    expect(sha1(await ds.readBlob('FailFlow', sha, { ...UNCAPPED, root: '/home/alice/.metaflow' }))).toBe(sha);
    expect(sha1(await ds.readBlob('FailFlow', sha, { ...UNCAPPED, root: `s3://${FIXTURE_BUCKET}/other/../metaflow` }))).toBe(sha);
    expect(requests.map((r) => r.method)).toEqual(['HEAD', 'GET', 'HEAD', 'GET']);
  });

  it("gives the client each artifact from its record's root, through the metadata service", async () => {
    const service = await startFakeMetadataService();
    const metadata = createServiceMetadataSource({ url: service.url, retryBaseDelayMs: 5 });
    try {
      const { ds } = datastore({ root: `s3://${FIXTURE_BUCKET}/elsewhere` });
      const client = new MetaflowClient({ metadata, datastore: ds });
      const artifacts = await client.listArtifacts({ flow: 'ParamFlow', run: '3', step: 'end', task: '11' });
      expect(artifacts.find((a) => a.name === 'who')).toMatchObject({ type: 'str', preview: "'alice'" });
      expect(artifacts.every((a) => !a.preview.startsWith('<'))).toBe(true);
    } finally {
      await metadata.close();
      await service.close();
    }
  });
});

describe('S3 datastore: logs', () => {
  it('reads a log tail through the S3 byte source exactly as the file holds it', async () => {
    const { ds } = datastore();
    const file = readFileSync(join(OBJECTS, 'LogFlow/5/start/20/0.runtime_stdout.log'));
    const sources = await ds.logSources('LogFlow', '5', 'start', '20', 0, 'stdout');
    expect(sources.map((s) => s.name)).toEqual([`${FIXTURE_ROOT}/LogFlow/5/start/20/0.runtime_stdout.log`]);
    const [log] = sources;
    expect(await log.size()).toBe(file.length);
    expect(await log.read(file.length - 1000, file.length)).toEqual(file.subarray(file.length - 1000));
    expect(await log.read(file.length - 10, file.length + 500)).toEqual(file.subarray(file.length - 10));
    expect(await log.read(0, 1)).toEqual(file.subarray(0, 1));
    expect(await log.read(file.length + 5, file.length + 10)).toEqual(Buffer.alloc(0));
    await expect(log.read(10, 5)).rejects.toBeInstanceOf(RangeError);
  });

  it('finds every log file of the fixtures and omits the sources that do not exist', async () => {
    const { ds } = datastore();
    const logs = filesUnder(OBJECTS).filter((f) => f.endsWith('.log'));
    expect(logs.length).toBeGreaterThan(40);
    await mapLimit(logs, 8, async (path) => {
      const { flow, run, step, task, attempt, name } = attemptOf(path);
      const stream = name.includes('stdout') ? 'stdout' : 'stderr';
      const [log, ...others] = await ds.logSources(flow, run, step, task, attempt, stream);
      expect(others).toEqual([]);
      expect(log.name).toBe(`${FIXTURE_ROOT}/${relative(OBJECTS, path).split(sep).join('/')}`);
      expect(await log.read(0, await log.size())).toEqual(readFileSync(path));
    });
    expect(await ds.logSources('LogFlow', '5', '_parameters', '19', 0, 'stdout')).toEqual([]);
  });

  it('reads a range of a 50 MB log object without fetching the rest', async () => {
    const big = randomBytes(50 * MiB);
    await server.client.send(
      new PutObjectCommand({ Bucket: FIXTURE_BUCKET, Key: 'metaflow/BigLogFlow/1/start/2/0.runtime_stdout.log', Body: big }),
    );
    const { ds, requests } = datastore();
    const [log] = await ds.logSources('BigLogFlow', '1', 'start', '2', 0, 'stdout');
    const size = await log.size();
    expect(size).toBe(big.length);
    const tail = await log.read(size - 64 * 1024, size);
    expect(tail.equals(big.subarray(size - 64 * 1024))).toBe(true);
    const middle = await log.read(20 * MiB, 20 * MiB + 100);
    expect(middle.equals(big.subarray(20 * MiB, 20 * MiB + 100))).toBe(true);
    expect(requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD', 'GET', 'GET']);
    expect(requests.reduce((n, r) => n + r.bytes, 0)).toBe(64 * 1024 + 100);
    expect(ds.stats()).toEqual({ requests: 4, bytes: 64 * 1024 + 100 });
  });
});

describe('S3 datastore: connection and failures', () => {
  it('destroys every client it builds: the probe of the region chain at once, its own on close', async () => {
    const destroy = jest.spyOn(S3Client.prototype, 'destroy');
    try {
      await withAwsEnv('S3RVER', 'S3RVER', async () => {
        const ds = createS3Datastore({ root: FIXTURE_ROOT, endpointUrl: server.endpoint });
        expect(destroy).toHaveBeenCalledTimes(1);
        ds.close();
        expect(destroy).toHaveBeenCalledTimes(2);
      });
    } finally {
      destroy.mockRestore();
    }
  });

  it('takes credentials from the environment through the default chain', async () => {
    const sha = '4c6229dc1063e370fc77d5b1f304260d21fa24ed';
    await withAwsEnv('S3RVER', 'S3RVER', async () => {
      const pickle = await ownClientDatastore().readBlob('FailFlow', sha, UNCAPPED);
      expect(createHash('sha1').update(pickle).digest('hex')).toBe(sha);
    });
  });

  it('turns refused credentials into a sentence naming the bucket, without the secret', async () => {
    const secret = 'wJalrXUtnFEMI-not-a-real-secret';
    const [err, fromGet] = await withAwsEnv('AKIDNOTKNOWNHERE', secret, () => {
      const ds = ownClientDatastore();
      const fail = (p: Promise<unknown>): Promise<unknown> => p.catch((e: unknown) => e);
      return Promise.all([fail(ds.readBlob('FailFlow', '4c6229dc1063e370fc77d5b1f304260d21fa24ed', UNCAPPED)), fail(ds.artifactTable('FailFlow', '10', 'boom', '41', 1))]);
    });
    // A GET's error body names the reason; a HEAD's status alone does not.
    expect((fromGet as Error).message).toContain('was denied (InvalidAccessKeyId)');
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toBe(
      `Access to S3 bucket ${FIXTURE_BUCKET} was denied (HTTP 403): check that the AWS credentials in use may read ${FIXTURE_ROOT}.`,
    );
    expect(JSON.stringify(err) + String((err as Error).stack)).not.toContain(secret);
  });

  it('reports a stopped server as BackendUnavailableError within a bounded time', async () => {
    const stopped = await startS3Server();
    await stopped.close();
    const started = Date.now();
    const err = await withAwsEnv('S3RVER', 'S3RVER', () =>
      ownClientDatastore({ endpointUrl: stopped.endpoint, requestTimeoutMs: 500 })
        .readBlob('FailFlow', '4c6229dc1063e370fc77d5b1f304260d21fa24ed', UNCAPPED)
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(BackendUnavailableError);
    // Under jest the SDK loses the socket error's code (another realm's Error), so none is required.
    expect((err as Error).message).toMatch(new RegExp(`^S3 at ${stopped.endpoint} is not reachable( \\(ECONNREFUSED\\))?\\.$`));
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a server that never answers as BackendTimeoutError', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      const err = await withAwsEnv('S3RVER', 'S3RVER', () =>
        ownClientDatastore({ endpointUrl: `http://127.0.0.1:${port}`, requestTimeoutMs: 200 })
          .artifactTable('FailFlow', '10', 'boom', '41', 1)
          .catch((e: unknown) => e),
      );
      expect(err).toBeInstanceOf(BackendTimeoutError);
      expect((err as Error).message).toMatch(/^S3 at http:\/\/127\.0\.0\.1:\d+ did not answer within 200 ms/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
