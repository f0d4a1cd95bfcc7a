/**
 * `metaflowbot check`: one ✓/✗ line per thing the bot needs — its configuration, Slack
 * (`auth.test`), Metaflow (a flow listed) — and exit code 0 only when all pass.
 */
import { webApi } from '@slack/bolt';
import { loadConfig, type BotConfig } from '../config';
import { createBackend } from '../metaflow/backend';
import { resolveWithin } from '../metaflow/concurrency';
import { describeSettings } from '../metaflow/config';

export interface CheckLine {
  ok: boolean;
  text: string;
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  const answer = await resolveWithin(p, ms);
  if (answer === null) throw new Error(`${what} did not answer within ${ms / 1000} s`);
  return answer;
}

function reason(err: unknown): string {
  if (err && typeof err === 'object' && 'data' in err) {
    const data = (err as { data?: { error?: string } }).data;
    if (data?.error) return data.error;
  }
  return err instanceof Error ? err.message : String(err);
}

export async function runChecks(opts: { env: NodeJS.ProcessEnv; cwd: string; configFile?: string | null; timeoutMs?: number }): Promise<CheckLine[]> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let config: BotConfig;
  try {
    config = loadConfig({ env: opts.env, cwd: opts.cwd, configFile: opts.configFile });
  } catch (err) {
    return [{ ok: false, text: `configuration: ${err instanceof Error ? err.message : String(err)}` }];
  }
  const lines: CheckLine[] = [
    { ok: true, text: `configuration: ${config.slack.appToken ? 'Socket Mode' : `HTTP on port ${config.port}`}${config.configFile ? ` (file ${config.configFile})` : ''}` },
  ];

  const slack = new webApi.WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  try {
    const auth = await within(timeoutMs, 'Slack', slack.auth.test());
    lines.push({ ok: true, text: `Slack: signed in as ${auth.user ?? auth.user_id} in ${auth.team ?? auth.team_id}` });
  } catch (err) {
    lines.push({ ok: false, text: `Slack: auth.test failed (${reason(err)}); check SLACK_BOT_TOKEN${config.slack.apiUrl ? ' and SLACK_API_URL' : ''}` });
  }

  let backend: ReturnType<typeof createBackend> | null = null;
  try {
    backend = createBackend(config.metaflow, { lostAfterMs: config.lostAfterMs });
    const flows = await within(timeoutMs, 'Metaflow', backend.client.listFlows());
    const sample = flows.length > 0 ? `, e.g. ${flows[0].name}` : '';
    lines.push({ ok: flows.length > 0, text: `Metaflow: ${flows.length} flow${flows.length === 1 ? '' : 's'} at ${backend.describe()}${sample}${flows.length === 0 ? ' — is this the right place?' : ''}` });
  } catch (err) {
    lines.push({ ok: false, text: `Metaflow: ${reason(err)} (${describeSettings(config.metaflow).split('\n').join('; ')})` });
  } finally {
    await backend?.close();
  }
  return lines;
}

export function formatChecks(lines: CheckLine[]): string {
  return lines.map((l) => `${l.ok ? '✓' : '✗'} ${l.text}`).join('\n');
}
