import { probePostgres, testServerUrl } from '../test/helpers/postgres.js';
import { measureExport, measureQueries, measureVerify, openSqliteAudit } from './audit-figures.js';
import { openPostgresAudit } from './audit-postgres.js';
import { benchDatabase, startBenchSlack, usePostgres } from './environment.js';
import {
  botCommand,
  measureAckUnderSlowIssuer,
  measureMemory,
  measureSoak,
  measureStart,
  measureThroughputRatio,
} from './http-figures.js';
import { loadFailures } from './load.js';
import { measureReplicaThroughput } from './replica-figures.js';
import { type Figure, figureLine, holds, machineLine, markdownTable, parseArgs } from './report.js';

/**
 * `npm run bench`: every figure of the performance budget, measured on this machine, one line each
 * (name, value, budget, holds/FAILS). Exit code 1 when any figure misses its budget.
 *
 *   npm run bench                      all figures, on SQLite (one process)
 *   npm run bench -- --store postgres  the same figures with the bot on PostgreSQL, plus two
 *                                      replicas' combined throughput beside one replica's
 *   npm run bench -- --only=ack,audit  a subset: ack, throughput, replicas, memory, soak, start, audit
 *   npm run bench -- --markdown        also print the table for docs/benchmarks.md
 *   npm run bench -- --only=soak --snapshots=DIR   heap snapshots after the soak's first and last wave
 *   npm run bench -- --rows=100000     a smaller audit log (a quick look, not the budget)
 *   npm run bench -- --audit-rows=1000000,10000000
 *                                      the audit figures at each size; sizes above 1,000,000 read
 *                                      a log cached by `npm run bench:seed -- --rows=N` (seeded
 *                                      on first use if missing, which takes a long time)
 */

const args = parseArgs(process.argv.slice(2));
const only = args.get('only')?.split(',');
const wanted = (name: string) => !only || only.includes(name);
const auditSizes = (args.get('audit-rows') ?? args.get('rows') ?? '1000000').split(',').map(Number);
const store = args.get('store') ?? 'sqlite';
if (store !== 'sqlite' && store !== 'postgres') {
  console.error('bench: --store is sqlite or postgres');
  process.exit(2);
}

const figures: Figure[] = [];
const print = (figure: Figure) => {
  figures.push(figure);
  console.log(figureLine(figure));
};

let postgresUrl: string | undefined;
if (store === 'postgres') {
  postgresUrl = process.env.BENCH_POSTGRES_URL ?? testServerUrl();
  if (!(await probePostgres(postgresUrl))) {
    console.error(`bench: no PostgreSQL answers at ${new URL(postgresUrl).host} (set BENCH_POSTGRES_URL)`);
    process.exit(2);
  }
  usePostgres(postgresUrl);
}

console.log(`cardops benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${machineLine()}`);
console.log(
  `bot process: ${botCommand().shown}, LOG_LEVEL=info, Sovera dialect against a stub issuer, fake Slack on loopback`,
);
console.log(
  store === 'postgres'
    ? `store: PostgreSQL at ${new URL(postgresUrl ?? '').host}, a fresh database per bot (DATABASE_URL); the reference apps keep SQLite`
    : 'store: SQLite, a fresh file per bot (DATABASE_PATH)',
);
console.log('');

/**
 * Runs one measurement; one that throws (a bot that would not start, a database gone) is printed
 * as a failed figure naming the error, and the other measurements still run.
 */
async function measure(name: string, go: () => Promise<Figure | Figure[]>): Promise<void> {
  try {
    const got = await go();
    for (const figure of Array.isArray(got) ? got : [got]) print(figure);
  } catch (error) {
    print({
      name,
      value: Number.NaN,
      unit: '',
      kind: 'max',
      budget: 0,
      valid: false,
      note: `could not be measured: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    });
  }
}

const httpFigures = ['ack', 'throughput', 'replicas', 'memory', 'soak', 'start'];
if (httpFigures.some(wanted)) {
  const bench = await startBenchSlack();
  try {
    if (wanted('ack')) await measure('ack', () => measureAckUnderSlowIssuer(bench));
    if (wanted('throughput')) await measure('throughput', () => measureThroughputRatio(bench));
    if (wanted('replicas') && store === 'postgres') {
      await measure('replicas', async () => {
        const database = await benchDatabase();
        try {
          return await measureReplicaThroughput(bench, database.url ?? '');
        } finally {
          await database.dispose();
        }
      });
    }
    if (wanted('memory')) await measure('memory', () => measureMemory(bench));
    if (wanted('soak')) {
      const snapshotDir = args.get('snapshots');
      await measure('soak', () => measureSoak(bench, snapshotDir ? { snapshotDir } : {}));
    }
    if (wanted('start')) await measure('start', () => measureStart(bench));
  } finally {
    await bench.close();
  }
  // Every request the load generator sent that failed (a hang-up, a reset, no ack, no answer):
  // counted, never a crash of the bench, and a failed run when there is any.
  const failures = [...loadFailures.entries()].sort((a, b) => b[1] - a[1]);
  print({
    name: 'load generator: requests that failed',
    value: failures.reduce((sum, [, n]) => sum + n, 0),
    unit: '',
    kind: 'max',
    budget: 0,
    note: failures.length === 0 ? 'none' : failures.map(([reason, n]) => `${reason} ×${n}`).join(', '),
  });
}

if (wanted('audit')) {
  for (const rows of auditSizes) {
    const t0 = performance.now();
    const audit = store === 'postgres' ? await openPostgresAudit(postgresUrl ?? '', rows) : await openSqliteAudit(rows);
    console.log(
      `(audit log: ${audit.rows.toLocaleString('en-US')} rows in ${audit.engine}, ready in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    try {
      for (const figure of await measureQueries(audit)) print(figure);
      print(await measureVerify(audit));
      for (const figure of await measureExport(audit, Math.min(100_000, audit.rows))) print(figure);
    } finally {
      await audit.close();
    }
  }
}

// A reference reading has no budget; one that broke (an answer not delivered) still fails the run.
const failed = figures.filter((f) => (f.reference ? f.valid === false : !holds(f)));
const budgeted = figures.filter((f) => !f.reference);
console.log('');
console.log(`machine after: ${machineLine()}`);
console.log(
  failed.length === 0 ? `all ${budgeted.length} figures hold` : `${failed.length} of ${budgeted.length} figures FAIL`,
);
if (args.has('markdown')) {
  console.log('');
  console.log(markdownTable(figures));
}
process.exit(failed.length === 0 ? 0 : 1);
