import path from 'node:path';
import { CHILD_SIGNING_SECRET, type ChildBot } from '../test/helpers/child-bot.js';
import { startStubIssuer } from '../test/helpers/stub-issuer.js';
import { type BenchSlack, startBot, tempDir } from './environment.js';
import { botCommand } from './http-figures.js';
import { closedLoop, createPoster, median, type Poster } from './load.js';
import type { Figure } from './report.js';

/**
 * Two replicas on one PostgreSQL database against one replica (SPEC §9), side by side in the same
 * run: the same closed loop of `/card block` (each answered at its response_url), all sent to one
 * replica, or split evenly over two, in alternated rounds. On a machine with fewer cores than
 * processes (the load generator, two bots with their writer threads, PostgreSQL) the second
 * replica mostly competes for the same cores: the figure says what this machine gives, not what
 * two servers would.
 */
export async function measureReplicaThroughput(
  bench: BenchSlack,
  databaseUrl: string,
  options: { rounds?: number; perRound?: number; warm?: number; concurrency?: number } = {},
): Promise<Figure[]> {
  const rounds = options.rounds ?? 7;
  const perRound = options.perRound ?? 2_000;
  const warm = options.warm ?? 5_000;
  const concurrency = options.concurrency ?? 32;
  const issuer = await startStubIssuer({ record: false });
  const tmp = tempDir('cardops-bench-replicas-');
  const command = botCommand();
  const bots: ChildBot[] = [];
  const posters: Poster[] = [];
  let failures = 0;
  try {
    for (const i of [0, 1]) {
      const { bot } = await startBot(bench, {
        runner: command.runner,
        nodeArgs: command.nodeArgs,
        entry: command.entry,
        databasePath: path.join(tmp.dir, `unused-${i}.db`),
        issuerBaseUrl: issuer.url,
        logLevel: 'info',
        env: { DATABASE_URL: databaseUrl },
      });
      bots.push(bot);
      posters.push(createPoster(bot.url, CHILD_SIGNING_SECRET, concurrency));
    }
    /** `n` blocks over the given replicas, op i to replica i mod count. */
    const run = async (targets: Poster[], tag: string, n: number) => {
      const result = await closedLoop(concurrency, n, async (i) => {
        const body = bench.command('U0AGENT01', 'C0SUPPORT', `block bench-rep-${tag}-${i} benchmark`);
        if ((await (targets[i % targets.length] as Poster).post(body)) !== 200) {
          failures += 1;
          return;
        }
        const reply = await bench.reply(body.response_url ?? '');
        if (!String(reply?.body.text ?? '').includes('blocked')) failures += 1;
      });
      return result.opsPerSecond;
    };
    // Both replicas warmed (JIT, pools), each on its own.
    const [first, second] = posters as [Poster, Poster];
    await run([first], 'warm-a', warm);
    await run([second], 'warm-b', warm);
    const one: number[] = [];
    const two: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      one.push(await run([first], `one-r${round}`, perRound));
      two.push(await run([first, second], `two-r${round}`, perRound));
    }
    const ratios = two.map((r, i) => r / (one[i] ?? Number.NaN));
    return [
      {
        name: 'one replica on PostgreSQL, ops/s',
        value: median(one),
        unit: 'ops/s',
        kind: 'min',
        budget: 0,
        reference: true,
        valid: failures === 0,
        note: `/card block answered, ${concurrency} concurrent, median of ${rounds} rounds of ${perRound} (${Math.min(...one).toFixed(0)}–${Math.max(...one).toFixed(0)})`,
      },
      {
        name: 'two replicas on PostgreSQL, combined ops/s',
        value: median(two),
        unit: 'ops/s',
        kind: 'min',
        budget: 0,
        reference: true,
        valid: failures === 0,
        note: `the same load split over two processes on one database, rounds alternated with the one-replica rounds (${Math.min(...two).toFixed(0)}–${Math.max(...two).toFixed(0)}); two ÷ one per round ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}, median ${median(ratios).toFixed(2)}${failures ? `; ${failures} failures` : ''}`,
      },
    ];
  } finally {
    for (const poster of posters) poster.close();
    for (const bot of bots) await bot.kill('SIGTERM');
    await issuer.close();
    tmp.dispose();
  }
}
