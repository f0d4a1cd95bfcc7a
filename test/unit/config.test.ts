import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

const dir = mkdtempSync(join(tmpdir(), 'mfbot-config-'));
const base = { METAFLOW_HOME: join(dir, 'no-metaflow-home'), METAFLOW_DATASTORE_SYSROOT_LOCAL: dir };
const socket = { ...base, SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-abc' };

function error(env: NodeJS.ProcessEnv, configFile?: string): string {
  try {
    loadConfig({ env, cwd: dir, configFile });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('bot configuration', () => {
  it('has sensible defaults for Socket Mode', () => {
    const c = loadConfig({ env: socket, cwd: dir });
    expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', lostAfterMs: 360_000, logLevel: 'info', pollIntervalMs: 30_000 });
    expect(c.users).toEqual({ rule: 'email', map: {} });
    expect(c.state).toEqual({ redisUrl: null, path: './.metaflowbot/state.db' });
    expect(c.slack).toEqual({ botToken: 'xoxb-1-2-abc', signingSecret: null, appToken: 'xapp-1-abc', apiUrl: null });
  });

  it('names the missing token and how to get it', () => {
    expect(error(base)).toContain('SLACK_BOT_TOKEN (or slack.botToken in the YAML file) (not set): is required');
  });

  it('masks secrets in errors but shows other bad values', () => {
    const message = error({ ...socket, SLACK_BOT_TOKEN: 'xoxp-user-token-secret', PORT: 'eighty' });
    expect(message).toContain('SLACK_BOT_TOKEN ("***"): a bot token starts with "xoxb-"');
    expect(message).not.toContain('xoxp-user-token-secret');
    expect(message).toContain('PORT ("eighty"): must be a port number');
  });

  it('asks for a signing secret in HTTP mode', () => {
    expect(error({ ...base, SLACK_BOT_TOKEN: 'xoxb-1' })).toContain('SLACK_SIGNING_SECRET (not set): HTTP mode needs it; or set SLACK_APP_TOKEN');
  });

  it('reads secrets from *_FILE for container secrets', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'xoxb-from-file\n');
    const c = loadConfig({ env: { ...base, SLACK_BOT_TOKEN_FILE: file, SLACK_APP_TOKEN: 'xapp-1' }, cwd: dir });
    expect(c.slack.botToken).toBe('xoxb-from-file');
    expect(error({ ...base, SLACK_BOT_TOKEN_FILE: join(dir, 'missing'), SLACK_APP_TOKEN: 'xapp-1' })).toContain('SLACK_BOT_TOKEN_FILE');
  });

  it('reads a YAML file, with the environment taking precedence', () => {
    const file = join(dir, 'metaflowbot.yml');
    writeFileSync(file, 'slack:\n  appToken: xapp-yaml\nserver:\n  port: 4000\nusers:\n  rule: map\n  map:\n    U123: alice\nnotifications:\n  pollSeconds: 5\n');
    const c = loadConfig({ env: { ...base, SLACK_BOT_TOKEN: 'xoxb-1', PORT: '5000' }, cwd: dir, configFile: file });
    expect(c.port).toBe(5000);
    expect(c.slack.appToken).toBe('xapp-yaml');
    expect(c.users).toEqual({ rule: 'map', map: { U123: 'alice' } });
    expect(c.pollIntervalMs).toBe(5000);
    expect(c.configFile).toBe(file);
  });

  it('names the YAML key of a bad value from the file, and a broken file', () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'log:\n  level: loud\n');
    expect(error({ ...socket }, file)).toContain('log.level ("loud"): must be one of fatal, error, warn, info, debug, trace, silent');
    const broken = join(dir, 'broken.yml');
    writeFileSync(broken, 'slack: [unclosed\n');
    expect(error(socket, broken)).toMatch(/broken\.yml is not valid YAML/);
    expect(error(socket, join(dir, 'nope.yml'))).toContain('Cannot read the configuration file');
  });

  it('takes the user map as JSON from the environment and checks it', () => {
    const c = loadConfig({ env: { ...socket, METAFLOWBOT_USER_RULE: 'map', METAFLOWBOT_USER_MAP: '{"U1":"bob"}' }, cwd: dir });
    expect(c.users.map).toEqual({ U1: 'bob' });
    expect(error({ ...socket, METAFLOWBOT_USER_MAP: '[1,2]' })).toContain('METAFLOWBOT_USER_MAP ("[1,2]"): must be a JSON object');
    expect(error({ ...socket, METAFLOWBOT_USER_RULE: 'map' })).toContain('METAFLOWBOT_USER_RULE=map needs a map');
  });
});
