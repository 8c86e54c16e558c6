import fs from 'node:fs';
import path from 'node:path';
import { seedAuditRows } from '../src/adapters/sqlite/audit-seed.js';
import { closeDatabase, openDatabase } from '../src/adapters/sqlite/database.js';
import { ROOT } from '../test/helpers/child-bot.js';

/**
 * Seeded audit logs kept between runs (`npm run bench:seed`), for the sizes that take minutes to
 * write: a SQLite file per row count under .tmp/bench-cache/ (git-ignored). A file is complete
 * once it has its final name: seeding writes `….partial` and renames it at the end.
 */

export const CACHE_DIR = path.join(ROOT, '.tmp', 'bench-cache');

export function cachedSqlitePath(rows: number): string {
  return path.join(CACHE_DIR, `audit-${rows}.db`);
}

/**
 * Writes `rows` seeded rows (a valid chain over 90 days ending now, 50 actors, 20,000 cards) to a
 * new SQLite file at `file`, in slices of 100,000 so the WAL never holds the whole log.
 */
export function seedSqliteFile(file: string, rows: number, onProgress?: (done: number) => void): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = openDatabase(file);
  try {
    const end = new Date();
    const slice = 100_000;
    const span = 90 * 24 * 3600 * 1000;
    for (let done = 0; done < rows; done += slice) {
      const n = Math.min(slice, rows - done);
      const sliceEnd = new Date(end.getTime() - span + ((done + n) / rows) * span);
      seedAuditRows(db, n, { end: sliceEnd, spanMs: (n / rows) * span, seed: 1 + done / slice });
      if (done % 1_000_000 === 0) db.pragma('wal_checkpoint(TRUNCATE)');
      onProgress?.(done + n);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('optimize');
  } finally {
    closeDatabase(db);
  }
}

/** The cached SQLite log of `rows` rows, seeded now if there is none yet. */
export function ensureCachedSqlite(rows: number, onProgress?: (done: number) => void): string {
  const file = cachedSqlitePath(rows);
  if (fs.existsSync(file)) return file;
  const partial = `${file}.partial`;
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${partial}${suffix}`, { force: true });
  seedSqliteFile(partial, rows, onProgress);
  fs.renameSync(partial, file);
  return file;
}
