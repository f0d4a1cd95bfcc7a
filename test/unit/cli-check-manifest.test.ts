import { parse } from 'yaml';
import { formatChecks, runChecks } from '../../src/cli/check';
import { manifestText } from '../../src/cli/manifest';
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

  it('fails with a clear line for a missing setting', async () => {
    const env = good();
    delete env.SLACK_BOT_TOKEN;
    const lines = await runChecks({ env, cwd: '/' });
    expect(lines).toHaveLength(1);
    expect(formatChecks(lines)).toMatch(/^✗ configuration: .*SLACK_BOT_TOKEN .*is required/s);
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
    expect([...m.oauth_config.scopes.bot].sort()).toEqual(['app_mentions:read', 'chat:write', 'commands', 'files:write', 'im:history', 'links:read', 'links:write', 'users:read', 'users:read.email']);
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

  it('refuses a plain-http URL, which Slack would not call', () => {
    expect(() => manifestText({ http: 'http://bot.example.com' })).toThrow('--http needs an https:// URL');
  });
});
