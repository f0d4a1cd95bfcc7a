import { LRUCache } from 'lru-cache';
import { conversationId, type ConversationKey, type StateStore } from './store';

/** A process-local store: state is lost on restart and not shared between replicas. */
export class MemoryStateStore implements StateStore {
  private readonly runs = new LRUCache<string, string>({ max: 100_000 });

  async currentRun(key: ConversationKey): Promise<string | null> {
    return this.runs.get(conversationId(key)) ?? null;
  }

  async setCurrentRun(key: ConversationKey, pathspec: string): Promise<void> {
    this.runs.set(conversationId(key), pathspec);
  }

  async close(): Promise<void> {
    this.runs.clear();
  }
}
