import { testServerUrl } from '../test/helpers/postgres.js';
import { ensureCachedSqlite } from './audit-cache.js';
import { openPostgresAudit } from './audit-postgres.js';
import { parseArgs } from './report.js';

/**
 * `npm run bench:seed -- --rows=10000000`: writes the seeded audit log the large audit figures
 * read (`npm run bench -- --audit-rows=10000000`), once; later runs find it cached. Takes minutes
 * per million rows. `--store postgres` fills the kept PostgreSQL database
 * `cardops_bench_audit_<rows>` as well (at BENCH_POSTGRES_URL, else the test server), from the
 * same rows, so that `npm run bench -- --store postgres --only=audit` finds it ready.
 */

const args = parseArgs(process.argv.slice(2));
const rows = Number(args.get('rows') ?? 10_000_000);
if (!Number.isInteger(rows) || rows < 1) {
  console.error('bench:seed: --rows must be a positive whole number');
  process.exit(2);
}
const store = args.get('store') ?? 'sqlite';
if (store !== 'sqlite' && store !== 'postgres') {
  console.error('bench:seed: --store is sqlite or postgres');
  process.exit(2);
}

const t0 = performance.now();
const seconds = () => ((performance.now() - t0) / 1000).toFixed(0);
if (store === 'postgres') {
  // Seeds (or reuses) the SQLite rows first, then copies them with the migrate-store importer.
  const audit = await openPostgresAudit(process.env.BENCH_POSTGRES_URL ?? testServerUrl(), rows);
  await audit.close();
  console.log(`postgres: cardops_bench_audit_${rows} holds ${rows.toLocaleString('en-US')} rows (${seconds()} s)`);
} else {
  let last = 0;
  const file = ensureCachedSqlite(rows, (done) => {
    const now = performance.now();
    if (now - last < 5_000 && done < rows) return;
    last = now;
    console.log(`sqlite: ${done.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} rows, ${seconds()} s`);
  });
  console.log(`sqlite: ${file} (${seconds()} s)`);
}
