/** When the playground runs, and what it reads. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, slackCredentialsSet } from '../../src/config';
import { playgroundInstead, startPlayground } from '../../src/playground';
import { optionViolations } from '../../src/playground/options';
import { LOCAL_ROOT } from '../support/fixtures';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'playground-start-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clean = (): NodeJS.ProcessEnv => ({ METAFLOW_HOME: join(dir, 'no-metaflow-home') });

describe('Slack credentials', () => {
  test('none anywhere: `start` runs the playground, except in production', () => {
    expect(slackCredentialsSet({ env: clean() })).toEqual([]);
    expect(playgroundInstead(clean(), null)).toBe(true);
    expect(playgroundInstead({ ...clean(), NODE_ENV: 'production' }, null)).toBe(false);
  });

  test('in the environment, in a _FILE or in the YAML file, by where they are', () => {
    const secretFile = join(dir, 'signing-secret');
    writeFileSync(secretFile, 'abcdef0123456789abcdef0123456789\n');
    const yaml = join(dir, 'metaflowbot.yml');
    writeFileSync(yaml, 'slack:\n  appToken: xapp-1\n');
    const env = { ...clean(), SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET_FILE: secretFile };
    expect(slackCredentialsSet({ env, configFile: yaml })).toEqual(['SLACK_BOT_TOKEN', 'slack.appToken', 'SLACK_SIGNING_SECRET_FILE']);
    expect(playgroundInstead(env, null)).toBe(false);
    expect(playgroundInstead(clean(), yaml)).toBe(false);
  });

  test('the playground refuses to run beside them, and opens no port', async () => {
    const port = await freePort();
    const attempt = startPlayground({ port, env: { ...clean(), SLACK_BOT_TOKEN: 'xoxb-1' }, cwd: dir });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/SLACK_BOT_TOKEN.*a deployment must never serve it/);
    expect(await freePort(port)).toBe(port);
  });
});

describe('what the playground reads', () => {
  test('the nearest .metaflow when there is one', async () => {
    const playground = await startPlayground({ port: 0, env: clean(), cwd: join(LOCAL_ROOT, 'HelloFlow') });
    try {
      expect(playground.data).toBe(LOCAL_ROOT);
    } finally {
      await playground.stop();
    }
  });

  test('a taken port is a sentence, not a stack', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      await expect(startPlayground({ port, env: clean(), cwd: dir })).rejects.toThrow(`Port ${port} on 127.0.0.1 is in use: pick another with --port.`);
    } finally {
      server.close();
    }
  });
});

describe('block_suggestion answers', () => {
  const option = (text: string, value = text): object => ({ text: { type: 'plain_text', text }, value });

  test('options or option groups, as a select holds them; none is a fine answer', () => {
    expect(optionViolations({ options: [option('HelloFlow')] })).toEqual([]);
    expect(optionViolations({ option_groups: [{ label: { type: 'plain_text', text: 'Flows' }, options: [option('A')] }] })).toEqual([]);
    expect(optionViolations({ options: [] })).toEqual([]);
  });

  test('what a select would refuse, with pointers into the answer', () => {
    expect(optionViolations({})).toEqual(['missing required field: options or option_groups']);
    expect(optionViolations({ options: [option('x'.repeat(76))] })).toEqual([expect.stringMatching(/\[json-pointer:\/options\/0\/text\/text\]$/)]);
    expect(optionViolations({ options: [option('a')], option_groups: [] }).length).toBeGreaterThan(0);
  });
});

/** A port nothing listens on (or `wanted`, when it is free). */
function freePort(wanted = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
