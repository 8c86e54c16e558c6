import fs from 'node:fs';
import path from 'node:path';
import { CHILD_SIGNING_SECRET, type ChildBot, ROOT } from '../test/helpers/child-bot.js';
import { type StubIssuer, startStubIssuer } from '../test/helpers/stub-issuer.js';
import { type BenchSlack, benchDatabase, startBot, tempDir } from './environment.js';
import { closedLoop, createPoster, median, type Poster, percentile } from './load.js';
import type { Figure } from './report.js';

/**
 * The figures measured over HTTP against the real bot process, started the way `npm start`
 * starts it, with signed requests on loopback: acknowledgement latency under a slow issuer,
 * throughput against a minimal Bolt app, memory after 10,000 commands, and start time.
 */

const ALICE = 'U0AGENT01';
const SUPPORT = 'C0SUPPORT';

/** How `npm start` runs the bot, read from package.json, so the bench measures what operators run. */
export function botCommand(): { runner: 'tsx' | 'node'; nodeArgs: string[]; entry: string; shown: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  // BENCH_START tries another way of starting the same bot (flags, a built entry) without editing package.json.
  const script = process.env.BENCH_START ?? pkg.scripts?.start ?? 'tsx src/main.ts';
  // `exec` makes the shell npm runs the script in hand its pid to node (signals reach the bot).
  const words = script
    .trim()
    .replace(/^exec\s+/, '')
    .split(/\s+/);
  const entry = words.at(-1) ?? 'src/main.ts';
  if (words[0] === 'tsx') {
    return { runner: 'tsx', nodeArgs: words.slice(1, -1), entry, shown: `node --import tsx ${entry}` };
  }
  if (words[0] === 'node') {
    const flags = words.slice(1, -1);
    const at = flags.indexOf('--import');
    const tsx = at >= 0 && flags[at + 1] === 'tsx';
    const nodeArgs = tsx ? [...flags.slice(0, at), ...flags.slice(at + 2)] : flags;
    return { runner: tsx ? 'tsx' : 'node', nodeArgs, entry, shown: words.join(' ') };
  }
  throw new Error(`bench: cannot tell how "npm start" (${script}) starts node`);
}

interface BotUnderTest {
  bot: ChildBot;
  startMs: number;
  issuer: StubIssuer;
  close(): Promise<void>;
}

async function startFullBot(
  bench: BenchSlack,
  issuerDelayMs: number,
  extraNodeArgs: string[] = [],
): Promise<BotUnderTest> {
  const issuer = await startStubIssuer({ delayMs: issuerDelayMs, record: false });
  const tmp = tempDir('cardops-bench-');
  const database = await benchDatabase();
  const command = botCommand();
  const { bot, startMs } = await startBot(bench, {
    runner: command.runner,
    nodeArgs: [...command.nodeArgs, ...extraNodeArgs],
    entry: command.entry,
    databasePath: path.join(tmp.dir, 'cardops.db'),
    issuerBaseUrl: issuer.url,
    logLevel: 'info',
    env: database.env,
  });
  return {
    bot,
    startMs,
    issuer,
    async close() {
      await bot.kill('SIGTERM');
      await issuer.close();
      await database.dispose();
      tmp.dispose();
    },
  };
}

/** One `/card block` as alice in #support; resolves with the ack latency, then (second promise) the answer. */
function blockCommand(bench: BenchSlack, cardId: string) {
  return bench.command(ALICE, SUPPORT, `block ${cardId} benchmark`);
}

/** 50 concurrent `/card block`, issuer answering after 2 s: every ack fast, every answer delivered. */
export async function measureAckUnderSlowIssuer(bench: BenchSlack, waves = 4, concurrency = 50): Promise<Figure> {
  const full = await startFullBot(bench, 2_000);
  const poster = createPoster(full.bot.url, CHILD_SIGNING_SECRET, concurrency);
  const acks: number[] = [];
  let delivered = 0;
  let blocked = 0;
  let sent = 0;
  let badStatus = 0;
  try {
    // One wave first, not counted: a bot in service is warm (JIT, connection pools, the user-group cache).
    await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        const body = blockCommand(bench, `bench-slow-warm-${i}`);
        if ((await poster.post(body)) === 200) await bench.reply(body.response_url ?? '');
      }),
    );
    for (let wave = 0; wave < waves; wave += 1) {
      const answers = await Promise.all(
        Array.from({ length: concurrency }, async (_, i) => {
          const body = blockCommand(bench, `bench-slow-${wave}-${i}`);
          sent += 1;
          const t0 = performance.now();
          const status = await poster.post(body);
          acks.push(performance.now() - t0);
          if (status !== 200) {
            badStatus += 1;
            return undefined;
          }
          return bench.reply(body.response_url ?? '', 15_000);
        }),
      );
      for (const answer of answers) {
        if (!answer) continue;
        delivered += 1;
        if (String(answer.body.text ?? '').includes('blocked')) blocked += 1;
      }
    }
  } finally {
    poster.close();
    await full.close();
  }
  return {
    name: 'ack p99, 50 concurrent, issuer answers in 2 s',
    value: percentile(acks, 99),
    unit: 'ms',
    kind: 'max',
    budget: 100,
    valid: delivered === sent && blocked === sent && badStatus === 0,
    note: `${acks.length} acks in ${waves} waves after a warm-up wave (p50 ${median(acks).toFixed(1)} ms, max ${Math.max(...acks).toFixed(1)} ms); ${delivered}/${sent} answers delivered, ${blocked} say blocked`,
  };
}

/**
 * Ops/s of the full stack (`/card block`: policy, audit rows, issuer call, reply delivered) ÷
 * ops/s of a Bolt app that only acks the same signed request, same load generator, rounds
 * alternated so that every app sees the same machine. All are measured warm, as in service: V8
 * takes some thousands of requests to optimise an HTTP server's hot path (the ack-only app's rate
 * keeps rising for the first ~10,000), so each first serves `warm` requests unmeasured. Rounds
 * last about a second each, and many of them: this machine's speed moves by a third within
 * minutes, and the median of many short alternated rounds follows it best. The ack-only apps get
 * proportionally more requests per round.
 *
 * The budgeted ratio's ack-only app has cardops' own Bolt settings (conversation store and
 * ignoreSelf off, src/app.ts), so that the ratio compares the work and not the configuration.
 * Two references run in the same rounds, with no budget: the ack-only app with Bolt's defaults
 * (the ratio as measured until 2026-11-22, about a quarter higher), and bench/bare-work-app.ts,
 * the work a block cannot do without (ack, durable `started` row, one issuer call, outcome row,
 * one response_url post) and nothing else, the ceiling this machine and Bolt leave for any
 * implementation.
 */
export async function measureThroughputRatio(
  bench: BenchSlack,
  options: { rounds?: number; fullPerRound?: number; floorPerRound?: number; warm?: number; concurrency?: number } = {},
): Promise<Figure[]> {
  const rounds = options.rounds ?? 11;
  const fullPerRound = options.fullPerRound ?? 2_000;
  const floorPerRound = options.floorPerRound ?? 8_000;
  const warm = options.warm ?? 10_000;
  const concurrency = options.concurrency ?? 32;
  const full = await startFullBot(bench, 0);
  const tmp = tempDir('cardops-bench-bare-');
  const reference = (entry: string, env: Record<string, string>, databasePath = '/dev/null') =>
    startBot(bench, { entry, env, databasePath, issuerBaseUrl: full.issuer.url });

  /** One app under load: how an op is sent and judged, and its rate per round. */
  interface Series {
    url: string;
    perRound: number;
    /** Whether an op ends with the answer at the response_url (else with the ack). */
    answered: boolean;
    rates: number[];
    failures: number;
    poster?: Poster;
  }
  const series = (url: string, answered: boolean): Series => ({
    url,
    answered,
    perRound: answered ? fullPerRound : floorPerRound,
    rates: [],
    failures: 0,
  });
  const bare = await reference('bench/bare-work-app.ts', {}, path.join(tmp.dir, 'bare.db'));
  const floor = await reference('bench/ack-only-app.ts', { ACK_ONLY_BOLT: 'cardops' });
  const floorDefaults = await reference('bench/ack-only-app.ts', { ACK_ONLY_BOLT: 'defaults' });
  const apps = {
    full: series(full.bot.url, true),
    bare: series(bare.bot.url, true),
    floor: series(floor.bot.url, false),
    floorDefaults: series(floorDefaults.bot.url, false),
  };
  const run = (app: Series, tag: string, n: number) => {
    const poster = app.poster as Poster;
    return closedLoop(concurrency, n, async (i) => {
      const body = blockCommand(bench, `bench-tp-${tag}-${i}`);
      if ((await poster.post(body)) !== 200) {
        app.failures += 1;
        return;
      }
      if (!app.answered) return;
      const reply = await bench.reply(body.response_url ?? '');
      if (!String(reply?.body.text ?? '').includes('blocked')) app.failures += 1;
    });
  };
  // The load generator's own CPU (with the fake Slack and stub issuer it hosts): near 100 % it, not the app, would be the limit.
  const busy = { full: 0, floor: 0, fullMs: 0, floorMs: 0 };
  const timed = async (kind: 'full' | 'floor', go: () => Promise<{ opsPerSecond: number; elapsedMs: number }>) => {
    const cpu = process.cpuUsage();
    const result = await go();
    const used = process.cpuUsage(cpu);
    busy[kind] += (used.user + used.system) / 1000;
    busy[`${kind}Ms`] += result.elapsedMs;
    return result.opsPerSecond;
  };
  try {
    for (const [name, app] of Object.entries(apps)) {
      app.poster = createPoster(app.url, CHILD_SIGNING_SECRET, concurrency);
      // Warm-up: JIT, connection pools, the user-group cache, SQLite's page cache.
      await run(app, `${name}-warm`, warm);
    }
    for (let round = 0; round < rounds; round += 1) {
      for (const [name, app] of Object.entries(apps)) {
        const kind = name === 'full' ? 'full' : name === 'floor' ? 'floor' : undefined;
        const go = () => run(app, `${name}-r${round}`, app.perRound);
        app.rates.push(kind ? await timed(kind, go) : (await go()).opsPerSecond);
      }
    }
  } finally {
    for (const app of Object.values(apps)) app.poster?.close();
    for (const bot of [floorDefaults.bot, floor.bot, bare.bot]) await bot.kill('SIGTERM');
    tmp.dispose();
    await full.close();
  }
  const rate = (app: Series) => median(app.rates);
  // Each round's own ratio, for the spread: the machine's speed moves between rounds.
  const roundRatios = apps.full.rates.map((r, i) => r / (apps.floor.rates[i] ?? Number.NaN));
  const failed = (app: Series) => (app.failures ? `; ${app.failures} failures` : '');
  /** A ratio printed for context, with no budget; broken only if one of its apps lost an answer. */
  const ratioReference = (name: string, top: Series, bottom: Series, note: string): Figure => ({
    name,
    value: rate(top) / rate(bottom),
    unit: '',
    kind: 'min',
    budget: 0.3,
    reference: true,
    valid: top.failures + bottom.failures === 0,
    note: `${note}${failed(top)}${failed(bottom)}`,
  });
  return [
    {
      name: 'throughput ratio, full stack ÷ ack-only Bolt',
      value: rate(apps.full) / rate(apps.floor),
      unit: '',
      kind: 'min',
      budget: 0.3,
      valid: apps.full.failures + apps.floor.failures === 0,
      note: `full ${rate(apps.full).toFixed(0)} ops/s, ack-only ${rate(apps.floor).toFixed(0)} ops/s with cardops' Bolt settings (medians of ${rounds} alternated rounds of ${fullPerRound} and ${floorPerRound} after ${warm} each to warm up, ${concurrency} concurrent; round ratios ${Math.min(...roundRatios).toFixed(2)}–${Math.max(...roundRatios).toFixed(2)}; load generator CPU ${((100 * busy.full) / busy.fullMs).toFixed(0)} % / ${((100 * busy.floor) / busy.floorMs).toFixed(0)} %)${failed(apps.full)}${failed(apps.floor)}`,
    },
    ratioReference(
      'reference: full ÷ ack-only with Bolt defaults',
      apps.full,
      apps.floorDefaults,
      `the same ack-only app with Bolt's conversation store and ignoreSelf on, as measured until 2026-11-22: ${rate(apps.floorDefaults).toFixed(0)} ops/s`,
    ),
    ratioReference(
      'reference: the bare work ÷ ack-only Bolt',
      apps.bare,
      apps.floor,
      `bench/bare-work-app.ts: ${rate(apps.bare).toFixed(0)} ops/s; ack, started row, issuer call, outcome row, reply, and nothing else`,
    ),
  ];
}

/**
 * RSS of a fresh bot process after 10,000 `/card block` commands, each answered, once it has been
 * idle for 30 s: V8 leaves the garbage of a busy spell in place until its memory reducer runs on an
 * idle process (here some 10–20 s after the load), so the reading right after the load measures
 * GC laziness more than what the bot holds. Both that reading and the peak during the load are
 * printed beside it.
 */
export async function measureMemory(
  bench: BenchSlack,
  options: { commands?: number; concurrency?: number; settleMs?: number } = {},
): Promise<Figure> {
  const commands = options.commands ?? 10_000;
  const concurrency = options.concurrency ?? 16;
  const settleMs = options.settleMs ?? 30_000;
  const full = await startFullBot(bench, 0);
  const poster = createPoster(full.bot.url, CHILD_SIGNING_SECRET, concurrency);
  let failures = 0;
  const before = full.bot.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, full.bot.rss());
  }, 100);
  try {
    await closedLoop(concurrency, commands, async (i) => {
      const body = blockCommand(bench, `bench-mem-${i}`);
      if ((await poster.post(body)) !== 200) failures += 1;
      else if (!(await bench.reply(body.response_url ?? ''))) failures += 1;
    });
    clearInterval(sampler);
    const justAfter = full.bot.rss();
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const settled = full.bot.rss();
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
    return {
      name: `RSS after ${commands.toLocaleString('en-US')} commands, idle ${settleMs / 1000} s`,
      value: settled / 2 ** 20,
      unit: 'MB',
      kind: 'max',
      budget: 150,
      valid: failures === 0,
      note: `${mb(before)} MB when first answering, peak ${mb(peak)} MB during the load, ${mb(justAfter)} MB right after it`,
    };
  } finally {
    clearInterval(sampler);
    poster.close();
    await full.close();
  }
}

/** Process start to first signed request answered (HTTP 200), median of several cold starts on a fresh database. */
export async function measureStart(bench: BenchSlack, starts = 5): Promise<Figure> {
  const times: number[] = [];
  for (let i = 0; i < starts; i += 1) {
    const full = await startFullBot(bench, 0);
    times.push(full.startMs);
    await full.close();
  }
  return {
    name: 'start: process start to first answer',
    value: median(times),
    unit: 'ms',
    kind: 'max',
    budget: 1_000,
    note: `median of ${starts} (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)} ms); ${botCommand().shown}`,
  };
}

/**
 * Soak: `waves` × `perWave` `/card block` commands against one bot process. After each wave a full
 * GC is forced through the inspector (the process is started with `--inspect=127.0.0.1:0`) and the
 * V8 heap in use read: from the second wave to the last it must stay within 10 % (the first wave
 * warms code and caches up). Then RSS after `settleMs` idle, which must be ≤ 150 MB.
 */
export async function measureSoak(
  bench: BenchSlack,
  options: {
    waves?: number;
    perWave?: number;
    concurrency?: number;
    settleMs?: number;
    /** Writes a heap snapshot after the first and the last wave here (to find what the heap holds). */
    snapshotDir?: string;
  } = {},
): Promise<Figure[]> {
  const waves = options.waves ?? 10;
  const perWave = options.perWave ?? 10_000;
  const concurrency = options.concurrency ?? 16;
  const settleMs = options.settleMs ?? 30_000;
  const full = await startFullBot(bench, 0, ['--inspect=127.0.0.1:0']);
  const inspector = await connectInspector(full.bot.output());
  // A new keep-alive pool per wave: a snapshot pauses the bot longer than its keep-alive timeout.
  let poster = createPoster(full.bot.url, CHILD_SIGNING_SECRET, concurrency);
  let failures = 0;
  const heapMb: number[] = [];
  const rssMb: number[] = [];
  try {
    for (let wave = 0; wave < waves; wave++) {
      poster.close();
      poster = createPoster(full.bot.url, CHILD_SIGNING_SECRET, concurrency);
      await closedLoop(concurrency, perWave, async (i) => {
        const body = blockCommand(bench, `bench-soak-${wave}-${i}`);
        if ((await poster.post(body)) !== 200) failures += 1;
        else if (!(await bench.reply(body.response_url ?? ''))) failures += 1;
      });
      heapMb.push((await inspector.heapUsedAfterGc()) / 2 ** 20);
      rssMb.push(full.bot.rss() / 2 ** 20);
      if (options.snapshotDir && (wave === 0 || wave === waves - 1)) {
        await inspector.snapshot(path.join(options.snapshotDir, `soak-wave-${wave + 1}.heapsnapshot`));
      }
    }
    await inspector.close();
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const settled = full.bot.rss() / 2 ** 20;
    const from = heapMb[1] ?? heapMb[0] ?? 0;
    const spread = heapMb.slice(1);
    const growth = from > 0 ? ((Math.max(...spread) - Math.min(...spread)) / from) * 100 : 0;
    const total = (waves * perWave).toLocaleString('en-US');
    return [
      {
        name: `soak: heap used after forced GC, waves 2–${waves} of ${perWave.toLocaleString('en-US')} commands`,
        value: growth,
        unit: '%',
        kind: 'max',
        budget: 10,
        valid: failures === 0,
        note: `spread (max − min) over wave 2's ${from.toFixed(1)} MB; per wave: ${heapMb.map((h) => h.toFixed(1)).join(', ')} MB; RSS after each wave: ${rssMb.map((r) => r.toFixed(0)).join(', ')} MB`,
      },
      {
        name: `soak: RSS after ${total} commands, idle ${settleMs / 1000} s`,
        value: settled,
        unit: 'MB',
        kind: 'max',
        budget: 150,
        valid: failures === 0,
        note: `${failures} commands not answered 200`,
      },
    ];
  } finally {
    poster.close();
    await inspector.close();
    await full.close();
  }
}

/** The child's inspector (its URL is on stderr): force a full GC and read the heap in use. */
async function connectInspector(output: string) {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
  if (!url) throw new Error('bench: the bot did not print its inspector URL');
  const { WebSocket } = await import('ws');
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  let chunks: string[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; method?: string; params?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk')
      chunks.push((message.params as { chunk: string }).chunk);
  });
  const call = (method: string) =>
    new Promise<unknown>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      socket.send(JSON.stringify({ id, method }));
    });
  return {
    async heapUsedAfterGc(): Promise<number> {
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
      const usage = (await call('Runtime.getHeapUsage')) as { usedSize: number };
      return usage.usedSize;
    },
    async snapshot(file: string) {
      chunks = [];
      await call('HeapProfiler.takeHeapSnapshot');
      fs.writeFileSync(file, chunks.join(''));
      chunks = [];
    },
    async close() {
      if (socket.readyState === socket.OPEN) socket.close();
    },
  };
}
