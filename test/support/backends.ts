/**
 * The same recorded Metaflow runs behind each backend combination the client supports, so one
 * behavioural contract can run against all of them:
 *
 *   const backends = await startBackends();     // in beforeAll: once per test file
 *   backends.client('service+s3').listRuns(…)
 *   await backends.close();                     // in afterAll
 *
 * - `local`: local metadata and datastore over the `.metaflow` folder `service-to-local.ts`
 *   builds from the recordings;
 * - `service+local`: the recorded metadata service (replayed by the fake) and the S3 objects
 *   read as plain files;
 * - `service+s3`: the same service and the S3 objects served by s3rver.
 *
 * Every client's clock is the recording time, so statuses do not age.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetaflowClient } from '../../src/metaflow/client';
import { LocalDatastore } from '../../src/metaflow/datastore/local';
import { createS3Datastore, type S3Datastore } from '../../src/metaflow/datastore/s3';
import { LocalMetadataSource } from '../../src/metaflow/local/metadata';
import { createServiceMetadataSource, type ServiceMetadataSource } from '../../src/metaflow/service';
import { RECORDINGS, startFakeMetadataService, type FakeMetadataService } from './fake-metadata-service';
import { FIXTURE_BUCKET, FIXTURE_DATASTORE, FIXTURE_ROOT, startS3Server, type S3TestServer } from './s3-server';
import { buildLocalFromService } from './service-to-local';

export const BACKEND_NAMES = ['local', 'service+local', 'service+s3'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** When the service answers were recorded: every run had ended by then. */
const RECORDED_AT = (JSON.parse(readFileSync(join(RECORDINGS, 'index.json'), 'utf8')) as { recorded_at_epoch_ms: number }).recorded_at_epoch_ms;

/** `s3://metaflow-fixtures/metaflow` as plain files. */
export const SERVICE_DATASTORE_FILES = join(FIXTURE_DATASTORE, FIXTURE_BUCKET, 'metaflow');

export interface Backends {
  client(name: BackendName): MetaflowClient;
  close(): Promise<void>;
}

export async function startBackends(): Promise<Backends> {
  const closers: (() => Promise<void> | void)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const folder = await mkdtemp(join(tmpdir(), 'metaflowbot-contract-'));
    closers.push(() => rm(folder, { recursive: true, force: true }));
    const [built, faked, served] = await Promise.allSettled([buildLocalFromService(folder), startFakeMetadataService(), startServedS3()]);
    if (faked.status === 'fulfilled') closers.push(() => faked.value.close());
    if (served.status === 'fulfilled') closers.push(() => served.value.close());
    for (const outcome of [built, faked, served]) if (outcome.status === 'rejected') throw outcome.reason;
    const localRoot = (built as PromiseFulfilledResult<string>).value;
    const fake = (faked as PromiseFulfilledResult<FakeMetadataService>).value;
    const s3 = (served as PromiseFulfilledResult<S3TestServer>).value;

    const service = (): ServiceMetadataSource => {
      const source = createServiceMetadataSource({ url: fake.url, retryBaseDelayMs: 5 });
      closers.push(() => source.close());
      return source;
    };
    const s3Datastore: S3Datastore = createS3Datastore({ root: FIXTURE_ROOT, endpointUrl: s3.endpoint, client: s3.client });
    closers.push(() => s3Datastore.close());
    const now = () => RECORDED_AT;
    const clients: Record<BackendName, MetaflowClient> = {
      local: new MetaflowClient({ metadata: new LocalMetadataSource(localRoot), datastore: new LocalDatastore(localRoot), now }),
      'service+local': new MetaflowClient({ metadata: service(), datastore: new LocalDatastore(SERVICE_DATASTORE_FILES), now }),
      'service+s3': new MetaflowClient({ metadata: service(), datastore: s3Datastore, now }),
    };
    return { client: (name) => clients[name], close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function startServedS3(): Promise<S3TestServer> {
  const s3 = await startS3Server();
  try {
    await s3.putFixtureDatastore();
    return s3;
  } catch (err) {
    await s3.close();
    throw err;
  }
}
