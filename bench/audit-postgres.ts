import path from 'node:path';
import pg from 'pg';
import { createPgAuditStore } from '../src/adapters/postgres/audit-store.js';
import { importAuditRows } from '../src/adapters/postgres/import-rows.js';
import { migratePostgres } from '../src/adapters/postgres/migrations.js';
import { createPool } from '../src/adapters/postgres/pool.js';
import { createAuditStore } from '../src/adapters/sqlite/audit-store.js';
import { closeDatabase, openDatabase } from '../src/adapters/sqlite/database.js';
import { ensureCachedSqlite, seedSqliteFile } from './audit-cache.js';
import { type AuditBench, FRESH_SEED_LIMIT, seedProgress } from './audit-figures.js';
import { tempDir } from './environment.js';

/**
 * The seeded audit log in PostgreSQL: the same rows as the SQLite one (seeded there, then copied
 * as they are by the importer `npm run migrate-store` uses), in a database named after its size
 * that is kept between runs (`cardops_bench_audit_<rows>`): copying 10,000,000 rows takes a long
 * time. A database whose chain head is not at the expected row is filled again from scratch.
 */
export async function openPostgresAudit(serverUrl: string, rows: number): Promise<AuditBench> {
  const name = `cardops_bench_audit_${rows}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rows.length === 0) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let pool = createPool(url.toString(), { max: 4 });
  await migratePostgres(pool);
  const head = Number((await pool.query('SELECT last_id FROM audit_head WHERE one')).rows[0]?.last_id ?? 0);
  if (head !== rows) {
    if (head !== 0) {
      // A run cut off while filling it: start again.
      await pool.end();
      const again = new pg.Client({ connectionString: serverUrl });
      await again.connect();
      await again.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await again.query(`CREATE DATABASE ${name}`);
      await again.end();
      pool = createPool(url.toString(), { max: 4 });
      await migratePostgres(pool);
    }
    await fillFromSqlite(pool, rows);
    await pool.query('VACUUM ANALYZE audit');
  }
  const store = createPgAuditStore(pool, { replica: 'bench' });
  const newest = (await store.query({}, { limit: 1 })).rows[0];
  return {
    store,
    engine: 'postgres',
    rows,
    end: new Date(newest?.ts ?? Date.now()),
    async tsOfRow(id) {
      const result = await pool.query<{ ts: string }>('SELECT ts FROM audit WHERE id = $1', [id]);
      return result.rows[0]?.ts ?? '';
    },
    async close() {
      await store.close();
      await pool.end();
    },
  };
}

async function fillFromSqlite(pool: pg.Pool, rows: number): Promise<void> {
  const tmp = tempDir('cardops-bench-pgseed-');
  try {
    let file: string;
    if (rows > FRESH_SEED_LIMIT) file = ensureCachedSqlite(rows, seedProgress(rows));
    else {
      file = path.join(tmp.dir, 'audit.db');
      seedSqliteFile(file, rows);
    }
    const db = openDatabase(file);
    const source = createAuditStore(db, { writer: 'inline' });
    const shown = seedProgress(rows);
    let done = 0;
    try {
      for await (const batch of source.iterate({}, 5_000)) {
        await importAuditRows(pool, batch);
        done += batch.length;
        shown(done);
      }
    } finally {
      await source.close();
      closeDatabase(db);
    }
  } finally {
    tmp.dispose();
  }
}
