import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { createPgAuditStore } from '../adapters/postgres/audit-store.js';
import { importApprovals, importAuditRows, isEmptyTarget } from '../adapters/postgres/import-rows.js';
import { migratePostgres } from '../adapters/postgres/migrations.js';
import { createPool } from '../adapters/postgres/pool.js';
import { createAuditStore } from '../adapters/sqlite/audit-store.js';
import { SCHEMA_VERSION } from '../adapters/sqlite/database.js';

/**
 * `npm run migrate-store -- --from data/cardops.db --to postgres://…`: moves a single node's SQLite
 * audit log and approvals into an empty PostgreSQL database for replicas (SPEC §9). The source is
 * opened read-only and its chain verified first; rows are copied as they are (ids, times, hashes),
 * so the chain is moved, not rewritten; then the whole chain is verified again in PostgreSQL.
 * Progress goes to stderr. Exit codes: 0 moved and verified; 1 the moved chain does not verify;
 * 2 usage; 3 the target is not empty; 4 the source cannot be read or its chain does not verify.
 */

const BATCH = 5_000;

function fail(code: number, line: string): never {
  process.stderr.write(`migrate-store: ${line}\n`);
  process.exit(code);
}

function argument(name: string): string | undefined {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/** Shows progress at most once a second, and always the last step. */
function progress(what: string, total: number) {
  let shown = 0;
  const t0 = performance.now();
  return (done: number) => {
    const now = performance.now();
    if (done < total && now - shown < 1_000) return;
    shown = now;
    const share = total === 0 ? 100 : Math.floor((100 * done) / total);
    process.stderr.write(
      `${what}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows (${share} %), ${((now - t0) / 1000).toFixed(0)} s\n`,
    );
  };
}

const from = argument('from');
const to = argument('to');
if (!from || !to) fail(2, 'usage: npm run migrate-store -- --from <sqlite file> --to postgres://…');
if (!/^postgres(ql)?:\/\//.test(to)) fail(2, '--to must be a postgres:// URL');
if (!fs.existsSync(from)) fail(4, `--from: no file at ${from}`);

let source: BetterSqlite3.Database;
try {
  source = new BetterSqlite3(from, { readonly: true, fileMustExist: true });
  const version = source.pragma('user_version', { simple: true }) as number;
  if (version < 2 || version > SCHEMA_VERSION) {
    fail(4, `--from: ${from} is not a cardops database this version can read (schema ${version})`);
  }
} catch (error) {
  fail(4, `--from: ${from}: ${(error as Error).message}`);
}
const sourceAudit = createAuditStore(source, { writer: 'inline' });
const total = await sourceAudit.count({});
const sourceHead = (await sourceAudit.query({}, { limit: 1 })).rows[0];

process.stderr.write(`source: ${from}, ${total.toLocaleString('en-US')} audit rows; verifying its chain first\n`);
const checked = await sourceAudit.verify({ onProgress: progress('verify source', total) });
if (!checked.ok) {
  fail(
    4,
    `the source chain does not verify (row ${checked.firstBroken?.id}: ${checked.firstBroken?.problem}); nothing was moved`,
  );
}

const pool = createPool(to, { max: 2 });
try {
  try {
    await migratePostgres(pool);
  } catch (error) {
    fail(4, `--to: the target could not be prepared (${(error as Error).message})`);
  }
  const target = await isEmptyTarget(pool);
  if (!target.empty) {
    fail(
      3,
      `the target already holds ${target.auditRows} audit rows and ${target.approvals} approvals; migrate-store only fills an empty database`,
    );
  }

  const copied = progress('copy audit', total);
  let done = 0;
  for await (const batch of sourceAudit.iterate({}, BATCH)) {
    await importAuditRows(pool, batch);
    done += batch.length;
    copied(done);
  }
  const approvals = source.prepare('SELECT * FROM approvals ORDER BY created_at, id').all() as Record<
    string,
    unknown
  >[];
  for (let i = 0; i < approvals.length; i += BATCH) await importApprovals(pool, approvals.slice(i, i + BATCH));
  process.stderr.write(`copied ${approvals.length.toLocaleString('en-US')} approvals\n`);

  const moved = createPgAuditStore(pool, { replica: 'migrate-store' });
  const verified = await moved.verify({ onProgress: progress('verify target', total) });
  const targetHead = (await moved.query({}, { limit: 1 })).rows[0];
  await moved.close();
  if (!verified.ok || verified.checked !== total || targetHead?.hash !== sourceHead?.hash) {
    fail(
      1,
      `the moved chain does not verify (${verified.checked} rows checked${verified.firstBroken ? `, row ${verified.firstBroken.id}: ${verified.firstBroken.problem}` : ''}); do not start replicas on it`,
    );
  }
  process.stdout.write(
    `moved ${total.toLocaleString('en-US')} audit rows and ${approvals.length.toLocaleString('en-US')} approvals; the chain verifies in PostgreSQL (head ${targetHead?.hash.slice(0, 12) ?? 'genesis'}…, the same as the source's)\n`,
  );
} finally {
  await pool.end();
  await sourceAudit.close();
  source.close();
}
