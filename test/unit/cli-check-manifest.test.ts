import { parse } from 'yaml';
import { formatChecks, runChecks } from '../../src/cli/check';
import { main } from '../../src/cli/main';
import { manifestText } from '../../src/cli/manifest';
import { ConfigError } from '../../src/config';
import { FIXTURES } from '../support/fixtures';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { join } from 'node:path';

describe('metaflowbot check', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(() => slack.close());

  const good = (): NodeJS.ProcessEnv => ({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_APP_TOKEN: 'xapp-test',
    SLACK_API_URL: slack.url,
    METAFLOW_HOME: '/nonexistent',
    METAFLOW_DATASTORE_SYSROOT_LOCAL: join(FIXTURES, 'metaflow-local'),
  });

  it('passes with a ✓ per check on a good configuration', async () => {
    const lines = await runChecks({ env: good(), cwd: '/' });
    expect(lines.every((l) => l.ok)).toBe(true);
    const text = formatChecks(lines);
    expect(text).toMatch(/^✓ configuration: Socket Mode/m);
    expect(text).toMatch(/^✓ Slack: signed in as/m);
    expect(text).toMatch(/^✓ Metaflow: 10 flows at metadata: local/m);
  });

  it('lists every missing setting of an empty environment, with the fix, and still checks Metaflow', async () => {
    const env = { METAFLOW_HOME: '/nonexistent', METAFLOW_DATASTORE_SYSROOT_LOCAL: join(FIXTURES, 'metaflow-local') };
    const text = formatChecks(await runChecks({ env, cwd: '/' }));
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('✗ configuration: '))).toEqual([
      expect.stringMatching(/^✗ configuration: SLACK_BOT_TOKEN .*\(not set\): is required: the Bot User OAuth Token \(xoxb-…\) .*OAuth & Permissions/),
      expect.stringMatching(/^✗ configuration: SLACK_SIGNING_SECRET \(not set\): HTTP mode needs it; or set SLACK_APP_TOKEN .*Signing Secret.*App-Level Tokens/),
    ]);
    expect(text).toMatch(/^✗ Slack: not checked until the configuration above is fixed$/m);
    expect(text).toMatch(/^✓ Metaflow: 10 flows at metadata: local/m);
  });

  it('reports each bad setting on its own line, a secret masked, beside a working Metaflow check', async () => {
    const env = { ...good(), SLACK_BOT_TOKEN: 'xoxp-user-token-secret', PORT: 'eighty', LOG_LEVEL: 'loud', METAFLOWBOT_USER_RULE: 'map' };
    const lines = await runChecks({ env, cwd: '/' });
    const text = formatChecks(lines);
    expect(lines.filter((l) => l.text.startsWith('configuration: ')).map((l) => l.ok)).toEqual([false, false, false, false]);
    expect(text).toMatch(/^✗ configuration: SLACK_BOT_TOKEN \("\*\*\*"\): a bot token starts with "xoxb-"/m);
    expect(text).toMatch(/^✗ configuration: PORT \("eighty"\): must be a port number$/m);
    expect(text).toMatch(/^✗ configuration: LOG_LEVEL \("loud"\): must be one of fatal, /m);
    expect(text).toMatch(/^✗ configuration: METAFLOWBOT_USER_MAP \(not set\): METAFLOWBOT_USER_RULE=map needs a map/m);
    expect(text).toMatch(/^✓ Metaflow: 10 flows/m);
    expect(text).not.toContain('xoxp-user-token-secret');
  });

  it('checks Slack when only the Metaflow settings are wrong', async () => {
    const lines = await runChecks({ env: { ...good(), METAFLOW_DEFAULT_DATASTORE: 's3' }, cwd: '/' });
    const text = formatChecks(lines);
    expect(text).toMatch(/^✓ configuration: Socket Mode/m);
    expect(text).toMatch(/^✓ Slack: signed in as/m);
    expect(text).toMatch(/^✗ Metaflow: METAFLOW_DATASTORE_SYSROOT_S3 is required when METAFLOW_DEFAULT_DATASTORE is s3/m);
  });

  it('exits 0 when every check passes and 1 when one fails, through the command line', async () => {
    const passed = await runMain(['check'], good());
    expect(passed.code).toBe(0);
    expect(passed.out).toMatch(/^✓ configuration: Socket Mode\n✓ Slack: .*\n✓ Metaflow: .*$/);
    const failed = await runMain(['check'], { ...good(), SLACK_BOT_TOKEN: 'xoxb-wrong' });
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/^✗ Slack: auth.test failed \(invalid_auth\)/m);
    expect(failed.err).toBe('');
  });

  it('fails the Slack line for a token Slack refuses, and the Metaflow line for an empty folder', async () => {
    const lines = await runChecks({ env: { ...good(), SLACK_BOT_TOKEN: 'xoxb-wrong', METAFLOW_DATASTORE_SYSROOT_LOCAL: '/nonexistent-root' }, cwd: '/' });
    const text = formatChecks(lines);
    expect(text).toMatch(/^✗ Slack: auth.test failed \(invalid_auth\); check SLACK_BOT_TOKEN and SLACK_API_URL/m);
    expect(text).toMatch(/^✗ Metaflow: 0 flows at/m);
    expect(text).not.toContain('xoxb-wrong');
  });

  it('fails the Metaflow line when the metadata service is unreachable', async () => {
    const env = { ...good(), METAFLOW_DEFAULT_METADATA: 'service', METAFLOW_SERVICE_URL: 'http://127.0.0.1:9/api', METAFLOW_SERVICE_AUTH_KEY: 'sekret-key' };
    const lines = await runChecks({ env, cwd: '/', timeoutMs: 15_000 });
    const text = formatChecks(lines);
    expect(text).toMatch(/^✗ Metaflow: .*not reachable/m);
    expect(text).not.toContain('sekret-key');
  });
});

describe('metaflowbot manifest', () => {
  it('is a Socket Mode manifest by default with the events and scopes the features need', () => {
    const m = parse(manifestText()) as Record<string, any>;
    expect(m.settings.socket_mode_enabled).toBe(true);
    expect(m.features.slash_commands[0]).toMatchObject({ command: '/metaflow' });
    expect(m.features.slash_commands[0].usage_hint.length).toBeLessThanOrEqual(1000);
    expect(m.display_information.name.length).toBeLessThanOrEqual(35);
    expect(m.display_information.description.length).toBeLessThanOrEqual(140);
    expect(m.features.app_home.home_tab_enabled).toBe(true);
    expect(m.settings.interactivity.is_enabled).toBe(true);
    expect([...m.settings.event_subscriptions.bot_events].sort()).toEqual(['app_home_opened', 'app_mention', 'link_shared', 'message.im']);
    expect([...m.oauth_config.scopes.bot].sort()).toEqual(['app_mentions:read', 'channels:history', 'channels:read', 'chat:write', 'commands', 'files:write', 'groups:history', 'groups:read', 'im:history', 'links:read', 'links:write', 'users:read', 'users:read.email']);
  });

  it('fills in the request URLs for HTTP mode', () => {
    const m = parse(manifestText({ http: 'https://bot.example.com', unfurlDomain: 'mf.example.com' })) as Record<string, any>;
    const url = 'https://bot.example.com/slack/events';
    expect(m.settings.socket_mode_enabled).toBe(false);
    expect(m.features.slash_commands[0].url).toBe(url);
    expect(m.settings.event_subscriptions.request_url).toBe(url);
    expect(m.settings.interactivity).toMatchObject({ request_url: url, message_menu_options_url: url });
    expect(m.features.unfurl_domains).toEqual(['mf.example.com']);
  });

  it('refuses a plain-http URL, which Slack would not call, and what is no URL', () => {
    expect(() => manifestText({ http: 'http://bot.example.com' })).toThrow(new ConfigError('--http needs an https:// URL (Slack only calls HTTPS request URLs); got "http://bot.example.com"'));
    expect(() => manifestText({ http: 'notaurl' })).toThrow(ConfigError);
  });

  it.each(['http://x', 'notaurl'])('answers `manifest --http %s` with one usage line and exit code 1', async (url) => {
    const { code, out, err } = await runMain(['manifest', '--http', url], {});
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(new RegExp(`^error: option '--http <url>' argument '${url}' is invalid\\. --http needs .*https://[^\\n]*$`));
  });
});

/** The command line in this process, its output captured. */
async function runMain(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'metaflowbot', ...args], { out: (t) => out.push(t), err: (t) => err.push(t), env, cwd: '/' });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
