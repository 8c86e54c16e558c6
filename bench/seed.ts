import { ensureCachedSqlite } from './audit-cache.js';

/**
 * `npm run bench:seed -- --rows=10000000`: writes the seeded audit log the large audit figures
 * read (`npm run bench -- --audit-rows=10000000`), once; later runs find it cached. Takes minutes
 * per million rows.
 */

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key ?? '', value ?? 'true'] as const;
  }),
);
const rows = Number(args.get('rows') ?? 10_000_000);
if (!Number.isInteger(rows) || rows < 1) {
  console.error('bench:seed: --rows must be a positive whole number');
  process.exit(2);
}

const t0 = performance.now();
let last = 0;
const file = ensureCachedSqlite(rows, (done) => {
  const now = performance.now();
  if (now - last < 5_000 && done < rows) return;
  last = now;
  console.log(
    `sqlite: ${done.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} rows, ${((now - t0) / 1000).toFixed(0)} s`,
  );
});
console.log(`sqlite: ${file} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
