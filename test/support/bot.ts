/** Starts the real bot (fastify + Bolt) on 127.0.0.1 against a fake Slack and fixture data. */
import type { BotConfig } from '../../src/config';
import { resolveMetaflowSettings } from '../../src/metaflow/config';
import { startBot, type RunningBot, type StartOptions } from '../../src/main';
import type { NotifierOverrides } from '../../src/notify';
import type { StateStoreOptions } from '../../src/state/open';
import { LOCAL_ROOT } from './fixtures';

export const TEST_SIGNING_SECRET = 'abcdef0123456789abcdef0123456789';
export const TEST_BOT_TOKEN = 'xoxb-test';
export const TEST_APP_TOKEN = 'xapp-test';

export interface TestBotOptions {
  slackApiUrl: string;
  /** Socket Mode instead of HTTP. */
  socketMode?: boolean;
  /** A folder holding `.metaflow`, or the `.metaflow` folder itself. */
  metaflowRoot?: string;
  env?: NodeJS.ProcessEnv;
  lostAfterMs?: number;
  users?: BotConfig['users'];
  pollIntervalMs?: number;
  access?: BotConfig['access'];
  /** Run notification timings (lease, request timeout, leader ttl …). */
  notifier?: NotifierOverrides;
  /** Default: a private in-memory store. */
  state?: StateStoreOptions;
  /** Leases on modal answers under way; default ANSWER_DEFAULTS. */
  answers?: StartOptions['answers'];
}

export interface TestBot extends RunningBot {
  baseUrl: string;
}

export async function startTestBot(opts: TestBotOptions): Promise<TestBot> {
  const env = { METAFLOW_HOME: '/nonexistent-metaflow-home', ...(opts.env ?? {}) };
  const config: BotConfig = {
    slack: {
      botToken: TEST_BOT_TOKEN,
      signingSecret: TEST_SIGNING_SECRET,
      appToken: opts.socketMode ? TEST_APP_TOKEN : null,
      apiUrl: opts.slackApiUrl,
    },
    metaflow: resolveMetaflowSettings({ env, cwd: '/', localRootOverride: opts.metaflowRoot ?? LOCAL_ROOT }),
    port: 0,
    host: '127.0.0.1',
    lostAfterMs: opts.lostAfterMs ?? 6 * 60 * 1000,
    logLevel: 'error',
    users: opts.users ?? { rule: 'email', map: {} },
    state: { redisUrl: null, path: ':memory:' },
    pollIntervalMs: opts.pollIntervalMs ?? 1000,
    access: opts.access ?? { default: 'allow', rules: [] },
    configFile: null,
  };
  const bot = await startBot(config, undefined, { notifier: opts.notifier, state: opts.state, answers: opts.answers });
  return { ...bot, baseUrl: `http://127.0.0.1:${bot.port}` };
}
