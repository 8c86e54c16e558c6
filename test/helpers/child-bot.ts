import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { encodeDelivery, signRequest } from '../../src/shell/slack-driver.js';

/**
 * The real bot in a child process, as an operator starts it (`node --import tsx src/main.ts`,
 * configured by environment), so a test or the benchmark can load it over signed HTTP, read its
 * memory from /proc, and kill it with SIGKILL. Slack and the issuer stay in the parent (a fake
 * Slack, a sandbox or a stub issuer) so that they survive the kill and remember what reached them.
 */

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHILD_SIGNING_SECRET = 'child-bot-signing-secret';
export const CHILD_BOT_TOKEN = 'xoxb-child-bot-token';
export const CHILD_ISSUER_KEY = 'child-bot-issuer-key';

export interface ChildBotOptions {
  /** Script to run, relative to the repository root; default `src/main.ts`. */
  entry?: string;
  databasePath: string;
  slackApiUrl: string;
  issuerBaseUrl: string;
  provider?: 'sovera' | 'paycaddy';
  port?: number;
  issuerTimeoutMs?: number;
  logLevel?: string;
  policyFile?: string;
  /** Extra environment, e.g. for a bench server. */
  env?: Record<string, string>;
  /** Extra node flags before the script. */
  nodeArgs?: string[];
  /** `tsx` (default): TypeScript through `--import tsx`, as `npm start`; `node`: a built .js entry. */
  runner?: 'tsx' | 'node';
}

export interface ChildBot {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>/slack/events` */
  readonly url: string;
  /** Resolves when the process exits, with its code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resident set size in bytes, from /proc (Linux). */
  rss(): number;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Spawns the bot; resolves at once (see `waitUntilAnswering`). */
export async function spawnChildBot(options: ChildBotOptions): Promise<ChildBot> {
  const port = options.port ?? (await freePort());
  const entry = options.entry ?? 'src/main.ts';
  let output = '';
  const loader = options.runner === 'node' ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      SLACK_BOT_TOKEN: CHILD_BOT_TOKEN,
      SLACK_SIGNING_SECRET: CHILD_SIGNING_SECRET,
      SLACK_API_URL: options.slackApiUrl,
      PORT: String(port),
      CARD_API_PROVIDER: options.provider ?? 'sovera',
      CARD_API_BASE_URL: options.issuerBaseUrl,
      CARD_API_KEY: CHILD_ISSUER_KEY,
      CARD_API_TIMEOUT_MS: String(options.issuerTimeoutMs ?? 10_000),
      POLICY_FILE: options.policyFile ?? path.join(ROOT, 'policy.example.yml'),
      DATABASE_PATH: options.databasePath,
      LOG_LEVEL: options.logLevel ?? 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${entry}`);
  return {
    child,
    pid,
    port,
    url: `http://127.0.0.1:${port}/slack/events`,
    exited,
    output: () => output,
    rss: () => readRss(pid),
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Resident set size of a process in bytes (VmRSS in /proc/<pid>/status). */
export function readRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** A slash-command body as Slack posts it. */
export function commandBody(input: {
  teamId: string;
  user: string;
  channel: string;
  command: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: input.teamId,
    team_domain: 'cardops-test',
    channel_id: input.channel,
    channel_name: input.channel.toLowerCase(),
    user_id: input.user,
    user_name: input.user.toLowerCase(),
    command: input.command,
    text: input.text,
    api_app_id: 'A0CARDOPS',
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  };
}

/** POSTs a slash-command body, signed, as Slack does; resolves with the HTTP status and body. */
export async function postSignedCommand(
  url: string,
  body: Record<string, string>,
  secret = CHILD_SIGNING_SECRET,
  init: { signal?: AbortSignal } = {},
): Promise<{ status: number; text: string }> {
  const { raw, contentType } = encodeDelivery({ kind: 'command', body });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signRequest(secret, raw) },
    body: raw,
    ...(init.signal ? { signal: init.signal } : {}),
  });
  return { status: response.status, text: await response.text() };
}

/**
 * Polls until the bot answers a signed request (a refused connection means "not yet"); resolves
 * with the time it took from `since` (a `performance.now()` reading), or throws with the output.
 */
export async function waitUntilAnswering(
  bot: ChildBot,
  makeBody: () => Record<string, string>,
  options: { since?: number; timeoutMs?: number; intervalMs?: number } = {},
): Promise<number> {
  const since = options.since ?? performance.now();
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (bot.child.exitCode !== null || bot.child.signalCode !== null) {
      throw new Error(`the bot exited before answering:\n${bot.output()}`);
    }
    try {
      const answer = await postSignedCommand(bot.url, makeBody());
      if (answer.status === 200) return performance.now() - since;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 5));
  }
  throw new Error(`the bot did not answer in time:\n${bot.output()}`);
}
