/**
 * The bot's own settings: environment variables over an optional YAML file
 * (`--config FILE` or `METAFLOWBOT_CONFIG`), validated once at start. Metaflow's settings
 * (`METAFLOW_*`, `~/.metaflowconfig`) are read by `metaflow/config.ts`, so nothing is
 * configured twice. Every error names the setting, the bad value (secrets masked) and the
 * fix. docs/configuration.md lists every setting.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { accessSchema, type AccessConfig } from './access/policy';
import { resolveMetaflowSettings, type MetaflowSettings } from './metaflow/config';

export class ConfigError extends Error {
  /** One line per problem, each naming the setting, its value (secrets masked) and the fix. */
  readonly issues: readonly string[];

  constructor(message: string, issues: readonly string[] = [message]) {
    super(message);
    this.issues = issues;
  }
}

export interface SlackSettings {
  botToken: string;
  /** Required for HTTP mode; Socket Mode has no request signing. */
  signingSecret: string | null;
  /** Socket Mode when set. */
  appToken: string | null;
  /** Web API base URL, for GovSlack, proxies and tests. */
  apiUrl: string | null;
}

export type UserRule = 'email' | 'handle' | 'map';

export interface BotConfig {
  slack: SlackSettings;
  metaflow: MetaflowSettings;
  port: number;
  host: string;
  lostAfterMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How a Slack user is matched to a Metaflow user ("my runs"). */
  users: { rule: UserRule; map: Record<string, string> };
  state: { redisUrl: string | null; path: string };
  /** How often the watcher polls subscribed flows. */
  pollIntervalMs: number;
  /** This process among the replicas, stable across its restarts; unset: `<host>:<port>`. */
  replicaId?: string;
  /** Who may see what (YAML `access:` only; open when absent). */
  access: AccessConfig;
  /** The file the settings came from, when there was one. */
  configFile: string | null;
}

/** One setting: its environment variable, its place in the YAML file, and whether it is secret. */
interface Setting {
  env: string;
  yaml: string;
  secret?: boolean;
}

export const SETTINGS = {
  botToken: { env: 'SLACK_BOT_TOKEN', yaml: 'slack.botToken', secret: true },
  signingSecret: { env: 'SLACK_SIGNING_SECRET', yaml: 'slack.signingSecret', secret: true },
  appToken: { env: 'SLACK_APP_TOKEN', yaml: 'slack.appToken', secret: true },
  apiUrl: { env: 'SLACK_API_URL', yaml: 'slack.apiUrl' },
  port: { env: 'PORT', yaml: 'server.port' },
  host: { env: 'HOST', yaml: 'server.host' },
  lostAfterSeconds: { env: 'METAFLOWBOT_LOST_AFTER_SECONDS', yaml: 'metaflow.lostAfterSeconds' },
  logLevel: { env: 'LOG_LEVEL', yaml: 'log.level' },
  userRule: { env: 'METAFLOWBOT_USER_RULE', yaml: 'users.rule' },
  userMap: { env: 'METAFLOWBOT_USER_MAP', yaml: 'users.map' },
  redisUrl: { env: 'REDIS_URL', yaml: 'state.redisUrl', secret: true },
  statePath: { env: 'METAFLOWBOT_STATE_PATH', yaml: 'state.path' },
  pollSeconds: { env: 'METAFLOWBOT_POLL_SECONDS', yaml: 'notifications.pollSeconds' },
  replicaId: { env: 'METAFLOWBOT_REPLICA_ID', yaml: 'notifications.replicaId' },
} satisfies Record<string, Setting>;

type Key = keyof typeof SETTINGS;

const jsonObject = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}, z.record(z.string(), z.string(), { error: 'must be a JSON object mapping Slack user ids to Metaflow users, e.g. {"U012AB3CD": "alice"}' }));

const schema = z.object({
  botToken: z.string({ error: 'is required: the Bot User OAuth Token (xoxb-…) of your Slack app, under OAuth & Permissions once the app is installed (create it from manifest.yml)' }).regex(/^xoxb-/, 'a bot token starts with "xoxb-" (Slack app → OAuth & Permissions → Bot User OAuth Token)'),
  signingSecret: z.string().regex(/^[0-9a-f]{16,}$/i, 'the Signing Secret is hexadecimal (Slack app → Basic Information → App Credentials)').optional(),
  appToken: z.string().regex(/^xapp-/, 'an app-level token starts with "xapp-" (Slack app → Basic Information → App-Level Tokens, scope connections:write)').optional(),
  apiUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://slack.com/api/' }).optional(),
  port: z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535, 'must be at most 65535').default(3000),
  host: z.string().min(1).default('0.0.0.0'),
  lostAfterSeconds: z.coerce.number({ error: 'must be a number of seconds' }).int().min(30, 'must be at least 30 seconds').default(360),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  userRule: z.enum(['email', 'handle', 'map'], { error: 'must be email, handle or map' }).default('email'),
  userMap: jsonObject.default({}),
  redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  statePath: z.string().min(1).default('./.metaflowbot/state.db'),
  pollSeconds: z.coerce.number({ error: 'must be a number of seconds' }).min(1, 'must be at least 1 second').default(30),
  replicaId: z.string().regex(/^\S{1,200}$/, 'must be 1 to 200 characters without spaces, e.g. the pod name').optional(),
});

function mask(key: Key, value: unknown): string {
  if (value === undefined) return 'not set';
  if ((SETTINGS[key] as Setting).secret) return '"***"';
  return JSON.stringify(value);
}

function readYaml(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the configuration file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check --config / METAFLOWBOT_CONFIG.`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new ConfigError(`The configuration file ${path} is not valid YAML${line ? ` (line ${line})` : ''}.`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`The configuration file ${path} must hold a YAML mapping (slack:, server:, …).`);
  return doc as Record<string, unknown>;
}

function atPath(doc: Record<string, unknown>, dotted: string): unknown {
  let node: unknown = doc;
  for (const part of dotted.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * A setting's raw value: the variable, else `<VARIABLE>_FILE` (a file holding it, as container
 * secrets are mounted), else the YAML file.
 */
function rawValue(key: Key, env: NodeJS.ProcessEnv, doc: Record<string, unknown>): { value: unknown; from: string } | null {
  const { env: name, yaml } = SETTINGS[key];
  const direct = env[name];
  if (direct !== undefined && direct !== '') return { value: direct, from: name };
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      return { value: readFileSync(file, 'utf8').trim(), from: `${name}_FILE` };
    } catch (err) {
      throw new ConfigError(`${name}_FILE (${JSON.stringify(file)}): cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}); point it at a readable file holding the value.`);
    }
  }
  const fromFile = atPath(doc, yaml);
  return fromFile === undefined || fromFile === null ? null : { value: fromFile, from: yaml };
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** `--config FILE`; else METAFLOWBOT_CONFIG. */
  configFile?: string | null;
}

/** Where Slack credentials are configured (variable, `_FILE` or YAML), by where they came from;
 *  empty when none is. Without any, `start` runs the local playground instead. */
export function slackCredentialsSet(opts: LoadOptions = {}): string[] {
  const env = opts.env ?? process.env;
  const configFile = opts.configFile ?? env.METAFLOWBOT_CONFIG ?? null;
  const doc = configFile ? readYaml(configFile) : {};
  return (['botToken', 'appToken', 'signingSecret'] as const).flatMap((key) => rawValue(key, env, doc)?.from ?? []);
}

/** An error line: where the setting was looked for or found, its value (secrets masked), the problem. */
function issueLine(key: Key, origin: string | undefined, value: unknown, problem: string): string {
  const where = origin ?? `${SETTINGS[key].env} (or ${SETTINGS[key].yaml} in the YAML file)`;
  return `${where} (${mask(key, value)}): ${problem}`;
}

function invalid(issues: string[]): ConfigError {
  return new ConfigError(`Invalid configuration:\n  ${issues.join('\n  ')}`, issues);
}

/** The bot's own settings, every problem reported at once; Metaflow's are `loadConfig`'s. */
export function loadBotSettings(opts: LoadOptions = {}): Omit<BotConfig, 'metaflow'> {
  const env = opts.env ?? process.env;
  const configFile = opts.configFile ?? env.METAFLOWBOT_CONFIG ?? null;
  const doc = configFile ? readYaml(configFile) : {};
  const raw: Partial<Record<Key, unknown>> = {};
  const origin: Partial<Record<Key, string>> = {};
  for (const key of Object.keys(SETTINGS) as Key[]) {
    const found = rawValue(key, env, doc);
    if (found) {
      raw[key] = found.value;
      origin[key] = found.from;
    }
  }
  const parsed = schema.safeParse(raw);
  const issues = (parsed.error?.issues ?? []).map((issue) => {
    const key = issue.path[0] as Key;
    return issueLine(key, origin[key], raw[key], issue.message);
  });
  // Settings that depend on each other, judged on the raw values so they show beside the errors above.
  if (raw.appToken === undefined && raw.signingSecret === undefined) {
    issues.push(
      'SLACK_SIGNING_SECRET (not set): HTTP mode needs it; or set SLACK_APP_TOKEN to use Socket Mode ' +
        '(your Slack app, Basic Information: App Credentials → Signing Secret, or App-Level Tokens → a token with connections:write).',
    );
  }
  const rule = schema.shape.userRule.safeParse(raw.userRule);
  const map = schema.shape.userMap.safeParse(raw.userMap);
  if (rule.data === 'map' && map.success && Object.keys(map.data).length === 0) {
    issues.push('METAFLOWBOT_USER_MAP (not set): METAFLOWBOT_USER_RULE=map needs a map of Slack user ids to Metaflow users.');
  }
  const access = accessSchema.safeParse(doc.access ?? {});
  if (!access.success) issues.push(...access.error.issues.map((issue) => `access.${issue.path.join('.')} (in ${configFile}): ${issue.message}`));
  if (!parsed.success || !access.success || issues.length > 0) throw invalid(issues);
  const c = parsed.data;
  return {
    access: access.data,
    slack: { botToken: c.botToken, signingSecret: c.signingSecret ?? null, appToken: c.appToken ?? null, apiUrl: c.apiUrl ?? null },
    port: c.port,
    host: c.host,
    lostAfterMs: c.lostAfterSeconds * 1000,
    logLevel: c.logLevel,
    users: { rule: c.userRule, map: c.userMap },
    state: { redisUrl: c.redisUrl ?? null, path: c.statePath },
    pollIntervalMs: c.pollSeconds * 1000,
    ...(c.replicaId ? { replicaId: c.replicaId } : {}),
    configFile,
  };
}

export function loadConfig(opts: LoadOptions = {}): BotConfig {
  const env = opts.env ?? process.env;
  return { ...loadBotSettings(opts), metaflow: resolveMetaflowSettings({ env, cwd: opts.cwd ?? process.cwd() }) };
}

/** The lost cutoff alone, read as the bot reads it, for what reads Metaflow without Slack (`metaflowbot show`). */
export function loadLostAfterMs(opts: LoadOptions = {}): number {
  const env = opts.env ?? process.env;
  const configFile = opts.configFile ?? env.METAFLOWBOT_CONFIG ?? null;
  const found = rawValue('lostAfterSeconds', env, configFile ? readYaml(configFile) : {});
  const parsed = schema.shape.lostAfterSeconds.safeParse(found?.value);
  if (!parsed.success) throw invalid(parsed.error.issues.map((issue) => issueLine('lostAfterSeconds', found?.from, found?.value, issue.message)));
  return parsed.data * 1000;
}
