import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Database = BetterSqlite3.Database;

export { SCHEMA_VERSION } from './migrations.js';

export interface OpenDatabaseOptions {
  logger?: Logger;
  /** For tests of the migration runner only; production uses the built-in list. */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating if needed) the cardops SQLite file, sets the durability pragmas and brings
 * the schema up to date in one transaction. A file written by a newer cardops is refused.
 * `:memory:` is accepted for unit tests.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  const migrations = options.migrations ?? MIGRATIONS;
  const known = migrations.at(-1)?.version ?? 0;
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) {
    mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
    ownerOnly(path);
  }

  const db = new BetterSqlite3(path);
  try {
    setConnectionPragmas(db);
    // WAL lets readers (queries, exports, verify) run beside the writer, and the audit writer
    // thread beside the main connection.
    if (!inMemory) db.pragma('journal_mode = WAL');
    migrate(db, migrations, known, options.logger);
    // Cheap at open (bounded analysis); keeps the planner's statistics fresh as the log grows.
    db.pragma('analysis_limit = 1000');
    db.pragma('optimize = 0x10002');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * A second connection to a database `openDatabase` has already opened (and migrated): the audit
 * writer thread's. Same durability and locking settings; no schema work.
 */
export function openWriterConnection(path: string): Database {
  const db = new BetterSqlite3(path, { fileMustExist: true });
  try {
    setConnectionPragmas(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * The database holds the audit log: only its owner may read or write it (SPEC §7). A new file is
 * created 0600 before SQLite opens it, and SQLite gives its WAL and shared-memory files the main
 * file's mode; an existing file (and WAL) readable by others is narrowed to 0600.
 */
function ownerOnly(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch {
      // A WAL or shm file that does not exist yet gets the main file's mode when SQLite makes it.
    }
  }
}

/** The per-connection settings every cardops connection needs. */
function setConnectionPragmas(db: Database): void {
  // better-sqlite3 waits synchronously: a lock held elsewhere freezes that thread meanwhile, so
  // wait at most 1 s (acks must go out within 3 s), then fail the write and say so.
  db.pragma('busy_timeout = 1000');
  // FULL makes each commit durable before append() resolves, which SPEC §7 requires before any
  // issuer call.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // INSERT OR REPLACE deletes without firing delete triggers unless this is on.
  db.pragma('recursive_triggers = ON');
  // An insert into a table with a trigger keeps a statement journal (to undo the statement if the
  // trigger aborts it); in a temporary file that cost ~120 µs per audit row with its indexes, in
  // memory ~1 µs. It holds only the pages one statement changed.
  db.pragma('temp_store = MEMORY');
}

/** Refreshes planner statistics, then closes. */
export function closeDatabase(db: Database): void {
  if (!db.open) return;
  try {
    db.pragma('optimize');
  } catch {
    // A read-only or busy file still closes.
  }
  db.close();
}

function migrate(db: Database, migrations: readonly Migration[], known: number, logger: Logger | undefined): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > known) {
    throw new AppError(
      'CONFIG_INVALID',
      `database schema version ${current} is newer than this cardops (${known}); upgrade cardops`,
      {
        userMessage: `The database was written by a newer cardops (schema ${current}, this one knows ${known}).`,
      },
    );
  }
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  // All pending steps and the version bump commit together, or not at all.
  db.transaction(() => {
    for (const step of pending) db.exec(step.sql);
    db.pragma(`user_version = ${known}`);
  }).immediate();
  logger?.info({ from: current, to: known, steps: pending.map((m) => m.name) }, 'database schema migrated');
}
