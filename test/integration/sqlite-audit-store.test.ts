import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUDIT_COLUMNS, prepareAuditInsert, prepareChainHead } from '../../src/adapters/sqlite/audit-append.js';
import { seedAuditRows } from '../../src/adapters/sqlite/audit-seed.js';
import {
  auditSelectSql,
  countRecentSql,
  createAuditStore,
  FIRST_ID_FROM_SQL,
} from '../../src/adapters/sqlite/audit-store.js';
import { threadAuditWriter } from '../../src/adapters/sqlite/audit-writer.js';
import { type Database, openDatabase } from '../../src/adapters/sqlite/database.js';
import type { AuditEventInput, AuditFilter, AuditRow, AuditStore } from '../../src/domain/audit/audit-types.js';
import { type ChainedTuple, chainHash, GENESIS_HASH } from '../../src/domain/audit/hash-chain.js';
import { AppError } from '../../src/errors.js';
import { ROOT } from '../helpers/child-bot.js';

let dir: string;
let path: string;
const open: Database[] = [];
const stores: AuditStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardops-audit-'));
  path = join(dir, 'cardops.db');
});
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A clock that moves forward one second per reading, from a fixed start. */
function steppingClock(start = Date.parse('2026-01-01T00:00:00.000Z'), stepMs = 1000) {
  let t = start - stepMs;
  return () => {
    t += stepMs;
    return new Date(t);
  };
}

function openStore(options: Parameters<typeof createAuditStore>[1] = {}): { db: Database; store: AuditStore } {
  return openStoreOn(options);
}

function openStoreOn(options: Parameters<typeof createAuditStore>[1]): { db: Database; store: AuditStore } {
  const db = openDatabase(path);
  open.push(db);
  const store = createAuditStore(db, options);
  stores.push(store);
  return { db, store };
}

/** A second connection with no triggers, as an attacker with the sqlite3 CLI would have. */
function tamper(sql: string, ...params: unknown[]): void {
  const raw = new BetterSqlite3(path);
  raw.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  raw.prepare(sql).run(...params);
  raw.close();
}

async function appendSequentially(store: AuditStore, n: number, make?: (i: number) => Partial<AuditEventInput>) {
  const rows: AuditRow[] = [];
  for (let i = 0; i < n; i += 1) {
    rows.push(await store.append({ actor: 'U1', op: 'block', outcome: 'ok', cardId: `card-${i}`, ...make?.(i) }));
  }
  return rows;
}

describe('audit store: append-only and the hash chain', () => {
  it('when a row is appended, then it is stored with its hash chained to the previous row', async () => {
    const { store } = openStore({ now: steppingClock() });
    const first = await store.append({
      actor: 'U0AGENT01',
      teamId: 'T1',
      channelId: 'C0SUPPORT',
      op: 'block',
      cardId: 'card-1',
      outcome: 'started',
      reason: 'lost wallet',
    });
    const second = await store.append({
      actor: 'U0AGENT01',
      op: 'block',
      cardId: 'card-1',
      outcome: 'ok',
      traceId: 't-1',
    });
    expect(first).toMatchObject({ id: 1, ts: '2026-01-01T00:00:00.000Z', prevHash: GENESIS_HASH, approvalId: null });
    expect(second.prevHash).toBe(first.hash);
    const tuple: ChainedTuple = [
      1,
      first.ts,
      'U0AGENT01',
      'T1',
      'C0SUPPORT',
      'block',
      'card-1',
      'started',
      'lost wallet',
      null,
      null,
      null,
    ];
    expect(first.hash).toBe(chainHash(GENESIS_HASH, tuple));
    expect((await store.query({}, { limit: 10 })).rows).toEqual([second, first]);
  });

  it('when the application updates or deletes a row, then the trigger refuses: the log is append-only', async () => {
    const { db, store } = openStore();
    await appendSequentially(store, 3);
    expect(() => db.prepare("UPDATE audit SET reason = 'x' WHERE id = 2").run()).toThrow('audit log is append-only');
    expect(() => db.prepare('DELETE FROM audit WHERE id = 2').run()).toThrow('audit log is append-only');
    // REPLACE deletes the old row; with recursive triggers on, the delete trigger still fires.
    expect(() =>
      db
        .prepare(
          `INSERT OR REPLACE INTO audit (${AUDIT_COLUMNS}) VALUES (2, 'x', 'x', null, null, 'x', null, 'ok', null, null, null, null, 'x', 'x')`,
        )
        .run(),
    ).toThrow('audit log is append-only');
    expect(await store.count({})).toBe(3);
  });

  it('when nothing was tampered with, then the whole chain verifies, in chunks, with progress', async () => {
    const { db, store } = openStore();
    seedAuditRows(db, 2_345, { seed: 7 });
    await appendSequentially(store, 5);
    const progress: number[] = [];
    const result = await store.verify({ chunkSize: 500, onProgress: (n) => progress.push(n) });
    expect(result).toEqual({ checked: 2_350, ok: true });
    expect(progress.at(-1)).toBe(2_350);
    expect(progress.length).toBeGreaterThan(4);
  });

  it('when an empty log is verified, then it holds with zero rows', async () => {
    const { store } = openStore();
    expect(await store.verify()).toEqual({ checked: 0, ok: true });
  });

  it('when one row is updated behind the store\u2019s back, then verify names that row as edited', async () => {
    const { store } = openStore();
    await appendSequentially(store, 10);
    tamper("UPDATE audit SET outcome = 'failed' WHERE id = 6");
    expect(await store.verify({ chunkSize: 3 })).toEqual({
      checked: 5,
      ok: false,
      firstBroken: { id: 6, problem: 'edited' },
    });
  });

  it('when a row is edited and its own hash recomputed, then the next row no longer links to it', async () => {
    const { store } = openStore();
    const rows = await appendSequentially(store, 10);
    const r = rows[3]!;
    const forged = chainHash(r.prevHash, [
      r.id,
      r.ts,
      r.actor,
      r.teamId,
      r.channelId,
      r.op,
      r.cardId,
      'failed',
      r.reason,
      r.approvalId,
      r.traceId,
      r.error,
    ]);
    tamper("UPDATE audit SET outcome = 'failed', hash = ? WHERE id = ?", forged, r.id);
    expect(await store.verify()).toEqual({ checked: 4, ok: false, firstBroken: { id: 5, problem: 'bad-link' } });
  });

  it('when one row is deleted, then verify names the row after it as deleted-before', async () => {
    const { store } = openStore();
    await appendSequentially(store, 10);
    tamper('DELETE FROM audit WHERE id = 4');
    expect(await store.verify()).toEqual({ checked: 3, ok: false, firstBroken: { id: 5, problem: 'deleted-before' } });
  });

  it('when the first rows are deleted, then the new first row is reported', async () => {
    const { store } = openStore();
    await appendSequentially(store, 5);
    tamper('DELETE FROM audit WHERE id <= 2');
    expect((await store.verify()).firstBroken).toEqual({ id: 3, problem: 'deleted-before' });
  });

  it('when the last rows are deleted, then the cut is reported at the next id, and a later append does not hide it', async () => {
    const { store } = openStore();
    await appendSequentially(store, 6);
    tamper('DELETE FROM audit WHERE id >= 5');
    expect(await store.verify()).toEqual({ checked: 4, ok: false, firstBroken: { id: 7, problem: 'deleted-before' } });
    const next = await store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
    expect(next.id).toBe(7);
    expect((await store.verify()).firstBroken).toEqual({ id: 7, problem: 'deleted-before' });
  });

  it('when the contents of two rows are swapped, hashes and all, then verify reports the first as reordered', async () => {
    const { store } = openStore();
    const rows = await appendSequentially(store, 10);
    const cols = [
      'ts',
      'actor',
      'team_id',
      'channel_id',
      'op',
      'card_id',
      'outcome',
      'reason',
      'approval_id',
      'trace_id',
      'error',
      'prev_hash',
      'hash',
    ];
    const a = rows[2]!;
    const b = rows[6]!;
    const set = cols.map((c) => `${c} = ?`).join(', ');
    const values = (r: AuditRow) => [
      r.ts,
      r.actor,
      r.teamId,
      r.channelId,
      r.op,
      r.cardId,
      r.outcome,
      r.reason,
      r.approvalId,
      r.traceId,
      r.error,
      r.prevHash,
      r.hash,
    ];
    tamper(`UPDATE audit SET ${set} WHERE id = ?`, ...values(b), a.id);
    tamper(`UPDATE audit SET ${set} WHERE id = ?`, ...values(a), b.id);
    expect(await store.verify()).toEqual({ checked: 2, ok: false, firstBroken: { id: 3, problem: 'reordered' } });
  });

  it('when two rows swap their content but keep their hashes, then verify reports the first as edited', async () => {
    const { store } = openStore();
    await appendSequentially(store, 10);
    tamper(
      `UPDATE audit SET card_id = CASE id WHEN 4 THEN (SELECT card_id FROM audit WHERE id = 8) ELSE (SELECT card_id FROM audit WHERE id = 4) END WHERE id IN (4, 8)`,
    );
    expect((await store.verify()).firstBroken).toEqual({ id: 4, problem: 'edited' });
  });

  it('when a row with a valid hash is stamped earlier than the row before it, then verify reports it as reordered', async () => {
    const { db, store } = openStore({ now: steppingClock() });
    const rows = await appendSequentially(store, 3);
    const last = rows.at(-1)!;
    const tuple: ChainedTuple = [
      4,
      '2025-01-01T00:00:00.000Z',
      'U1',
      null,
      null,
      'block',
      null,
      'ok',
      null,
      null,
      null,
      null,
    ];
    prepareAuditInsert(db).run(...tuple, last.hash, chainHash(last.hash, tuple));
    expect((await store.verify()).firstBroken).toEqual({ id: 4, problem: 'reordered' });
  });
});

describe.each(['thread', 'inline'] as const)('audit store: durability and group commit (%s writer)', (writer) => {
  const openStore = (options: Parameters<typeof createAuditStore>[1] = {}) => openStoreOn({ writer, ...options });

  it('when 200 appends are issued at once, then they share one commit, each gets its own row, and the chain holds', async () => {
    let readings = 0;
    const clock = steppingClock();
    const { store } = openStore({
      now: () => {
        readings += 1;
        return clock();
      },
    });
    const rows = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.append({ actor: `U${i}`, op: 'block', outcome: 'started', reason: `r${i}` }),
      ),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(200);
    rows.forEach((row, i) => {
      expect(row.actor).toBe(`U${i}`);
      expect(row.reason).toBe(`r${i}`);
    });
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(readings).toBe(1); // one batch: the clock is read once per transaction
    expect(await store.verify()).toEqual({ checked: 200, ok: true });
  });

  it('when appends arrive in separate bursts, then each burst is its own batch and the chain stays whole', async () => {
    const { store } = openStore();
    const first = await Promise.all(
      [1, 2, 3].map((i) => store.append({ actor: `U${i}`, op: 'pan', outcome: 'revealed' })),
    );
    const second = await Promise.all(
      [4, 5].map((i) => store.append({ actor: `U${i}`, op: 'pan', outcome: 'revealed' })),
    );
    expect(second[0]!.prevHash).toBe(first[2]!.hash);
    expect((await store.verify()).ok).toBe(true);
  });

  it('when the database is read-only, then every append of the batch is rejected with AUDIT_UNAVAILABLE and no row content', async () => {
    const { db: writer, store: writable } = openStore();
    await writable.append({ actor: 'U1', op: 'block', outcome: 'ok' });
    writer.close();
    // Tests run as root here, so a chmod would not stop writes: a read-only connection stands in for the file.
    const ro = new BetterSqlite3(path, { readonly: true });
    open.push(ro);
    const store = createAuditStore(ro);
    const results = await Promise.allSettled([
      store.append({ actor: 'U1', op: 'cancel', outcome: 'started', reason: 'secret-ish reason 42' }),
      store.append({ actor: 'U2', op: 'block', outcome: 'started', cardId: 'card-9' }),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(AppError);
      expect(error.code).toBe('AUDIT_UNAVAILABLE');
      expect(error.message).not.toMatch(/secret-ish|card-9|U2/);
    }
    expect(await store.count({})).toBe(1);
  });

  it('when a batch fails to commit, then none of it is written and the next batch chains from the last written row', async () => {
    const { db, store } = openStore();
    const before = await store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
    // A trigger fails the third row of the batch, after two of its rows went in: the whole batch must roll back.
    db.exec(
      "CREATE TRIGGER fail_third BEFORE INSERT ON audit WHEN NEW.actor = 'U9' AND NEW.reason = '3' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    const failed = await Promise.allSettled(
      [1, 2, 3].map((i) => store.append({ actor: 'U9', op: 'block', outcome: 'ok', reason: String(i) })),
    );
    expect(failed.every((r) => r.status === 'rejected')).toBe(true);
    db.exec('DROP TRIGGER fail_third');
    const after = await store.append({ actor: 'U1', op: 'unblock', outcome: 'ok' });
    expect(after).toMatchObject({ id: before.id + 1, prevHash: before.hash });
    expect(await store.count({ actor: 'U9' })).toBe(0);
    expect(await store.verify()).toEqual({ checked: 2, ok: true });
  });

  it('when another connection holds the write lock until the timeout, then the append fails as AUDIT_UNAVAILABLE', async () => {
    const { db, store } = openStore();
    db.pragma('busy_timeout = 50'); // the inline writer's wait; the writer thread keeps the production 1 s
    const other = new BetterSqlite3(path);
    open.push(other);
    other.exec('BEGIN IMMEDIATE');
    await expect(store.append({ actor: 'U1', op: 'block', outcome: 'ok' })).rejects.toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
    });
    other.exec('ROLLBACK');
    await expect(store.append({ actor: 'U1', op: 'block', outcome: 'ok' })).resolves.toMatchObject({ id: 1 });
  });

  it('when two connections append to the same file in turn, then the chain still holds across them', async () => {
    const { store: a } = openStore();
    const { store: b } = openStore();
    for (let i = 0; i < 10; i += 1) {
      await Promise.all([
        a.append({ actor: 'A', op: 'block', outcome: 'ok' }),
        b.append({ actor: 'B', op: 'block', outcome: 'ok' }),
      ]);
    }
    expect(await a.verify()).toEqual({ checked: 20, ok: true });
  });

  it('when the clock goes back, then the row is stamped no earlier than the row before it', async () => {
    const times = ['2026-01-01T10:00:00.000Z', '2026-01-01T09:00:00.000Z'];
    const { store } = openStore({ now: () => new Date(times.shift() ?? '2026-01-01T11:00:00.000Z') });
    const a = await store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
    const b = await store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
    expect(b.ts).toBe(a.ts);
  });

  it('when the store is closed, then pending appends settle and later ones are refused', async () => {
    const { store } = openStore();
    const pending = store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
    await store.close();
    await expect(pending).resolves.toMatchObject({ id: 1 });
    await expect(store.append({ actor: 'U1', op: 'block', outcome: 'ok' })).rejects.toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
    });
  });

  it('when a test fakes the timers, then appends, iteration and verify still complete', async () => {
    const { store } = openStore();
    vi.useFakeTimers();
    try {
      await store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
      await appendSequentially(store, 4);
      let n = 0;
      for await (const batch of store.iterate({}, 2)) n += batch.length;
      expect(n).toBe(5);
      expect(await store.verify({ chunkSize: 2 })).toEqual({ checked: 5, ok: true });
    } finally {
      vi.useRealTimers();
    }
  });

  it('when an event has an unknown outcome, then only that append is rejected', async () => {
    const { store } = openStore();
    const bad = store.append({ actor: 'U1', op: 'block', outcome: 'bogus' as never });
    const good = store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
    await expect(bad).rejects.toThrow(/outcome/);
    await expect(good).resolves.toMatchObject({ id: 1 });
  });
});

describe('audit store: writer thread', () => {
  it('when another connection on the same thread holds the write lock and lets go later, then the append waits for it instead of freezing that thread', async () => {
    // The inline writer would wait inside SQLite on this very thread, so the timer below could not
    // run before its busy timeout ran out: the append would fail. The writer thread waits off it.
    const { store } = openStore({ writer: 'thread' });
    const holder = new BetterSqlite3(path);
    open.push(holder);
    holder.exec('BEGIN IMMEDIATE');
    let released = false;
    setTimeout(() => {
      holder.exec('ROLLBACK');
      released = true;
    }, 200);
    const row = await store.append({ actor: 'U1', op: 'block', outcome: 'started' });
    expect(released).toBe(true);
    expect(row).toMatchObject({ id: 1, actor: 'U1' });
    expect(await store.count({})).toBe(1); // visible to the main connection as soon as the append resolves
  });

  it('when the store is closed in a process with nothing else to do, then the caller still gets to its next step', () => {
    // The idle writer thread does not hold the process open; closing it must, until it is gone.
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test/helpers/close-audit-then-print.ts'), dir],
      { cwd: ROOT, encoding: 'utf8', timeout: 20_000 },
    );
    expect(run.stdout).toContain('closed, next step ran');
    expect(run.status).toBe(0);
  });

  it('when the writer thread cannot open the file, then that batch fails with the SQLite code and a later one goes through once the file is back', async () => {
    const writer = threadAuditWriter(join(dir, 'not-yet.db'));
    try {
      const event = {
        actor: 'U1',
        teamId: null,
        channelId: null,
        op: 'block',
        cardId: null,
        outcome: 'ok',
        reason: null,
        approvalId: null,
        traceId: null,
        error: null,
      } as const;
      await expect(writer.write('2026-01-01T00:00:00.000Z', [event])).rejects.toMatchObject({
        name: 'AuditWriteError',
        code: 'SQLITE_CANTOPEN',
      });
      const db = openDatabase(join(dir, 'not-yet.db'));
      open.push(db);
      const placed = await writer.write('2026-01-01T00:00:00.000Z', [event, event]);
      expect(placed.map((p) => p.id)).toEqual([1, 2]);
      expect(db.prepare('SELECT count(*) FROM audit').pluck().get()).toBe(2);
    } finally {
      await writer.close();
    }
  });
});

describe('audit store: free text', () => {
  it('when a reason or error holds a card-number-like run, then it is masked before it is stored and hashed', async () => {
    const { db, store } = openStore();
    const row = await store.append({
      actor: 'U1',
      op: 'block',
      outcome: 'failed',
      reason: 'cardholder said 4929-8712-3456-0986',
      error: 'issuer echoed 5105105105105100 back',
    });
    expect(row.reason).toBe('cardholder said 492987******0986');
    expect(row.error).toBe('issuer echoed 510510******5100 back');
    const stored = db.prepare('SELECT reason, error FROM audit').raw().get() as string[];
    expect(stored.join(' ')).not.toMatch(/\d{7,}/);
    expect((await store.verify()).ok).toBe(true);
  });

  it('when free text is very long, then it is capped at 500 characters', async () => {
    const { store } = openStore();
    const row = await store.append({ actor: 'U1', op: 'block', outcome: 'ok', reason: 'y'.repeat(5000) });
    expect(row.reason!.length).toBe(500);
  });
});

describe('audit store: query, count, iterate', () => {
  const users = ['U0AGENT01', 'U0AGENT02', 'U0SENIOR1'];
  const cards = ['card-a', 'card-b', 'card-c', 'card-d'];
  const ops = ['block', 'unblock', 'pan', 'cancel'];
  const outcomes = ['started', 'ok', 'failed', 'revealed', 'denied'] as const;
  const channels = ['C0SUPPORT', 'C0SECURE'];

  async function fixture(n = 120) {
    const ctx = openStore({ now: steppingClock(Date.parse('2026-03-01T00:00:00.000Z'), 60_000) });
    const rows = await appendSequentially(ctx.store, n, (i) => ({
      actor: users[i % 3]!,
      cardId: cards[i % 4]!,
      op: ops[(i * 7) % 4]!,
      outcome: outcomes[i % 5]!,
      channelId: channels[i % 2]!,
    }));
    return { ...ctx, rows };
  }

  function matches(row: AuditRow, f: AuditFilter): boolean {
    return (
      (f.actor === undefined || row.actor === f.actor) &&
      (f.cardId === undefined || row.cardId === f.cardId) &&
      (f.op === undefined || row.op === f.op) &&
      (f.outcome === undefined || row.outcome === f.outcome) &&
      (f.channelId === undefined || row.channelId === f.channelId) &&
      (f.since === undefined || row.ts >= f.since) &&
      (f.until === undefined || row.ts < f.until)
    );
  }

  async function pageAll(store: AuditStore, filter: AuditFilter, limit: number): Promise<AuditRow[]> {
    const out: AuditRow[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await store.query(filter, { limit, before });
      out.push(...page.rows);
      if (page.nextCursor === undefined) return out;
      before = page.nextCursor;
    }
  }

  const filters: [string, AuditFilter][] = [
    ['no filter', {}],
    ['actor', { actor: 'U0AGENT02' }],
    ['card', { cardId: 'card-c' }],
    ['op', { op: 'pan' }],
    ['outcome', { outcome: 'revealed' }],
    ['channel', { channelId: 'C0SECURE' }],
    ['since', { since: '2026-03-01T01:00:00.000Z' }],
    ['until', { until: '2026-03-01T00:30:00.000Z' }],
    ['since and until', { since: '2026-03-01T00:20:00.000Z', until: '2026-03-01T01:10:00.000Z' }],
    ['user and since', { actor: 'U0AGENT01', since: '2026-03-01T00:45:30.000Z' }],
    ['op and outcome', { op: 'block', outcome: 'started' }],
    ['card, op and channel', { cardId: 'card-a', op: 'block', channelId: 'C0SUPPORT' }],
    [
      'everything',
      {
        actor: 'U0AGENT01',
        cardId: 'card-a',
        op: 'block',
        outcome: 'started',
        channelId: 'C0SUPPORT',
        since: '2026-03-01T00:10:00.000Z',
        until: '2026-03-01T01:50:00.000Z',
      },
    ],
    ['nothing matches', { actor: 'U0NOBODY' }],
    ['since after the last row', { since: '2027-01-01T00:00:00.000Z' }],
  ];

  it.each(filters)(
    'when filtered by %s, then query, count and iterate agree with the rows that match',
    async (_name, filter) => {
      const { store, rows } = await fixture();
      const expected = rows.filter((r) => matches(r, filter));
      expect((await pageAll(store, filter, 7)).map((r) => r.id)).toEqual(expected.map((r) => r.id).reverse());
      expect(await store.count(filter)).toBe(expected.length);
      const iterated: AuditRow[] = [];
      for await (const batch of store.iterate(filter, 4)) {
        expect(batch.length).toBeLessThanOrEqual(4);
        iterated.push(...batch);
      }
      expect(iterated).toEqual(expected);
    },
  );

  it('when since and until fall exactly on a row, then since includes it and until excludes it', async () => {
    const { store, rows } = await fixture(10);
    const page = await store.query({ since: rows[3]!.ts, until: rows[6]!.ts }, { limit: 20 });
    expect(page.rows.map((r) => r.id)).toEqual([6, 5, 4]);
  });

  it('when rows arrive between pages, then paging continues with no duplicate and no gap', async () => {
    const { store, rows } = await fixture(50);
    const seen: number[] = [];
    let page = await store.query({ actor: 'U0AGENT01' }, { limit: 5 });
    seen.push(...page.rows.map((r) => r.id));
    while (page.nextCursor !== undefined) {
      await appendSequentially(store, 3, () => ({ actor: 'U0AGENT01' }));
      page = await store.query({ actor: 'U0AGENT01' }, { limit: 5, before: page.nextCursor });
      seen.push(...page.rows.map((r) => r.id));
    }
    const expected = rows
      .filter((r) => r.actor === 'U0AGENT01')
      .map((r) => r.id)
      .reverse();
    expect(seen).toEqual(expected);
  });

  it('when a page is exactly full at the end, then the next page is empty and says so', async () => {
    const { store } = await fixture(10);
    const first = await store.query({}, { limit: 10 });
    expect(first.rows).toHaveLength(10);
    expect(first.nextCursor).toBeUndefined();
    const partial = await store.query({}, { limit: 5 });
    expect(partial.nextCursor).toBe(6);
  });

  it('when rows are appended during an iteration, then the iteration stops at the rows present when it started', async () => {
    const { store } = await fixture(20);
    const ids: number[] = [];
    for await (const batch of store.iterate({}, 5)) {
      ids.push(...batch.map((r) => r.id));
      await store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
    }
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('when recent reveals and mismatches are counted, then only the ops, outcomes, actor or card and time asked for count', async () => {
    const { store } = openStore({ now: steppingClock(Date.parse('2026-03-01T00:00:00.000Z'), 10 * 60_000) });
    // 00:00 … 01:50, one row every 10 minutes
    const plan: Partial<AuditEventInput>[] = [
      { actor: 'U1', op: 'pan', outcome: 'revealed' }, // 00:00, too old for since 00:30
      { actor: 'U1', op: 'pan', outcome: 'revealed' },
      { actor: 'U1', op: 'pan', outcome: 'revealed' },
      { actor: 'U1', op: 'cvv', outcome: 'revealed' }, // 00:30
      { actor: 'U2', op: 'pin', outcome: 'revealed' },
      { actor: 'U1', op: 'pin', outcome: 'limited' },
      { actor: 'U1', op: 'block', outcome: 'ok' },
      { actor: 'U1', op: 'expiry', outcome: 'revealed', cardId: 'card-x' },
      { actor: 'U3', op: 'activate', outcome: 'mismatched', cardId: 'card-x' },
      { actor: 'U4', op: 'activate', outcome: 'mismatched', cardId: 'card-x' },
      { actor: 'U4', op: 'activate', outcome: 'mismatched', cardId: 'card-y' },
      { actor: 'U4', op: 'activate', outcome: 'matched', cardId: 'card-x' },
    ];
    for (const p of plan) await store.append({ actor: 'U0', op: 'x', outcome: 'ok', ...p });
    const since = '2026-03-01T00:30:00.000Z';
    const reveals = { ops: ['pan', 'cvv', 'expiry', 'pin'], outcomes: ['revealed'], since };
    expect(await store.countRecent({ actor: 'U1', ...reveals })).toBe(2);
    expect(await store.countRecent({ actor: 'U2', ...reveals })).toBe(1);
    expect(await store.countRecent({ cardId: 'card-x', ops: ['activate'], outcomes: ['mismatched'], since })).toBe(2);
    expect(
      await store.countRecent({
        cardId: 'card-x',
        ops: ['activate'],
        outcomes: ['mismatched'],
        since: '2027-01-01T00:00:00.000Z',
      }),
    ).toBe(0);
    expect(await store.countRecent({ actor: 'U1', ops: [], outcomes: ['revealed'], since })).toBe(0);
  });
});

describe('audit store: query plans', () => {
  function plan(db: Database, sql: string, params: unknown): string[] {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params as never) as { detail: string }[]).map((r) => r.detail);
  }

  function expectIndexed(details: string[]): void {
    expect(details.length).toBeGreaterThan(0);
    for (const detail of details) {
      expect(detail).toMatch(/^SEARCH audit USING (COVERING )?(INDEX|INTEGER PRIMARY KEY)/);
      expect(detail).not.toMatch(/TEMP B-TREE/);
    }
  }

  const shapes: AuditFilter[] = [
    { actor: 'U' },
    { cardId: 'c' },
    { op: 'o' },
    { outcome: 'ok' },
    { channelId: 'C' },
    { op: 'o', outcome: 'ok' },
    { actor: 'U', cardId: 'c' },
    { actor: 'U', op: 'o', outcome: 'ok', channelId: 'C' },
  ];

  it('when every filter shape is planned over a populated log, then each one searches an index without sorting', () => {
    const db = openDatabase(path);
    open.push(db);
    seedAuditRows(db, 20_000, { seed: 3 });
    db.exec('ANALYZE');
    const named = { actor: 'U', cardId: 'c', op: 'o', outcome: 'ok', channelId: 'C', lo: 1, hi: 100, limit: 21 };
    for (const filter of shapes) {
      for (const bounds of [
        { lo: false, hi: false },
        { lo: true, hi: false },
        { lo: false, hi: true },
        { lo: true, hi: true },
      ]) {
        for (const kind of ['page', 'count', 'batch'] as const) {
          const sql = auditSelectSql(kind, filter, bounds);
          const used = Object.fromEntries(Object.entries(named).filter(([k]) => sql.includes(`@${k}`)));
          expectIndexed(plan(db, sql, used));
        }
      }
    }
    // since / until alone become a primary-key range
    expectIndexed(plan(db, auditSelectSql('page', {}, { lo: true, hi: true }), { lo: 1, hi: 100, limit: 21 }));
    // the time-to-id lookup behind since/until
    expect(plan(db, FIRST_ID_FROM_SQL, ['2026-01-01'])).toEqual([
      expect.stringMatching(/^SEARCH audit USING COVERING INDEX audit_ts/),
    ]);
    // reveal budget and activation lock
    expectIndexed(
      plan(db, countRecentSql({ actor: 'U', ops: ['pan', 'cvv', 'expiry', 'pin'], outcomes: ['revealed'] }), [
        1,
        'U',
        'pan',
        'cvv',
        'expiry',
        'pin',
        'revealed',
      ]),
    );
    expectIndexed(
      plan(db, countRecentSql({ cardId: 'c', ops: ['activate'], outcomes: ['mismatched'] }), [
        1,
        'c',
        'activate',
        'mismatched',
      ]),
    );
  });
});

describe('audit seed', () => {
  it('when rows are seeded after live rows, then the chain continues and time never goes back', async () => {
    const { db, store } = openStore();
    await store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
    const seeded = seedAuditRows(db, 1_000, { end: new Date(Date.now() + 3_600_000) });
    expect(seeded).toEqual({ firstId: 2, lastId: 1_001 });
    await store.append({ actor: 'U1', op: 'block', outcome: 'ok' });
    expect(await store.verify()).toEqual({ checked: 1_002, ok: true });
    const head = prepareChainHead(db)();
    expect(head.nextId).toBe(1_003);
  });
});
