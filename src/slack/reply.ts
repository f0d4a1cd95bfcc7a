/**
 * Where an answer goes. A slash command answers only its user (ephemeral, through the
 * response_url) with a "Share in channel" button; a conversation answers in its thread with
 * chat.postMessage; a button press answers where the button was. Commands see only `Reply`.
 */
import type { RespondArguments, RespondFn, webApi } from '@slack/bolt';
import type { ConversationKey } from '../state/store';
import type { Replay } from './ids';
import type { SlackFile, SlackMessage } from '../../views/components/message';
import { sharedBy, shareFooter } from '../../views/components/share';

export type OutgoingFile = SlackFile;

export interface SendOptions {
  /** Replace the message whose button was pressed (paging) instead of adding one. */
  replace?: boolean;
}

export interface Reply {
  /** The conversation whose current run commands read and set. */
  readonly conversation: ConversationKey;
  send(message: SlackMessage, options?: SendOptions): Promise<void>;
  upload(file: OutgoingFile): Promise<void>;
}

/** The shared copy, as everyone in the channel sees it. */
function sharedCopy(message: SlackMessage, userId: string): RespondArguments {
  return { response_type: 'in_channel', replace_original: false, text: message.text, blocks: [...message.blocks, sharedBy(userId)] };
}

function ephemeral(respond: RespondFn, message: SlackMessage, replace: boolean, replay: Replay, channel: string): Promise<unknown> {
  return respond({
    response_type: 'ephemeral',
    replace_original: replace,
    text: message.text,
    blocks: [...message.blocks, ...shareFooter(replay, channel)],
  });
}

export async function upload(client: webApi.WebClient, channel: string, thread: string | undefined, file: OutgoingFile): Promise<void> {
  const common = { channel_id: channel, filename: file.filename, title: file.title, content: file.content, initial_comment: file.comment };
  await client.files.uploadV2(thread ? { ...common, thread_ts: thread } : common);
}

export interface SlashReplyInput {
  respond: RespondFn;
  client: webApi.WebClient;
  channel: string;
  /** What produces the answer again, for its "Share in channel" button. */
  replay: Replay;
}

/** A slash command: Slack does not say from which thread it came, so its conversation is the
 *  channel (or direct message). */
export function slashReply({ respond, client, channel, replay }: SlashReplyInput): Reply {
  return {
    conversation: { channel },
    send: async (message, options) => void (await ephemeral(respond, message, options?.replace ?? false, replay, channel)),
    upload: (file) => upload(client, channel, undefined, file),
  };
}

export interface ShareReplyInput {
  respond: RespondFn;
  client: webApi.WebClient;
  channel: string;
  /** Who shared, named under the copy. */
  userId: string;
}

/** An answer produced again for "Share in channel": it goes to everyone, as a new message. */
export function shareReply({ respond, client, channel, userId }: ShareReplyInput): Reply {
  return {
    conversation: { channel },
    send: async (message) => void (await respond(sharedCopy(message, userId))),
    upload: (file) => upload(client, channel, undefined, file),
  };
}

export interface ThreadReplyInput {
  client: webApi.WebClient;
  channel: string;
  /** The thread answers go to: the message's own thread, or the message itself when it is
   *  top-level (which starts a thread). */
  thread: string;
  conversation: ConversationKey;
}

export function threadReply({ client, channel, thread, conversation }: ThreadReplyInput): Reply {
  return {
    conversation,
    send: async (message) => {
      await client.chat.postMessage({ channel, thread_ts: thread, text: message.text, blocks: message.blocks });
    },
    upload: (file) => upload(client, channel, thread, file),
  };
}

export interface ActionReplyInput {
  respond: RespondFn;
  client: webApi.WebClient;
  channel: string;
  /** What the button produces, for the share button of an ephemeral answer. */
  replay: Replay;
  /** Whether the pressed button sat on an ephemeral answer (a slash command's). */
  ephemeral: boolean;
  /** The message the button sat on, and the thread it is in, for messages everyone sees. */
  messageTs: string | undefined;
  threadTs: string | undefined;
}

/** A button press: on an ephemeral answer it answers like the slash command did; on a message
 *  everyone sees it answers in that message's thread, and pages by replacing the message. */
export function actionReply(input: ActionReplyInput): Reply {
  const { respond, client, channel, replay } = input;
  if (input.ephemeral || !input.messageTs) return slashReply({ respond, client, channel, replay });
  const thread = input.threadTs ?? input.messageTs;
  const inThread = threadReply({ client, channel, thread, conversation: { channel, thread } });
  return {
    conversation: inThread.conversation,
    send: async (message, options) => {
      if (options?.replace) await respond({ replace_original: true, text: message.text, blocks: message.blocks });
      else await inThread.send(message);
    },
    upload: inThread.upload,
  };
}
