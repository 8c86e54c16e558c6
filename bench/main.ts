import { measureExport, measureQueries, measureVerify, openSeededAudit } from './audit-figures.js';
import { startBenchSlack } from './environment.js';
import {
  botCommand,
  measureAckUnderSlowIssuer,
  measureMemory,
  measureStart,
  measureThroughputRatio,
} from './http-figures.js';
import { type Figure, figureLine, holds, machineLine, markdownTable } from './report.js';

/**
 * `npm run bench`: every figure of the performance budget, measured on this machine, one line each
 * (name, value, budget, holds/FAILS). Exit code 1 when any figure misses its budget.
 *
 *   npm run bench                      all figures
 *   npm run bench -- --only=ack,audit  a subset: ack, throughput, memory, start, audit
 *   npm run bench -- --markdown        also print the table for docs/benchmarks.md
 *   npm run bench -- --rows=100000     a smaller audit log (a quick look, not the budget)
 */

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key ?? '', value ?? 'true'] as const;
  }),
);
const only = args.get('only')?.split(',');
const wanted = (name: string) => !only || only.includes(name);
const auditRows = Number(args.get('rows') ?? 1_000_000);

const figures: Figure[] = [];
const print = (figure: Figure) => {
  figures.push(figure);
  console.log(figureLine(figure));
};

console.log(`cardops benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${machineLine()}`);
console.log(
  `bot process: ${botCommand().shown}, LOG_LEVEL=info, Sovera dialect against a stub issuer, fake Slack on loopback`,
);
console.log('');

if (wanted('ack') || wanted('throughput') || wanted('memory') || wanted('start')) {
  const bench = await startBenchSlack();
  try {
    if (wanted('ack')) print(await measureAckUnderSlowIssuer(bench));
    if (wanted('throughput')) for (const figure of await measureThroughputRatio(bench)) print(figure);
    if (wanted('memory')) print(await measureMemory(bench));
    if (wanted('start')) print(await measureStart(bench));
  } finally {
    await bench.close();
  }
}

if (wanted('audit')) {
  const t0 = performance.now();
  const audit = await openSeededAudit(auditRows);
  console.log(
    `(audit log: ${audit.rows.toLocaleString('en-US')} rows seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  try {
    for (const figure of await measureQueries(audit)) print(figure);
    print(await measureVerify(audit));
    for (const figure of await measureExport(audit, Math.min(100_000, audit.rows))) print(figure);
  } finally {
    await audit.close();
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
