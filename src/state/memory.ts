import { SqliteStateStore } from './sqlite/store';

/**
 * A private store in memory, for tests and one-off runs: nothing survives the process and
 * nothing is shared. It is the SQLite store on `:memory:`, so it behaves exactly like the
 * durable one rather than approximating it.
 */
export class MemoryStateStore extends SqliteStateStore {
  constructor() {
    super(':memory:');
  }
}
