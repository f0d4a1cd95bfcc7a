/** A replica's id: the same after a restart, so a restarted bot takes back what it held. */
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { defaultReplicaId } from '../../src/notify';

const dir = mkdtempSync(join(tmpdir(), 'mfbot-replica-'));
const env = { METAFLOW_HOME: join(dir, 'no-metaflow-home'), METAFLOW_DATASTORE_SYSROOT_LOCAL: dir, SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-abc' };

describe('replica id', () => {
  it('is host and port when the port is fixed, so a process restarted in place gets its old id back', () => {
    expect(defaultReplicaId(3000)).toBe(`${hostname()}:3000`);
    expect(defaultReplicaId(3000)).toBe(defaultReplicaId(3000));
    expect(defaultReplicaId(3001)).not.toBe(defaultReplicaId(3000));
  });

  it('is random with port 0, where nothing identifies an earlier life', () => {
    expect(defaultReplicaId(0)).not.toBe(defaultReplicaId(0));
    expect(defaultReplicaId()).toMatch(new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:[0-9a-f]{8}$`));
  });

  it('can be set with METAFLOWBOT_REPLICA_ID, without spaces', () => {
    expect(loadConfig({ env, cwd: dir }).replicaId).toBeUndefined();
    expect(loadConfig({ env: { ...env, METAFLOWBOT_REPLICA_ID: 'metaflowbot-0' }, cwd: dir }).replicaId).toBe('metaflowbot-0');
    expect(() => loadConfig({ env: { ...env, METAFLOWBOT_REPLICA_ID: 'two words' }, cwd: dir })).toThrow(ConfigError);
  });
});
