/**
 * Every action_id and block_id the bot puts in a message, and what its button values carry.
 * Listeners register on these names and views build with them, so nothing is spelled twice.
 */
import { z } from 'zod';
import { BUTTON_VALUE_MAX } from '../../views/limits';

export const ACTION = {
  /** Re-posts an ephemeral answer for the whole channel. */
  shareInChannel: 'share_in_channel',
  /** One of several runs a query matched: runs a command on it. */
  pickRun: 'pick_run',
  runsMore: 'runs_more',
  flowsMore: 'flows_more',
  /** Link buttons still send an action, which must be acknowledged. */
  openInUi: 'open_in_ui',
} as const;

/** Help topic buttons share one actions block, where action ids must differ. */
const HELP_TOPIC_PREFIX = 'help_topic:';
export const HELP_TOPIC_ACTION = /^help_topic:/;

export function helpTopicActionId(topic: string): string {
  return HELP_TOPIC_PREFIX + topic;
}

export function helpTopicOf(actionId: string): string {
  return actionId.slice(HELP_TOPIC_PREFIX.length);
}

export const BLOCK = {
  share: 'reply_share',
} as const;

export const pickRunValue = z.object({ command: z.string(), query: z.string() });
export const runsPageValue = z.object({ query: z.string(), cursor: z.string(), offset: z.number().int().min(0) });
export const flowsPageValue = z.object({ offset: z.number().int().min(0) });
export const shareValue = z.object({ id: z.string() });

/** JSON for a button value, or null when it would exceed Slack's limit (the caller then
 *  leaves the button out rather than sending a value that no longer parses). */
export function encodeValue<T>(schema: z.ZodType<T>, value: T): string | null {
  const text = JSON.stringify(schema.parse(value));
  return text.length <= BUTTON_VALUE_MAX ? text : null;
}

/** The value of a button the bot made, or null for anything else (an old or forged payload). */
export function decodeValue<T>(schema: z.ZodType<T>, text: string | undefined): T | null {
  if (text === undefined) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
