/**
 * `metaflowbot check`: one ✓/✗ line per thing the bot needs — each configuration problem,
 * Slack (`auth.test`), Metaflow (a flow listed) — and exit code 0 only when all pass. A bad
 * setting does not hide the others, nor the checks its part of the configuration leaves possible.
 */
import { webApi } from '@slack/bolt';
import { ConfigError, loadBotSettings, type BotConfig } from '../config';
import { slackError } from '../slack/api-error';
import { createBackend } from '../metaflow/backend';
import { resolveWithin } from '../metaflow/concurrency';
import { describeSettings, MetaflowConfigError, resolveMetaflowSettings, type MetaflowSettings } from '../metaflow/config';

export interface CheckLine {
  ok: boolean;
  text: string;
}

export interface CheckOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  configFile?: string | null;
  timeoutMs?: number;
}

type BotSettings = Omit<BotConfig, 'metaflow'>;

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  const answer = await resolveWithin(p, ms);
  if (answer === null) throw new Error(`${what} did not answer within ${ms / 1000} s`);
  return answer;
}

function reason(err: unknown): string {
  return slackError(err) ?? (err instanceof Error ? err.message : String(err));
}

/** The bot's settings, or a ✗ line per problem; anything but a configuration problem is a bug and propagates. */
function botSettings(opts: CheckOptions): { settings: BotSettings } | { problems: CheckLine[] } {
  try {
    return { settings: loadBotSettings({ env: opts.env, cwd: opts.cwd, configFile: opts.configFile }) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { problems: err.issues.map((issue) => ({ ok: false, text: `configuration: ${issue}` })) };
  }
}

function metaflowSettings(opts: CheckOptions): { settings: MetaflowSettings } | { problem: CheckLine } {
  try {
    return { settings: resolveMetaflowSettings({ env: opts.env, cwd: opts.cwd }) };
  } catch (err) {
    if (!(err instanceof MetaflowConfigError)) throw err;
    return { problem: { ok: false, text: `Metaflow: ${err.message}` } };
  }
}

async function checkSlack(bot: BotSettings, timeoutMs: number): Promise<CheckLine> {
  const slack = new webApi.WebClient(bot.slack.botToken, {
    ...(bot.slack.apiUrl ? { slackApiUrl: bot.slack.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  try {
    const auth = await within(timeoutMs, 'Slack', slack.auth.test());
    return { ok: true, text: `Slack: signed in as ${auth.user ?? auth.user_id} in ${auth.team ?? auth.team_id}` };
  } catch (err) {
    return { ok: false, text: `Slack: auth.test failed (${reason(err)}); check SLACK_BOT_TOKEN${bot.slack.apiUrl ? ' and SLACK_API_URL' : ''}` };
  }
}

async function checkMetaflow(settings: MetaflowSettings, timeoutMs: number): Promise<CheckLine> {
  let backend: ReturnType<typeof createBackend> | null = null;
  try {
    backend = createBackend(settings);
    const flows = await within(timeoutMs, 'Metaflow', backend.client.listFlows());
    const sample = flows.length > 0 ? `, e.g. ${flows[0].name}` : '';
    return { ok: flows.length > 0, text: `Metaflow: ${flows.length} flow${flows.length === 1 ? '' : 's'} at ${backend.describe()}${sample}${flows.length === 0 ? ' — is this the right place?' : ''}` };
  } catch (err) {
    return { ok: false, text: `Metaflow: ${reason(err)} (${describeSettings(settings).split('\n').join('; ')})` };
  } finally {
    await backend?.close();
  }
}

export async function runChecks(opts: CheckOptions): Promise<CheckLine[]> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const bot = botSettings(opts);
  const metaflow = metaflowSettings(opts);
  const configured: CheckLine[] =
    'settings' in bot
      ? [{ ok: true, text: `configuration: ${bot.settings.slack.appToken ? 'Socket Mode' : `HTTP on port ${bot.settings.port}`}${bot.settings.configFile ? ` (file ${bot.settings.configFile})` : ''}` }]
      : bot.problems;
  const checked = await Promise.all([
    'settings' in bot ? checkSlack(bot.settings, timeoutMs) : { ok: false, text: 'Slack: not checked until the configuration above is fixed' },
    'settings' in metaflow ? checkMetaflow(metaflow.settings, timeoutMs) : metaflow.problem,
  ]);
  return [...configured, ...checked];
}

export function formatChecks(lines: CheckLine[]): string {
  return lines.map((l) => `${l.ok ? '✓' : '✗'} ${l.text}`).join('\n');
}
