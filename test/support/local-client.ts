import { MetaflowClient } from '../../src/metaflow/client';
import { LocalDatastore } from '../../src/metaflow/datastore/local';
import { LocalMetadataSource } from '../../src/metaflow/local/metadata';
import { LOCAL_ROOT } from './fixtures';

/** SleepyFlow's killed task started at 03:18:51 UTC on the fixture day. */
export const AN_HOUR_AFTER_THE_FIXTURES = Date.parse('2026-11-28T04:20:00Z');
export const A_MINUTE_AFTER_SLEEPYFLOW_STARTED = Date.parse('2026-11-28T03:19:45Z');

export function localClient(now = AN_HOUR_AFTER_THE_FIXTURES, root = LOCAL_ROOT): MetaflowClient {
  return new MetaflowClient({ metadata: new LocalMetadataSource(root), datastore: new LocalDatastore(root), now: () => now });
}
