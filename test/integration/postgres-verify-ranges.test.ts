import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createPgAuditStore } from '../../src/adapters/postgres/audit-store.js';
import { migratePostgres } from '../../src/adapters/postgres/migrations.js';
import { createPool, type Pool } from '../../src/adapters/postgres/pool.js';
import type { AuditStore } from '../../src/domain/audit/audit-types.js';
import { chainHash, toChainedTuple } from '../../src/domain/audit/hash-chain.js';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../helpers/postgres.js';

/**
 * PostgreSQL verify's first pass checks the log in id ranges, several at once, each range reading
 * the row before it for its first link. Ranges of 7 rows here, so that every kind of damage can be
 * put at a range's first row, its last row, and across the boundary: none may pass, and the
 * result (decided by the exact walk) names the same first broken row as on an undivided log.
 * Odd characters must render in the database as JSON.stringify renders them, or a sound log would
 * only verify by the slow path: a log full of them verifies, and so does one with many ranges.
 */

const RANGE = 7;

describeWithPostgres('PostgreSQL verify in parallel ranges', () => {
  let db: TestDatabase;
  let pool: Pool;
  let audit: AuditStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { max: 6 });
  });
  beforeEach(async () => {
    await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await migratePostgres(pool);
    audit = createPgAuditStore(pool, { replica: 'verify-test', verifyRange: RANGE, verifyParallel: 3 });
    for (let i = 0; i < 30; i += 1) {
      await audit.append({
        actor: `U0USER${i % 3}`,
        teamId: 'T0TEAM',
        channelId: i % 2 === 0 ? 'C0SUPPORT' : null,
        op: i % 4 === 0 ? 'block' : 'unblock',
        cardId: `card-${i % 5}`,
        outcome: i % 3 === 0 ? 'started' : 'ok',
        // Quotes, backslashes, control characters, non-ASCII, a slash, JSON-looking text.
        reason: [
          'plain',
          'a "quoted" \\ word',
          'tab\there\nnew line\u0001\u001f',
          'émoji 🃏 ü',
          '</script>',
          '[1,"x"]',
        ][i % 6],
      });
    }
    await audit.flush();
    await pool.query('ALTER TABLE audit DISABLE TRIGGER USER');
  });
  afterEach(async () => {
    await audit.close();
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** Rewrites row `id` (and, with `rechainFrom`, every later row) with hashes recomputed, as a forger would. */
  async function forge(id: number, set: string, rechain: boolean): Promise<void> {
    await pool.query(`UPDATE audit SET ${set} WHERE id = $1`, [id]);
    if (!rechain) return;
    const rows = (await audit.query({}, { limit: 200 })).rows.sort((a, b) => a.id - b.id);
    let prev = rows.find((r) => r.id === id - 1)?.hash;
    for (const row of rows.filter((r) => r.id >= id)) {
      const hash = chainHash(prev ?? '', toChainedTuple(row));
      await pool.query('UPDATE audit SET prev_hash = $2, hash = $3 WHERE id = $1', [row.id, prev, hash]);
      prev = hash;
    }
  }

  /** The SQL texts `pool.query` runs while `work` does. */
  async function queriesDuring(work: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const original = pool.query.bind(pool);
    pool.query = ((config: unknown, ...rest: unknown[]) => {
      seen.push(typeof config === 'string' ? config : String((config as { text?: unknown }).text ?? ''));
      return (original as (...args: unknown[]) => unknown)(config, ...rest);
    }) as typeof pool.query;
    try {
      await work();
    } finally {
      pool.query = original;
    }
    return seen;
  }
  /** The exact walk's reads: only a log the first pass found suspect gets them. */
  const walked = (queries: string[]) => queries.some((text) => /ORDER BY id LIMIT/.test(text));

  it('when the log is sound, then the first pass alone verifies it over every range, odd characters and all', async () => {
    let result: unknown;
    const queries = await queriesDuring(async () => {
      result = await audit.verify();
    });
    expect(result).toEqual({ checked: 30, ok: true });
    // The database rendered every row as JSON.stringify does: no row was sent to the slow walk.
    expect(walked(queries)).toBe(false);
    const one = createPgAuditStore(pool, { replica: 'verify-test', verifyRange: 1, verifyParallel: 4 });
    const single = await queriesDuring(async () => {
      result = await one.verify();
    });
    expect(result).toEqual({ checked: 30, ok: true });
    expect(walked(single)).toBe(false);
    await one.close();
  });

  it.each([
    ['the first row of a range', 8],
    ['the last row of a range', 14],
    ['the first row of the log', 1],
    ['the last row of the log', 30],
  ])('when %s is edited, then verify names it', async (_where, id) => {
    await forge(id, `reason = 'forged'`, false);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBroken: { id, problem: 'edited' } });
  });

  it('when a chain is forged from the start of a range on, linked to a made-up hash, then verify names the range’s first row', async () => {
    await pool.query(`UPDATE audit SET prev_hash = $2 WHERE id = $1`, [22, 'f'.repeat(64)]);
    await forge(22, `reason = 'forged'`, false);
    // Rows 22… hash correctly from the made-up link: only the link to row 21 is wrong.
    const rows = (await audit.query({}, { limit: 200 })).rows.sort((a, b) => a.id - b.id);
    let prev = 'f'.repeat(64);
    for (const row of rows.filter((r) => r.id >= 22)) {
      const hash = chainHash(prev, toChainedTuple(row));
      await pool.query('UPDATE audit SET prev_hash = $2, hash = $3 WHERE id = $1', [row.id, prev, hash]);
      prev = hash;
    }
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: false, firstBroken: { id: 22 } });
  });

  it.each([
    ['the last row of a range', 21],
    ['the first row of a range', 22],
  ])('when %s is deleted, then verify says rows are missing there', async (_where, id) => {
    await pool.query('DELETE FROM audit WHERE id = $1', [id]);
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: false, firstBroken: { id: id + 1, problem: 'deleted-before' } });
  });

  it('when time goes back across a range boundary (the rows rehashed to match), then verify does not pass the log', async () => {
    const ts = (await pool.query<{ ts: string }>('SELECT ts FROM audit WHERE id = 1')).rows[0]?.ts;
    await pool.query('UPDATE audit SET ts = $2 WHERE id = $1', [15, ts]);
    await forge(15, 'ts = ts', true);
    const result = await audit.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBroken?.id).toBe(15);
  });
});
