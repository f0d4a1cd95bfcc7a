/** Builds the client for the backends Metaflow's own configuration names. */
import { MetaflowClient, type ClientOptions } from './client';
import type { MetaflowSettings } from './config';
import { LocalDatastore } from './datastore/local';
import { createS3Datastore } from './datastore/s3';
import { LocalMetadataSource } from './local/metadata';
import { createServiceMetadataSource } from './service';
import type { Datastore, MetadataSource } from './sources';

export interface Backend {
  client: MetaflowClient;
  /** One line naming the backends, safe to show (no credentials). */
  describe(): string;
  close(): Promise<void>;
}

/** Lets the caller wrap each backend (e.g. to time its calls) without the backends knowing. */
export type Instrument = <T extends object>(target: T, name: string) => T;

export function createBackend(settings: MetaflowSettings, opts: Omit<ClientOptions, 'metadata' | 'datastore'> = {}, instrument: Instrument = (t) => t): Backend {
  const closers: (() => Promise<void> | void)[] = [];
  let metadata: MetadataSource;
  if (settings.metadata.kind === 'service') {
    const service = createServiceMetadataSource({
      url: settings.metadata.url,
      authKey: settings.metadata.authKey,
      headers: settings.metadata.headers,
    });
    closers.push(() => service.close());
    metadata = service;
  } else {
    metadata = new LocalMetadataSource(settings.metadata.root);
  }
  let datastore: Datastore;
  if (settings.datastore.kind === 's3') {
    const s3 = createS3Datastore({ root: settings.datastore.root, endpointUrl: settings.datastore.endpointUrl });
    closers.push(() => s3.close());
    datastore = s3;
  } else {
    datastore = new LocalDatastore(settings.datastore.root);
  }
  const client = new MetaflowClient({ ...opts, metadata: instrument(metadata, metadata.kind), datastore: instrument(datastore, datastore.kind) });
  return {
    client,
    describe: () => `metadata: ${metadata.kind} (${metadata.location}); datastore: ${datastore.kind} (${datastore.location})`,
    close: async () => {
      for (const close of closers) await close();
    },
  };
}

