import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedAuditRows } from '../../src/adapters/sqlite/audit-seed.js';
import { createAuditStore, holdsAtFirstPass } from '../../src/adapters/sqlite/audit-store.js';
import { rangesJoin, scanRange, splitRanges } from '../../src/adapters/sqlite/chain-scan.js';
import { type Database, openDatabase } from '../../src/adapters/sqlite/database.js';
import type { AuditStore } from '../../src/domain/audit/audit-types.js';
import { type ChainedTuple, chainHash } from '../../src/domain/audit/hash-chain.js';

/**
 * Verify's fast first pass (SQLite renders each row's canonical text; ranges on several threads)
 * must accept exactly the logs the row-by-row walk accepts, and leave every damaged log to the
 * walk, which names the first problem as before.
 */

let dir: string;
let path: string;
const dbs: Database[] = [];
const stores: AuditStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardops-verify-'));
  path = join(dir, 'cardops.db');
});
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const db of dbs.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A seeded log of `rows` rows, verified on threads (one range per core, up to four) from 1,000 rows on. */
function seeded(rows: number): { db: Database; store: AuditStore } {
  const db = openDatabase(path);
  dbs.push(db);
  seedAuditRows(db, rows, { seed: 11 });
  const store = createAuditStore(db, { verifyThreadsFrom: 1_000 });
  stores.push(store);
  return { db, store };
}

/** A second connection without the guard triggers, as an attacker with the file would have. */
function attacker(): BetterSqlite3.Database {
  const raw = new BetterSqlite3(path);
  raw.exec(
    'DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; DROP TRIGGER IF EXISTS audit_insert_at_head;',
  );
  return raw;
}

const TUPLE_COLUMNS = 'id, ts, actor, team_id, channel_id, op, card_id, outcome, reason, approval_id, trace_id, error';

/** Rewrites rows from `fromId` on with recomputed hashes, after `edit` changed them. */
function rehashFrom(raw: BetterSqlite3.Database, fromId: number): void {
  let prev = (raw.prepare('SELECT hash FROM audit WHERE id < ? ORDER BY id DESC LIMIT 1').pluck().get(fromId) ??
    '0'.repeat(64)) as string;
  const rows = raw
    .prepare(`SELECT ${TUPLE_COLUMNS} FROM audit WHERE id >= ? ORDER BY id`)
    .raw()
    .all(fromId) as ChainedTuple[];
  const update = raw.prepare('UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?');
  for (const tuple of rows) {
    const hash = chainHash(prev, tuple);
    update.run(prev, hash, tuple[0]);
    prev = hash;
  }
}

describe('audit verify on several threads (SQLite)', () => {
  it('when the log is intact, then it verifies on threads with every row counted and progress reported', async () => {
    const { db, store } = seeded(4_321);
    // The threads themselves accept it (a failed thread would also answer false and leave it to the walk).
    expect(await holdsAtFirstPass(db, 4_321, { threadsFrom: 1_000 })).toBe(true);
    const progress: number[] = [];
    expect(await store.verify({ chunkSize: 400, onProgress: (n) => progress.push(n) })).toEqual({
      checked: 4_321,
      ok: true,
    });
    expect(progress.at(-1)).toBe(4_321);
    expect(progress.length).toBeGreaterThan(4);
  });

  it('when a row inside a range is edited, then the walk names it as edited', async () => {
    const { store } = seeded(4_000);
    const raw = attacker();
    raw.prepare("UPDATE audit SET actor = 'U0FORGED' WHERE id = 2500").run();
    raw.close();
    expect(await store.verify()).toEqual({ checked: 2_499, ok: false, firstBroken: { id: 2_500, problem: 'edited' } });
  });

  it('when the first row of a later range is edited with its hash recomputed, then the break at the range boundary is found', async () => {
    const { db, store } = seeded(4_000);
    // Row 2001 opens a range on two threads and on four. Its own hash holds; the link from 2000 does not.
    const raw = attacker();
    const row = raw.prepare(`SELECT ${TUPLE_COLUMNS} FROM audit WHERE id = 2001`).raw().get() as ChainedTuple;
    row[2] = 'U0FORGED';
    const prevOfNext = raw.prepare('SELECT prev_hash FROM audit WHERE id = 2001').pluck().get() as string;
    raw
      .prepare('UPDATE audit SET actor = ?, prev_hash = ?, hash = ? WHERE id = 2001')
      .run(row[2], '1'.repeat(64), chainHash('1'.repeat(64), row));
    raw.close();
    expect(prevOfNext).toMatch(/^[0-9a-f]{64}$/);
    expect(await holdsAtFirstPass(db, 4_000, { threadsFrom: 1_000 })).toBe(false);
    expect(await store.verify()).toEqual({
      checked: 2_000,
      ok: false,
      firstBroken: { id: 2_001, problem: 'bad-link' },
    });
  });

  it('when a row inside a range is deleted, then the row after it is named deleted-before', async () => {
    const { store } = seeded(3_000);
    const raw = attacker();
    raw.prepare('DELETE FROM audit WHERE id = 1700').run();
    raw.close();
    expect(await store.verify()).toEqual({
      checked: 1_699,
      ok: false,
      firstBroken: { id: 1_701, problem: 'deleted-before' },
    });
  });

  it('when the last rows are cut, then the cut is reported at the next id', async () => {
    const { store } = seeded(2_500);
    const raw = attacker();
    raw.prepare('DELETE FROM audit WHERE id > 2400').run();
    raw.close();
    expect(await store.verify()).toEqual({
      checked: 2_400,
      ok: false,
      firstBroken: { id: 2_501, problem: 'deleted-before' },
    });
  });

  it('when the whole log is rewritten with recomputed hashes, then the chain alone holds (only checkpoints can tell)', async () => {
    const { store } = seeded(2_000);
    const raw = attacker();
    raw.prepare("UPDATE audit SET actor = 'U0FORGED' WHERE id = 10").run();
    rehashFrom(raw, 10);
    raw.close();
    expect(await store.verify()).toEqual({ checked: 2_000, ok: true });
  });
});

describe("SQLite's rendering of a row is the hashed canonical text", () => {
  it('when stored text holds quotes, backslashes, control characters, non-Latin letters and emoji, then the fast pass accepts the row as the walk does', async () => {
    const db = openDatabase(path);
    dbs.push(db);
    const store = createAuditStore(db, { writer: 'inline' });
    stores.push(store);
    const odd = [
      'quote " and \\ backslash',
      'tab\tnew\nline\rcr\bbs\fff',
      '\u0001\u001f\u007f',
      'é ü ß 中文 😀',
      '\u2028\u2029 </script>',
      "O'Brien",
    ];
    for (const reason of odd)
      await store.append({ actor: 'U1', op: 'block', outcome: 'denied', cardId: 'card-1', reason, error: reason });
    const end = odd.length;
    const scan = scanRange(db, 0, end);
    let step = scan.next();
    while (!step.done) step = scan.next();
    expect(step.value).toMatchObject({ holds: true, rows: end });
    expect(rangesJoin([step.value], end)).toBe(true);
  });

  it('when ranges are split, then they cover every id once', () => {
    for (const [end, parts] of [
      [0, 4],
      [3, 4],
      [10, 3],
      [1_000_003, 4],
    ] as const) {
      const ranges = splitRanges(end, parts);
      expect(ranges[0]?.[0]).toBe(0);
      expect(ranges.at(-1)?.[1]).toBe(end);
      for (let i = 1; i < ranges.length; i += 1) expect(ranges[i]?.[0]).toBe(ranges[i - 1]?.[1]);
    }
  });
});
