/** Redis key names under a prefix; the Lua scripts (scripts.ts) derive the same names. */
import type { NotificationKey } from '../store';

export interface RedisKeys {
  schema: string;
  current: string;
  subscriptions: string;
  watch: string;
  leader: string;
  openNotifications: string;
  counts: string;
  runMessages: string;
  notification(id: string): string;
  answerLeases: string;
  answer(viewId: string): string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    schema: `${prefix}:schema`,
    current: `${prefix}:current`,
    subscriptions: `${prefix}:subscriptions`,
    watch: `${prefix}:watch`,
    leader: `${prefix}:leader`,
    openNotifications: `${prefix}:outbox:open`,
    counts: `${prefix}:outbox:counts`,
    runMessages: `${prefix}:outbox:runmsg`,
    notification: (id) => `${prefix}:n:${id}`,
    answerLeases: `${prefix}:answers:leases`,
    answer: (viewId) => `${prefix}:answer:${viewId}`,
  };
}

/** JSON, so no channel, run or transition can make two keys collide. */
export function notificationId(key: NotificationKey): string {
  return JSON.stringify([key.channel, key.run, key.transition]);
}

export function runId(channel: string, run: string): string {
  return JSON.stringify([channel, run]);
}
