import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { LOG_LEVELS, type LogLevel, readEnvironment } from '../config.js';
import { PolicyFileError, startOfflineBot } from './offline-bot.js';
import { createCompleter, createShell } from './repl.js';
import { createScriptIO, createTerminalIO, type ShellIO, writerOf } from './shell-io.js';
import { createSimClock, parseWait } from './sim-clock.js';

/*
 * `npm run shell [-- --provider sandbox|sovera|paycaddy] [-- --log-level info]`: the whole bot offline.
 * At a terminal, an interactive session; with stdin from a file or a pipe, a script run line by
 * line (`npm run shell < docs/shell-demo.txt`), each command echoed so the transcript reads well.
 * Time is simulated: `wait 30m` jumps it, and everything due on the way happens (see sim-clock.ts).
 */

const MIN_TTL_MS = 60_000;
const MAX_TTL_MS = 7 * 86_400_000;

const USAGE = `usage: npm run shell -- [--provider sandbox|sovera|paycaddy] [--policy <file>] [--ttl <duration>] [--log-level <level>] [--reveal-hide-seconds <n>]
  --provider             how the bot speaks to the sandbox issuer: sandbox (default, as npm start's default
                         CARD_API_PROVIDER=sandbox: Sovera, with limits), sovera or paycaddy (that dialect only)
  --policy               a policy file like policy.example.yml (the default); its people and channels
                         should be the shell's (users, channels), or nobody may do anything
  --ttl                  how long a cancel request waits for an approver, e.g. 10m, 2h (default: the policy's)
  --log-level            the bot's JSON logs on stderr: ${LOG_LEVELS.join(', ')} (default silent; or LOG_LEVEL)
  --reveal-hide-seconds  how long a revealed secret stays before it is hidden (default 60)
Reads commands from stdin line by line when it is not a terminal.`;

function fail(problem: string): never {
  process.stderr.write(`cardops shell: ${problem}\n`);
  process.exit(2);
}

function usageError(problem: string): never {
  process.stderr.write(`cardops shell: ${problem}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions();
  } catch (error) {
    usageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // The default is npm start's default (CARD_API_PROVIDER=sandbox), so the shell shows what it would.
  const provider = values.provider ?? 'sandbox';
  if (provider !== 'sandbox' && provider !== 'sovera' && provider !== 'paycaddy')
    usageError(`--provider must be sandbox, sovera or paycaddy, not "${provider}"`);
  // Only the real environment: a .env written for `npm start` (LOG_LEVEL=info) should not flood the shell.
  const level = values['log-level'] ?? readEnvironment('').LOG_LEVEL ?? 'silent';
  if (!isLogLevel(level)) usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const hide = values['reveal-hide-seconds'];
  const hideSeconds = hide === undefined ? undefined : Number(hide);
  if (hideSeconds !== undefined && !(Number.isFinite(hideSeconds) && hideSeconds > 0 && hideSeconds <= 3600)) {
    usageError('--reveal-hide-seconds must be a number of seconds from 1 to 3600');
  }

  let ttlMs: number | undefined;
  if (values.ttl !== undefined) {
    ttlMs = parseWait(values.ttl);
    if (ttlMs === undefined || ttlMs < MIN_TTL_MS || ttlMs > MAX_TTL_MS)
      usageError(`--ttl must be a duration from 1m to 7d, like 10m, 2h or 1d, not "${values.ttl}"`);
  }
  // npm runs scripts in the package folder; a relative path is meant from where npm was run.
  const policyFile =
    values.policy === undefined ? undefined : path.resolve(process.env.INIT_CWD ?? process.cwd(), values.policy);

  // A terminal session only when both ends are a terminal: `npm run shell | tee log` wants plain lines.
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  // At a terminal time also passes on its own; a script's clock moves only by `wait`, so it reads the same on any machine.
  const clock = createSimClock({ mode: interactive ? 'flowing' : 'frozen' });
  let bot: Awaited<ReturnType<typeof startOfflineBot>>;
  try {
    bot = await startOfflineBot({
      provider,
      logLevel: level,
      logDestination: pino.destination({ dest: 2, sync: true }),
      clock,
      ...(policyFile !== undefined ? { policyFile } : {}),
      ...(ttlMs !== undefined ? { approvalTtlMs: ttlMs } : {}),
      ...(hideSeconds !== undefined ? { revealHideMs: hideSeconds * 1000 } : {}),
    });
  } catch (error) {
    if (error instanceof PolicyFileError) fail(error.problems.join('; '));
    throw error;
  }
  const io: ShellIO = interactive
    ? createTerminalIO(process.stdin, process.stdout, createCompleter(), () => shell.interrupt())
    : createScriptIO(process.stdin, writerOf(process.stdout));
  const shell = createShell(bot, io, {
    provider,
    clock,
    ...(values.policy !== undefined ? { policyLabel: values.policy } : {}),
  });
  // Killed or hung up: end the input, so the session closes the bot and removes its temporary database.
  const stop = () => {
    shell.interrupt();
    io.close();
    setTimeout(() => process.exit(130), 5_000).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
  let code = 0;
  try {
    await shell.run();
  } catch (error) {
    process.stderr.write(`cardops shell: ${(error as Error).stack ?? String(error)}\n`);
    code = 1;
  } finally {
    io.close();
    // A background job that never settles must not keep the shell from leaving.
    await Promise.race([bot.close(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  }
  process.stdout.write('', () => process.exit(code));
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

function parseOptions() {
  return parseArgs({
    options: {
      provider: { type: 'string' },
      policy: { type: 'string' },
      ttl: { type: 'string' },
      'log-level': { type: 'string' },
      'reveal-hide-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
}

await main();
