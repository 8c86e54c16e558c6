import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgAuditStore } from '../../src/adapters/postgres/audit-store.js';
import { createPool } from '../../src/adapters/postgres/pool.js';
import { createApprovalsStore } from '../../src/adapters/sqlite/approvals-store.js';
import { seedAuditRows } from '../../src/adapters/sqlite/audit-seed.js';
import { createAuditStore } from '../../src/adapters/sqlite/audit-store.js';
import { closeDatabase, openDatabase } from '../../src/adapters/sqlite/database.js';
import type { AuditRow } from '../../src/domain/audit/audit-types.js';
import { ROOT } from '../helpers/child-bot.js';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../helpers/postgres.js';

/**
 * `npm run migrate-store`: a single node's SQLite audit log and approvals moved into an empty
 * PostgreSQL database with the chain intact, verified after the move; a non-empty target and a
 * broken source are refused. Run as an operator runs it, in a child process.
 */

function migrateStore(from: string, to: string) {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/tools/migrate-store.ts', '--from', from, '--to', to],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      timeout: 120_000,
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function rowsOf(
  url: string,
): Promise<{ rows: AuditRow[]; verified: { ok: boolean; checked: number }; approvals: number }> {
  const pool = createPool(url, { max: 2 });
  try {
    const audit = createPgAuditStore(pool, { replica: 'test' });
    const rows: AuditRow[] = [];
    for await (const batch of audit.iterate({}, 1000)) rows.push(...batch);
    const verified = await audit.verify();
    await audit.close();
    const approvals = Number((await pool.query('SELECT count(*) AS n FROM approvals')).rows[0]?.n ?? 0);
    return { rows, verified, approvals };
  } finally {
    await pool.end();
  }
}

describeWithPostgres('npm run migrate-store', () => {
  let dir: string;
  let source: string;
  let sourceRows: AuditRow[];
  const databases: TestDatabase[] = [];
  const newDatabase = async () => {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-migrate-'));
    source = path.join(dir, 'cardops.db');
    const db = openDatabase(source);
    seedAuditRows(db, 12_345, { seed: 7 });
    const approvals = createApprovalsStore(db);
    for (const n of [1, 2, 3]) {
      await approvals.create({
        cardId: `card-move-${n}`,
        requester: 'U0AGENT01',
        teamId: 'T0SEED',
        requestChannel: 'C0SUPPORT',
        reason: 'moved with the log',
        ttlMs: 3_600_000,
      });
    }
    const audit = createAuditStore(db, { writer: 'inline' });
    // A few live rows after the seeded ones, as a real log has.
    await audit.append({ actor: 'U0AGENT01', op: 'block', cardId: 'card-move-1', outcome: 'started' });
    await audit.append({ actor: 'U0AGENT01', op: 'block', cardId: 'card-move-1', outcome: 'ok', traceId: 't-1' });
    sourceRows = [];
    for await (const batch of audit.iterate({}, 5000)) sourceRows.push(...batch);
    await audit.close();
    closeDatabase(db);
  }, 120_000);
  afterAll(async () => {
    for (const db of databases) await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when a SQLite log is moved into an empty database, then every row arrives as it was, the chain verifies there and progress was shown', async () => {
    const target = await newDatabase();
    const run = migrateStore(source, target.url);
    expect(run.stderr).toMatch(/copy audit: 12,347 of 12,347 rows \(100 %\)/);
    expect(run.stdout).toContain('moved 12,347 audit rows and 3 approvals; the chain verifies in PostgreSQL');
    expect(run.status).toBe(0);

    const moved = await rowsOf(target.url);
    expect(moved.verified).toMatchObject({ ok: true, checked: sourceRows.length });
    expect(moved.rows.map(({ replica: _r, ...row }) => row)).toEqual(sourceRows.map(({ replica: _r, ...row }) => row));
    expect(moved.approvals).toBe(3);
  }, 180_000);

  it('when the target already holds rows, then nothing is copied and the operator is told why', async () => {
    const target = await newDatabase();
    expect(migrateStore(source, target.url).status).toBe(0);
    const again = migrateStore(source, target.url);
    expect(again.status).toBe(3);
    expect(again.stderr).toContain('the target already holds 12347 audit rows and 3 approvals');
    const after = await rowsOf(target.url);
    expect(after.rows).toHaveLength(sourceRows.length);
    expect(after.verified.ok).toBe(true);
  }, 180_000);

  it('when the source chain is broken, then nothing is moved', async () => {
    const broken = path.join(dir, 'broken.db');
    fs.copyFileSync(source, broken);
    const db = openDatabase(broken);
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET reason = 'rewritten' WHERE id = 100").run();
    closeDatabase(db);
    const target = await newDatabase();
    const run = migrateStore(broken, target.url);
    expect(run.status).toBe(4);
    expect(run.stderr).toContain('the source chain does not verify (row 100: edited); nothing was moved');
    // The target was not even touched: the source is checked first.
    const pool = createPool(target.url, { max: 1 });
    try {
      expect((await pool.query("SELECT to_regclass('audit') AS audit")).rows[0]?.audit).toBeNull();
    } finally {
      await pool.end();
    }
  }, 180_000);

  it('when the arguments are missing or the source does not exist, then it says how to run it', () => {
    expect(migrateStore('', '').status).toBe(2);
    const missing = migrateStore(path.join(dir, 'nowhere.db'), 'postgres://127.0.0.1:1/none');
    expect(missing.status).toBe(4);
    expect(missing.stderr).toContain('no file at');
  });
});
