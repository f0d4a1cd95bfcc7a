/**
 * A user's Slack user groups, for access rules that name groups: one `usergroups.list`
 * (with members) serves every user for a few minutes. Needs the `usergroups:read` scope,
 * which the manifest leaves out unless rules use groups (docs/deploy.md).
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from '../observability/logger';

const TTL_MS = 5 * 60 * 1000;

export function slackGroupResolver(client: webApi.WebClient, logger: Logger): (user: string) => Promise<readonly string[]> {
  let cached: { at: number; byUser: Map<string, string[]> } | null = null;
  let loading: Promise<Map<string, string[]>> | null = null;
  const load = async (): Promise<Map<string, string[]>> => {
    const byUser = new Map<string, string[]>();
    try {
      const res = await client.usergroups.list({ include_users: true });
      for (const group of res.usergroups ?? []) {
        for (const user of group.users ?? []) byUser.set(user, [...(byUser.get(user) ?? []), group.id ?? '']);
      }
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cannot read Slack user groups (usergroups:read scope?): group rules will not match');
    }
    cached = { at: Date.now(), byUser };
    return byUser;
  };
  return async (user) => {
    if (!cached || Date.now() - cached.at > TTL_MS) {
      loading ??= load().finally(() => {
        loading = null;
      });
      await loading;
    }
    return cached?.byUser.get(user) ?? [];
  };
}
