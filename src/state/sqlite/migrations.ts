/**
 * The SQLite layout, as ordered migrations. `PRAGMA user_version` holds the version reached;
 * all pending migrations and the version bump commit in one transaction, so a crash leaves
 * the old layout intact, and replicas opening the file together migrate it once.
 */
import type Database from 'better-sqlite3';
import { checkNotNewer } from '../schema';

interface Migration {
  to: number;
  run(db: Database.Database): void;
}

const MIGRATIONS: Migration[] = [
  {
    to: 1,
    run: (db) => db.exec('CREATE TABLE conversations (id TEXT PRIMARY KEY, pathspec TEXT NOT NULL) WITHOUT ROWID'),
  },
  {
    to: 2,
    run: (db) =>
      db.exec(`
        CREATE TABLE current_runs (
          scope TEXT NOT NULL CHECK (scope IN ('conversation', 'user')),
          id TEXT NOT NULL,
          pathspec TEXT NOT NULL,
          PRIMARY KEY (scope, id)
        ) WITHOUT ROWID;
        INSERT INTO current_runs (scope, id, pathspec) SELECT 'conversation', id, pathspec FROM conversations;
        DROP TABLE conversations;

        -- Absent filters are '' rather than NULL: UNIQUE treats NULLs as distinct.
        CREATE TABLE subscriptions (
          id TEXT NOT NULL,
          channel TEXT NOT NULL,
          flow TEXT NOT NULL,
          events TEXT NOT NULL,
          user TEXT NOT NULL,
          tag TEXT NOT NULL,
          project TEXT NOT NULL,
          created_by TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          UNIQUE (channel, flow, user, tag, project)
        );

        CREATE TABLE watch_state (flow TEXT PRIMARY KEY, state TEXT NOT NULL) WITHOUT ROWID;

        -- seq is the rowid: enqueue order.
        CREATE TABLE notifications (
          seq INTEGER PRIMARY KEY,
          channel TEXT NOT NULL,
          run TEXT NOT NULL,
          transition TEXT NOT NULL,
          payload TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('pending', 'inflight', 'posted', 'abandoned')),
          attempts INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          due_at INTEGER NOT NULL,
          owner TEXT,
          lease_until INTEGER,
          posted_channel TEXT,
          posted_ts TEXT,
          posted_at INTEGER,
          error TEXT,
          UNIQUE (channel, run, transition)
        );
        CREATE INDEX notifications_unfinished ON notifications (channel, run, seq) WHERE status IN ('pending', 'inflight');
        CREATE INDEX notifications_status ON notifications (status);

        CREATE TABLE leader (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, expires_at INTEGER NOT NULL);
      `),
  },
  {
    to: 3,
    run: (db) =>
      db.exec(`
        CREATE TABLE pending_answers (
          view_id TEXT PRIMARY KEY,
          hash TEXT,
          user TEXT NOT NULL,
          nav TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          owner TEXT NOT NULL,
          lease_until INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX pending_answers_lease ON pending_answers (lease_until);
      `),
  },
];

function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Database.Database, where: string): void {
  db.transaction(() => {
    const from = schemaVersion(db);
    checkNotNewer(from, where);
    for (const m of MIGRATIONS) {
      if (m.to <= from) continue;
      m.run(db);
      db.pragma(`user_version = ${m.to}`);
    }
  }).immediate();
}
