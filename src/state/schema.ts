/** The layout version both backends share, and the refusal to open a newer layout. */

/**
 * v1: the current run of each conversation. v2: current runs of users too, subscriptions,
 * watcher progress, the notification outbox and the leader lock. v3: modal answers under way,
 * so another replica can finish those of a replica that died.
 */
export const STATE_SCHEMA_VERSION = 3;

export class StateSchemaError extends Error {
  override name = 'StateSchemaError';
}

/** Older code would misread a newer layout, or migrate it "back" and lose data: refuse. */
export function checkNotNewer(found: number, where: string): void {
  if (found > STATE_SCHEMA_VERSION) {
    throw new StateSchemaError(
      `${where}: state schema v${found} is newer than this metaflowbot (knows v${STATE_SCHEMA_VERSION}): upgrade metaflowbot or point it at another store`,
    );
  }
}
