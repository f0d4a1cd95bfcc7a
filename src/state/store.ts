/**
 * What the bot remembers between requests. Conversations: the run a channel, a thread or a
 * user is looking at (set by `use <query>`).
 */

/** Where a conversation happens; a thread has its own current run, apart from its channel. */
export interface ConversationKey {
  channel: string;
  thread?: string | null;
}

export interface StateStore {
  currentRun(key: ConversationKey): Promise<string | null>;
  setCurrentRun(key: ConversationKey, pathspec: string): Promise<void>;
  close(): Promise<void>;
}

export function conversationId(key: ConversationKey): string {
  return key.thread ? `${key.channel}:${key.thread}` : key.channel;
}
