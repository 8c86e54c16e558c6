import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditStore } from '../../src/adapters/sqlite/audit-store.js';
import { closeDatabase, openDatabase, SCHEMA_VERSION } from '../../src/adapters/sqlite/database.js';
import { MIGRATIONS } from '../../src/adapters/sqlite/migrations.js';
import { isAppError } from '../../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardops-db-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tables(db: BetterSqlite3.Database): string[] {
  return db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
}

describe('openDatabase', () => {
  it('when the file does not exist, then its folder is created and every migration is applied', () => {
    const path = join(dir, 'nested', 'deeper', 'cardops.db');
    const db = openDatabase(path);
    expect(existsSync(path)).toBe(true);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(tables(db)).toEqual(['approvals', 'audit', 'reveal_offers']);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // Long enough to ride out a brief lock, short enough that acks are never held past Slack's 3 s.
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1000);
    db.close();
  });

  it('when the database is reopened, then its data is kept and no migration runs again', async () => {
    const path = join(dir, 'cardops.db');
    const first = openDatabase(path);
    await createAuditStore(first).append({ actor: 'U1', op: 'block', outcome: 'ok', cardId: 'card-1' });
    closeDatabase(first);

    const again = openDatabase(path);
    const store = createAuditStore(again);
    expect(await store.count({})).toBe(1);
    expect((await store.query({}, { limit: 5 })).rows[0]).toMatchObject({ actor: 'U1', cardId: 'card-1' });
    expect((await store.verify()).ok).toBe(true);
    again.close();
  });

  it('when the database was written by a newer cardops, then it is refused with a clear message', () => {
    const path = join(dir, 'cardops.db');
    const raw = new BetterSqlite3(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();

    let caught: unknown;
    try {
      openDatabase(path);
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught)).toBe(true);
    expect(String((caught as Error).message)).toContain(
      `database schema version ${SCHEMA_VERSION + 5} is newer than this cardops (${SCHEMA_VERSION}); upgrade cardops`,
    );
  });

  it('when a pending migration fails, then none of the pending steps is kept and the version is unchanged', () => {
    const path = join(dir, 'cardops.db');
    const v1 = openDatabase(path, { migrations: MIGRATIONS.slice(0, 1) });
    expect(v1.pragma('user_version', { simple: true })).toBe(1);
    v1.close();

    const broken = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE later (x); SELECT nonsense FROM nowhere;' },
    ];
    expect(() => openDatabase(path, { migrations: broken })).toThrow();

    const check = new BetterSqlite3(path);
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(check)).toEqual(['audit']);
    check.close();
  });

  it('when an in-memory database is asked for, then it is migrated and usable', async () => {
    const db = openDatabase(':memory:');
    const store = createAuditStore(db);
    await store.append({ actor: 'U1', op: 'audit', outcome: 'queried' });
    expect(await store.count({})).toBe(1);
    db.close();
  });
});
