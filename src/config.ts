/**
 * The bot's own settings, from the environment, validated once at start. Metaflow's settings
 * (`METAFLOW_*`, `~/.metaflowconfig`) are read by `metaflow/config.ts`, so nothing is
 * configured twice. Every error names the setting, the bad value (secrets masked) and the fix.
 */
import { z } from 'zod';
import { resolveMetaflowSettings, type MetaflowSettings } from './metaflow/config';

export class ConfigError extends Error {}

export interface SlackSettings {
  botToken: string;
  /** Required for HTTP mode; Socket Mode has no request signing. */
  signingSecret: string | null;
  /** Socket Mode when set. */
  appToken: string | null;
  /** Web API base URL, for GovSlack, proxies and tests. */
  apiUrl: string | null;
}

export interface BotConfig {
  slack: SlackSettings;
  metaflow: MetaflowSettings;
  port: number;
  host: string;
  lostAfterMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const SECRET = new Set(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN']);

const schema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'a bot token starts with "xoxb-" (OAuth & Permissions → Bot User OAuth Token)'),
  SLACK_SIGNING_SECRET: z.string().regex(/^[0-9a-f]{16,}$/i, 'the Signing Secret is hexadecimal (Basic Information → App Credentials)').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'an app-level token starts with "xapp-" (Basic Information → App-Level Tokens, scope connections:write)').optional(),
  SLACK_API_URL: z.url({ message: 'must be an http(s) URL such as https://slack.com/api/' }).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  METAFLOWBOT_LOST_AFTER_SECONDS: z.coerce.number().int().min(30, 'must be at least 30 seconds').default(360),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

function mask(name: string, value: unknown): string {
  if (value === undefined) return 'not set';
  return SECRET.has(name) ? '"***"' : JSON.stringify(value);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): BotConfig {
  const present = Object.fromEntries(Object.keys(schema.shape).filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name} (${mask(name, present[name])}): ${issue.code === 'invalid_type' ? 'is required' : issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (!e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SLACK_SIGNING_SECRET (not set): HTTP mode needs it; or set SLACK_APP_TOKEN to use Socket Mode.');
  }
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET ?? null,
      appToken: e.SLACK_APP_TOKEN ?? null,
      apiUrl: e.SLACK_API_URL ?? null,
    },
    metaflow: resolveMetaflowSettings({ env, cwd }),
    port: e.PORT,
    host: e.HOST,
    lostAfterMs: e.METAFLOWBOT_LOST_AFTER_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
  };
}
