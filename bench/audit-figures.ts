import fs from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createAuditStore } from '../src/adapters/sqlite/audit-store.js';
import { closeDatabase, openDatabase } from '../src/adapters/sqlite/database.js';
import { writeAuditExport } from '../src/domain/audit/audit-looks.js';
import type { AuditStore } from '../src/domain/audit/audit-types.js';
import { AUDIT_OUTCOMES, type AuditFilter } from '../src/domain/audit/audit-types.js';
import { CARD_OPS } from '../src/domain/ops.js';
import { ensureCachedSqlite, seedSqliteFile } from './audit-cache.js';
import { tempDir } from './environment.js';
import { percentile } from './load.js';
import type { Figure } from './report.js';

/**
 * The audit figures, on a seeded log (a valid chain, 90 days, 50 actors, 20,000 cards) of
 * 1,000,000 rows, and 10,000,000 when asked, in SQLite or PostgreSQL, through the store the bot
 * uses: the `/card-audit` page query for three filter shapes, a full `verify`, and the real CSV
 * export writer over 100,000 rows to a file.
 */

export interface AuditBench {
  store: AuditStore;
  /** `sqlite` or `postgres`, for the figure names. */
  engine: string;
  rows: number;
  /** Time of the newest row. */
  end: Date;
  /** The stored time of a row, by id. */
  tsOfRow(id: number): Promise<string>;
  close(): Promise<void>;
}

/** Sizes up to this are seeded afresh for each run; larger ones come from the cache (bench:seed). */
export const FRESH_SEED_LIMIT = 1_000_000;

/** A SQLite log of `rows` rows: seeded now in a temporary file, or the cached one for large sizes. */
export async function openSqliteAudit(rows: number): Promise<AuditBench> {
  let file: string;
  let dispose = () => {};
  if (rows > FRESH_SEED_LIMIT) {
    file = ensureCachedSqlite(rows, seedProgress(rows));
  } else {
    const tmp = tempDir('cardops-bench-audit-');
    file = path.join(tmp.dir, 'audit.db');
    seedSqliteFile(file, rows);
    dispose = () => tmp.dispose();
  }
  const db = openDatabase(file);
  const store = createAuditStore(db);
  const tsOf = db.prepare<[number], string>('SELECT ts FROM audit WHERE id = ?').pluck();
  const newest = (await store.query({}, { limit: 1 })).rows[0];
  return {
    store,
    engine: 'sqlite',
    rows,
    end: new Date(newest?.ts ?? Date.now()),
    tsOfRow: async (id) => tsOf.get(id) ?? '',
    async close() {
      await store.close();
      closeDatabase(db);
      dispose();
    },
  };
}

/** `1M rows, sqlite`: which log a figure was measured on. */
function label(audit: AuditBench): string {
  const size = audit.rows >= 1_000_000 ? `${audit.rows / 1_000_000}M` : audit.rows.toLocaleString('en-US');
  return `${size} rows, ${audit.engine}`;
}

/** Prints seeding progress every few seconds (a large log takes minutes). */
export function seedProgress(rows: number): (done: number) => void {
  let last = performance.now();
  return (done) => {
    if (performance.now() - last < 10_000 && done < rows) return;
    last = performance.now();
    console.log(`(seeding ${rows.toLocaleString('en-US')} rows: ${done.toLocaleString('en-US')} written)`);
  };
}

/** A small seeded PRNG, so every run asks the same questions. */
function prng(seed: number): (k: number) => number {
  let a = seed >>> 0;
  return (k) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * k);
  };
}

/** p95 of the `/card-audit` page query (newest 20) per filter shape, values drawn at random. */
export async function measureQueries(audit: AuditBench, perShape = 300): Promise<Figure[]> {
  const pick = prng(42);
  const sevenDaysAgo = new Date(audit.end.getTime() - 7 * 24 * 3600 * 1000).toISOString();
  const shapes: { name: string; filter: () => AuditFilter }[] = [
    {
      name: 'user: + since:7d',
      filter: () => ({ actor: `U0SEED${String(pick(50)).padStart(4, '0')}`, since: sevenDaysAgo }),
    },
    { name: 'card:', filter: () => ({ cardId: `card-${String(pick(20_000)).padStart(6, '0')}` }) },
    {
      name: 'op: + outcome:',
      filter: () => ({ op: CARD_OPS[pick(CARD_OPS.length)], outcome: AUDIT_OUTCOMES[pick(AUDIT_OUTCOMES.length)] }),
    },
  ];
  const figures: Figure[] = [];
  for (const shape of shapes) {
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < perShape; i += 1) {
      const filter = shape.filter();
      const t0 = performance.now();
      const page = await audit.store.query(filter, { limit: 20 });
      times.push(performance.now() - t0);
      found += page.rows.length;
    }
    figures.push({
      name: `audit query p95, ${shape.name} (${label(audit)})`,
      value: percentile(times, 95),
      unit: 'ms',
      kind: 'max',
      budget: 20,
      note: `${perShape} queries on ${audit.rows.toLocaleString('en-US')} rows, ${(found / perShape).toFixed(1)} rows per page, max ${Math.max(...times).toFixed(1)} ms`,
    });
  }
  return figures;
}

/** A full verify of the chain; the budget is a rate (SPEC, issue 12): at least 1,000,000 rows a second. */
export async function measureVerify(audit: AuditBench): Promise<Figure> {
  const t0 = performance.now();
  const result = await audit.store.verify();
  const ms = performance.now() - t0;
  return {
    name: `audit verify (${label(audit)})`,
    value: (result.checked * 1000) / ms,
    unit: 'rows/s',
    kind: 'min',
    budget: 1_000_000,
    valid: result.ok && result.checked === audit.rows,
    note: `${(ms / 1000).toFixed(1)} s, ${result.ok ? 'chain holds' : 'CHAIN BROKEN'}, ${result.checked} rows checked`,
  };
}

/**
 * `/card-audit export since:…` of the newest 100,000 rows: count, then the real CSV writer over
 * the store's batches into a private file, as the bot does before uploading it. The event-loop
 * delay of this process is sampled every millisecond meanwhile.
 */
export async function measureExport(audit: AuditBench, rows = 100_000): Promise<Figure[]> {
  const lastId = (await audit.store.query({}, { limit: 1 })).rows[0]?.id ?? 0;
  const firstRow = await audit.tsOfRow(lastId - rows + 1);
  // Rows share millisecond stamps only when seeded denser than that; count says what `since` selects.
  const filter: AuditFilter = { since: firstRow };
  const tmp = tempDir('cardops-bench-export-');
  const file = path.join(tmp.dir, 'export.csv');
  const delay = monitorEventLoopDelay({ resolution: 1 });
  // A timer that keeps the loop turning, as a bot's other traffic would.
  const ticker = setInterval(() => {}, 1);
  delay.enable();
  const t0 = performance.now();
  let written = 0;
  let counted = 0;
  let bytes = 0;
  try {
    counted = await audit.store.count(filter);
    const handle = await fs.open(file, 'wx', 0o600);
    try {
      written = await writeAuditExport(audit.store, { filter, canonical: '' }, async (chunk) => {
        const data = Buffer.from(chunk, 'utf8');
        bytes += data.length;
        await handle.write(data);
      });
    } finally {
      await handle.close();
    }
  } finally {
    delay.disable();
    clearInterval(ticker);
  }
  const ms = performance.now() - t0;
  tmp.dispose();
  const p99 = delay.percentile(99) / 1e6;
  const valid = written === counted && written >= rows;
  return [
    {
      name: `export ${rows.toLocaleString('en-US')} rows to CSV (${label(audit)})`,
      value: ms / 1000,
      unit: 's',
      kind: 'max',
      budget: 3,
      valid,
      note: `${written.toLocaleString('en-US')} rows, ${(bytes / 2 ** 20).toFixed(1)} MB, src/domain/audit/export-csv.ts`,
    },
    {
      name: `event-loop delay p99 during the export (${label(audit)})`,
      value: p99,
      unit: 'ms',
      kind: 'max',
      budget: 50,
      valid,
      note: `max ${(delay.max / 1e6).toFixed(1)} ms, sampled every 1 ms`,
    },
  ];
}
