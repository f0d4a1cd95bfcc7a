/** The read-only Web API methods: who the bot is, users, channels, and the Socket Mode URL. */
import type { Workspace } from './directory';
import type { Params } from './http';
import { fail, ok, type Method } from './results';

export function infoMethods(workspace: Workspace, socketModeUrl?: () => string): Record<string, Method> {
  const { team, bot } = workspace;
  return {
    'auth.test': () =>
      ok({
        url: `https://${team.domain}.slack.com/`,
        team: team.name,
        user: bot.name,
        team_id: team.id,
        user_id: bot.userId,
        bot_id: bot.botId,
        is_enterprise_install: false,
      }),
    'users.info': (p: Params) => {
      const user = workspace.user(p.user);
      if (!user) return fail('user_not_found');
      const realName = user.realName ?? user.name;
      return ok({
        user: {
          id: user.id,
          team_id: team.id,
          name: user.name,
          real_name: realName,
          deleted: false,
          is_bot: user.isBot ?? false,
          tz: user.tz ?? 'UTC',
          profile: { real_name: realName, display_name: user.name, ...(user.email ? { email: user.email } : {}) },
        },
      });
    },
    'conversations.info': (p: Params) => {
      const channel = workspace.channel(p.channel);
      if (!channel) return fail('channel_not_found');
      return ok({
        channel: {
          id: channel.id,
          name: channel.name,
          is_channel: !channel.isIm && !channel.isPrivate,
          is_group: !channel.isIm && channel.isPrivate,
          is_im: channel.isIm,
          is_private: channel.isPrivate,
          is_member: channel.isMember,
          is_archived: false,
          ...(channel.user ? { user: channel.user } : {}),
        },
      });
    },
    'users.conversations': (p: Params) => {
      if (!workspace.user(p.user)) return fail('user_not_found');
      const types = String(p.types ?? 'public_channel').split(',');
      const wanted = workspace.channelsOf(String(p.user)).filter((c) => types.includes(c.isPrivate ? 'private_channel' : 'public_channel'));
      const limit = Math.min(Math.max(Number(p.limit ?? 100) || 100, 1), 1000);
      const start = p.cursor ? Number(Buffer.from(String(p.cursor), 'base64').toString('utf8')) : 0;
      if (!Number.isInteger(start) || start < 0) return fail('invalid_cursor');
      const next = start + limit < wanted.length ? Buffer.from(String(start + limit)).toString('base64') : '';
      return ok({
        channels: wanted.slice(start, start + limit).map((c) => ({ id: c.id, name: c.name, is_channel: !c.isPrivate, is_group: c.isPrivate, is_private: c.isPrivate })),
        response_metadata: { next_cursor: next },
      });
    },
    // With no Socket Mode fake attached the app behaves as if Socket Mode were off.
    'apps.connections.open': () => (socketModeUrl ? ok({ url: socketModeUrl() }) : fail('not_allowed')),
  };
}
