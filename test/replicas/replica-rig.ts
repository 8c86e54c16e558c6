import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { AuditRow, VerifyResult } from '../../src/domain/audit/audit-types.js';
import { chainHash, GENESIS_HASH, toChainedTuple } from '../../src/domain/audit/hash-chain.js';
import { type FakeSlack, type SlackMessage, startFakeSlack } from '../../src/shell/fake-slack.js';
import { DEMO_CHANNELS, DEMO_USERGROUPS, DEMO_USERS } from '../../src/shell/offline-bot.js';
import { encodeDelivery, signRequest } from '../../src/shell/slack-driver.js';
import {
  CHILD_BOT_TOKEN,
  CHILD_SIGNING_SECRET,
  type ChildBot,
  commandBody,
  ROOT,
  spawnChildBot,
  waitUntilAnswering,
} from '../helpers/child-bot.js';
import { clickOn } from '../helpers/slack-bodies.js';
import { type StubIssuer, type StubIssuerOptions, startStubIssuer } from '../helpers/stub-issuer.js';

/**
 * Several real cardops processes (`node dist/main.js`, as `npm start` runs it) serving one Slack
 * app over one PostgreSQL database (SPEC §9), each on its own loopback port, as a load balancer
 * would spread deliveries over them. Slack (a fake) and the issuer (a stub) live in the test
 * process, so they survive a replica's SIGKILL and remember everything that reached them.
 */

export const ALICE = 'U0AGENT01';
export const BOB = 'U0AGENT02';
export const CAROL = 'U0SENIOR1';
export const DAVE = 'U0ONCALL1';
export const ERIN = 'U0ONCALL2';
export const SUPPORT = 'C0SUPPORT';
export const SECURE = 'C0SECURE';
export const APPROVALS = 'C0APPROVE';

/** Builds dist/ when it is missing or older than a source file (CI builds it in `npm ci`). */
export function ensureBuilt(): void {
  const built = path.join(ROOT, 'dist', 'main.js');
  const newest = (dir: string): number =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .reduce(
        (latest, entry) =>
          Math.max(
            latest,
            entry.isDirectory() ? newest(path.join(dir, entry.name)) : fs.statSync(path.join(dir, entry.name)).mtimeMs,
          ),
        0,
      );
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest(path.join(ROOT, 'src'))) return;
  // The project's build (scripts/build.mjs, esbuild): tsconfig.build.json is gone since 0008.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface Delivery {
  raw: string;
  headers: Record<string, string>;
}

export interface ReplicaRig {
  readonly slack: FakeSlack;
  readonly issuer: StubIssuer;
  readonly databaseUrl: string;
  /** The replicas by index; a killed one stays in place until `restart(i)`. */
  readonly replicas: ChildBot[];
  /** A signed slash-command delivery with its own response_url and trigger_id. */
  command(user: string, text: string, channel?: string, command?: string): Delivery & { responseUrl: string };
  /** A signed click on a message's button. */
  click(user: string, message: SlackMessage, actionId: string): Delivery;
  /** Posts a delivery to replica `i` as Slack would; resolves with the HTTP status. */
  send(i: number, delivery: Delivery): Promise<number>;
  /** The message a first post to this response_url created (later posts may replace it), once it is there. */
  messageAt(responseUrl: string, what?: string): Promise<SlackMessage>;
  /** Starts replica `i` again (after a kill), on the same database, and waits until it answers. */
  restart(i: number): Promise<ChildBot>;
  output(): string;
  close(): Promise<void>;
}

export interface ReplicaRigOptions {
  databaseUrl: string;
  replicas: number;
  issuer?: StubIssuerOptions;
  issuerTimeoutMs?: number;
  env?: Record<string, string>;
}

export async function startReplicaRig(options: ReplicaRigOptions): Promise<ReplicaRig> {
  ensureBuilt();
  const slack = await startFakeSlack({
    botToken: CHILD_BOT_TOKEN,
    channels: DEMO_CHANNELS.map((c) => ({ ...c })),
    users: DEMO_USERS.map((u) => ({ id: u.id, name: u.name })),
    usergroups: DEMO_USERGROUPS,
  });
  const issuer = await startStubIssuer(options.issuer ?? {});
  // SQLite is not used with DATABASE_URL; the folder only holds what a replica might write by mistake.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-replicas-'));
  const replicas: ChildBot[] = [];
  // The fake adds the message of a response_url post right after recording the post, in the same
  // turn: the two hooks pair them, so a test can find the message a command's answer created.
  const byResponseUrl = new Map<string, SlackMessage>();
  let posting: string | undefined;
  const pushPost = slack.responsePosts.push.bind(slack.responsePosts);
  slack.responsePosts.push = (...posts) => {
    posting = posts.at(-1)?.url;
    queueMicrotask(() => {
      posting = undefined;
    });
    return pushPost(...posts);
  };
  const pushMessage = slack.messages.push.bind(slack.messages);
  slack.messages.push = (...messages) => {
    const message = messages.at(-1);
    if (posting && message && !byResponseUrl.has(posting)) byResponseUrl.set(posting, message);
    posting = undefined;
    return pushMessage(...messages);
  };
  const outputs: string[] = [];

  const sign = (raw: string, contentType: string): Delivery => ({
    raw,
    headers: { 'content-type': contentType, ...signRequest(CHILD_SIGNING_SECRET, raw) },
  });
  const helpBody = () =>
    commandBody({
      teamId: slack.teamId,
      user: ALICE,
      channel: SUPPORT,
      command: '/card',
      text: 'help',
      responseUrl: slack.newResponseUrl(ALICE, SUPPORT),
      triggerId: slack.newTriggerId(ALICE, SUPPORT),
    });

  const spawn = async (i: number) => {
    const bot = await spawnChildBot({
      runner: 'node',
      entry: 'dist/main.js',
      databasePath: path.join(dir, `replica-${i}.db`),
      slackApiUrl: slack.apiUrl,
      issuerBaseUrl: issuer.url,
      issuerTimeoutMs: options.issuerTimeoutMs ?? 10_000,
      env: { DATABASE_URL: options.databaseUrl, ...options.env },
    });
    replicas[i] = bot;
    outputs.push('');
    const slot = outputs.length - 1;
    bot.child.stdout?.on('data', () => {
      outputs[slot] = `[replica ${i}, pid ${bot.pid}]\n${bot.output()}`;
    });
    bot.child.stderr?.on('data', () => {
      outputs[slot] = `[replica ${i}, pid ${bot.pid}]\n${bot.output()}`;
    });
    await waitUntilAnswering(bot, helpBody, { timeoutMs: 60_000, intervalMs: 50 });
    return bot;
  };

  const rig: ReplicaRig = {
    slack,
    issuer,
    databaseUrl: options.databaseUrl,
    replicas,
    command(user, text, channel = SUPPORT, command = '/card') {
      const responseUrl = slack.newResponseUrl(user, channel);
      const { raw, contentType } = encodeDelivery({
        kind: 'command',
        body: commandBody({
          teamId: slack.teamId,
          user,
          channel,
          command,
          text,
          responseUrl,
          triggerId: slack.newTriggerId(user, channel),
        }),
      });
      return { ...sign(raw, contentType), responseUrl };
    },
    click(user, message, actionId) {
      const { raw, contentType } = encodeDelivery({
        kind: 'interaction',
        body: clickOn(slack, user, message, actionId),
      });
      return sign(raw, contentType);
    },
    async send(i, delivery) {
      const bot = replicas[i];
      if (!bot) throw new Error(`no replica ${i}`);
      const response = await fetch(bot.url, { method: 'POST', headers: delivery.headers, body: delivery.raw });
      await response.text();
      return response.status;
    },
    messageAt(responseUrl, what = 'a message posted to a response_url') {
      return waitFor(() => byResponseUrl.get(responseUrl), what);
    },
    restart: (i) => spawn(i),
    output: () => outputs.join('\n'),
    async close() {
      await Promise.all(replicas.map((bot) => bot?.kill('SIGKILL')));
      await issuer.close();
      await slack.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // One after the other: the first one migrates the schema.
    for (let i = 0; i < options.replicas; i += 1) await spawn(i);
  } catch (error) {
    await rig.close();
    throw error;
  }
  return rig;
}

export interface ReplicaState {
  rows: AuditRow[];
  approvals: { id: string; cardId: string; state: string }[];
  verified: VerifyResult;
}

/** What the shared database holds now: the audit rows in chain order, the approvals, and the chain's verification. */
export async function readReplicaState(databaseUrl: string): Promise<ReplicaState> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const audit = await client.query('SELECT * FROM audit ORDER BY id');
    const rows: AuditRow[] = audit.rows.map((r) => ({
      id: Number(r.id),
      ts: r.ts instanceof Date ? r.ts.toISOString() : String(r.ts),
      actor: r.actor,
      teamId: r.team_id,
      channelId: r.channel_id,
      op: r.op,
      cardId: r.card_id,
      outcome: r.outcome,
      reason: r.reason,
      approvalId: r.approval_id,
      traceId: r.trace_id,
      error: r.error,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
    const approvals = (await client.query('SELECT id, card_id, state FROM approvals ORDER BY created_at')).rows.map(
      (r) => ({ id: String(r.id), cardId: String(r.card_id), state: String(r.state) }),
    );
    return { rows, approvals, verified: verifyChain(rows) };
  } finally {
    await client.end();
  }
}

/** The chain checked here, independently of the store's own verify: each row links to the one before and hashes to itself. */
function verifyChain(rows: AuditRow[]): VerifyResult {
  let prev = GENESIS_HASH;
  for (const [n, row] of rows.entries()) {
    if (row.id !== n + 1) return { checked: n, ok: false, firstBroken: { id: row.id, problem: 'deleted-before' } };
    if (row.prevHash !== prev) return { checked: n, ok: false, firstBroken: { id: row.id, problem: 'bad-link' } };
    if (chainHash(prev, toChainedTuple(row)) !== row.hash) {
      return { checked: n, ok: false, firstBroken: { id: row.id, problem: 'edited' } };
    }
    prev = row.hash;
  }
  return { checked: rows.length, ok: true };
}
