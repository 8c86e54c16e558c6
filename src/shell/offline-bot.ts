import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { createCardIssuer, createSandboxIssuer } from '../adapters/issuer/create-issuer.js';
import { createApprovalsStore } from '../adapters/sqlite/approvals-store.js';
import { createAuditStore } from '../adapters/sqlite/audit-store.js';
import { closeDatabase, type Database, openDatabase } from '../adapters/sqlite/database.js';
import { createRevealOffersStore } from '../adapters/sqlite/reveal-offers-store.js';
import { type CardopsApp, type CreateAppOptions, createApp } from '../app.js';
import type { LogLevel } from '../config.js';
import type { ApprovalsStore } from '../domain/approvals/approval-types.js';
import type { AuditStore } from '../domain/audit/audit-types.js';
import type { CardIssuer } from '../domain/cards/card-issuer.js';
import { type Clock, realClock } from '../domain/clock.js';
import { createPolicyStore, loadPolicyFile, type PolicyStore } from '../domain/policy/load-policy.js';
import type { Policy } from '../domain/policy/policy-schema.js';
import { createLogger, type Logger } from '../logger.js';
import { type Sandbox, startSandbox } from '../sandbox/server.js';
import type { AppDeps } from '../slack/deps.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import {
  createSlackDriver,
  httpTransport,
  processEventTransport,
  type SlackDriver,
  type Transport,
} from './slack-driver.js';

/** The people and channels of the example policy, as the offline Slack knows them. */
export const DEMO_USERS = [
  { id: 'U0AGENT01', name: 'alice', about: 'agent' },
  { id: 'U0AGENT02', name: 'bob', about: 'agent through the user group S0SUPPORT' },
  { id: 'U0SENIOR1', name: 'carol', about: 'senior' },
  { id: 'U0ONCALL1', name: 'dave', about: 'approver' },
  { id: 'U0ONCALL2', name: 'erin', about: 'approver' },
  { id: 'U0MANAGER', name: 'mallory', about: 'manager' },
  { id: 'U0STRANGE', name: 'stranger', about: 'no role at all' },
] as const;

export const DEMO_CHANNELS = [
  { id: 'C0SUPPORT', name: 'support', botMember: true },
  { id: 'C0SECURE', name: 'secure-support', botMember: true },
  { id: 'C0APPROVE', name: 'card-approvals', botMember: true },
  { id: 'C0AUDITLOG', name: 'audit-checkpoints', botMember: true },
  { id: 'C0RANDOM', name: 'random', botMember: false },
] as const;

export const DEMO_USERGROUPS = { S0SUPPORT: ['U0AGENT02'] };

export const SIGNING_SECRET_FOR_TESTS = 'offline-signing-secret';
export const BOT_TOKEN_FOR_TESTS = 'xoxb-offline-bot-token';

export interface OfflineBotOptions {
  /**
   * How the bot speaks to the sandbox (which serves both dialects): `sandbox` as `npm start` does
   * with CARD_API_PROVIDER=sandbox (Sovera, with limits through PayCaddy's paths), or one dialect
   * alone. Sovera when not given.
   */
  provider?: 'sovera' | 'paycaddy' | 'sandbox';
  policyFile?: string;
  /** Overrides the policy's cancel approval ttl (the shell's `--ttl`). */
  approvalTtlMs?: number;
  /** A folder for the database; a new temporary one by default. */
  dataDir?: string;
  databasePath?: string;
  logLevel?: LogLevel;
  logDestination?: DestinationStream;
  /**
   * `http`: the app listens on loopback and requests are signed, as from Slack. `socket`: the
   * app connects in Socket Mode to `socketMode`, which plays Slack's WebSocket side.
   */
  transport?: 'in-process' | 'http' | 'socket';
  socketMode?: SocketModeStandIn;
  issuerTimeoutMs?: number;
  sandboxSlowMs?: number;
  revealHideMs?: number;
  /** An issuer other than the embedded sandbox (a fake in a test). */
  issuer?: CardIssuer;
  issuerBaseUrl?: string;
  now?: () => Date;
  /**
   * What every timer runs on, the app's and the stand-in for Slack's (response_url and trigger_id
   * lifetimes); `now` defaults to its time. The wall clock by default; the shell's is simulated.
   */
  clock?: Clock;
  signingSecret?: string;
  botToken?: string;
  /** Web API retries (default 0); fault tests set them to see Retry-After honoured. */
  webApiRetries?: number;
  /** Where Web API calls go instead of the fake Slack (an unreachable address in a fault test); response_urls still reach the fake. */
  slackApiUrl?: string;
  /** Metrics, readiness and the operation log, with /healthz, /readyz, /metrics in http mode. */
  service?: CreateAppOptions['service'];
  userGroupMaxStaleMs?: number;
  /** An already open database instead of opening `databasePath` (a read-only connection in a fault test). */
  database?: Database;
  /** Signed audit checkpoints: the signer, the checkpoint file, the clock their timers run on. */
  checkpoints?: AppDeps['checkpoints'];
}

/** Slack's Socket Mode side for `transport: 'socket'` (a test helper provides one). */
export interface SocketModeStandIn {
  appToken: string;
  /** Makes the fake Slack answer `apps.connections.open`; returns how deliveries reach the app. */
  attach(slack: FakeSlack): Promise<{ transport: Transport; close(): Promise<void> }>;
}

export interface OfflineBot {
  slack: FakeSlack;
  driver: SlackDriver;
  bot: CardopsApp;
  sandbox: Sandbox | undefined;
  db: Database;
  audit: AuditStore;
  approvals: ApprovalsStore;
  logger: Logger;
  /** The clock the app and the stand-in for Slack run on. */
  clock: Clock;
  databasePath: string;
  /** The app's URL in http mode. */
  url: string | undefined;
  /** Stops the app, then the issuer and Slack stand-ins; removes the temporary folder it made. */
  close(): Promise<void>;
}

/** The whole bot offline: the real app, the sandbox issuer, a stand-in for Slack, a real SQLite file. */
export async function startOfflineBot(options: OfflineBotOptions = {}): Promise<OfflineBot> {
  const logger = createLogger({
    level: options.logLevel ?? 'silent',
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const madeDir = options.dataDir === undefined && options.databasePath === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-'));
  const databasePath = options.databasePath ?? path.join(dataDir, 'cardops.db');
  const policyFile = options.policyFile ?? path.resolve(import.meta.dirname, '../../policy.example.yml');
  const loaded = await loadPolicyFile(policyFile);
  if (!loaded.ok) throw new PolicyFileError(loaded.problems);
  if (options.approvalTtlMs !== undefined && !loaded.policy.approvals.cancel) {
    throw new PolicyFileError([`${policyFile}: has no approvals.cancel section, so there is no approval ttl to set`]);
  }

  const sandbox =
    options.issuer || options.issuerBaseUrl
      ? undefined
      : await startSandbox({ ...(options.sandboxSlowMs ? { slowMs: options.sandboxSlowMs } : {}) });
  const issuerOptions = {
    baseUrl: options.issuerBaseUrl ?? sandbox?.url ?? '',
    apiKey: 'offline-sandbox-key',
    authHeader: 'X-API-KEY',
    timeoutMs: options.issuerTimeoutMs ?? 2_000,
    readRetryDelayMs: 50,
  };
  const provider = options.provider ?? 'sovera';
  const issuer =
    options.issuer ??
    (provider === 'sandbox' ? createSandboxIssuer(issuerOptions) : createCardIssuer(provider, issuerOptions));
  const db = options.database ?? openDatabase(databasePath, { logger });
  const clock = options.clock ?? realClock;
  const now = options.now ?? (() => clock.now());
  const audit = createAuditStore(db, { now, logger });
  const approvals = createApprovalsStore(db, { now });
  const botToken = options.botToken ?? BOT_TOKEN_FOR_TESTS;
  const slack = await startFakeSlack({
    botToken,
    channels: DEMO_CHANNELS.map((c) => ({ ...c })),
    users: DEMO_USERS.map((u) => ({ id: u.id, name: u.name })),
    usergroups: DEMO_USERGROUPS,
    now: () => clock.now().getTime(),
  });
  const signingSecret = options.signingSecret ?? SIGNING_SECRET_FOR_TESTS;
  const http = options.transport === 'http';
  const socketMode = options.transport === 'socket' ? options.socketMode : undefined;
  if (options.transport === 'socket' && !socketMode) throw new Error("transport 'socket' needs socketMode");
  const socket = socketMode ? await socketMode.attach(slack) : undefined;
  const bot = createApp(
    {
      logger,
      issuer,
      audit,
      approvals,
      revealOffers: createRevealOffersStore(db),
      policy: withApprovalTtl(
        createPolicyStore({ path: policyFile, initial: loaded.policy, logger }),
        options.approvalTtlMs,
      ),
      sandbox: sandbox !== undefined,
      now,
      clock,
      ...(options.revealHideMs !== undefined ? { revealHideMs: options.revealHideMs } : {}),
      ...(options.checkpoints ? { checkpoints: options.checkpoints } : {}),
    },
    {
      botToken,
      receiver: socketMode
        ? { kind: 'socket', appToken: socketMode.appToken }
        : http
          ? { kind: 'http', signingSecret }
          : { kind: 'in-process' },
      slackApiUrl: options.slackApiUrl ?? slack.apiUrl,
      logLevel: options.logLevel ?? 'silent',
      webApiTimeoutMs: 2_000,
      webApiRetries: options.webApiRetries ?? 0,
      ...(options.service ? { service: options.service } : {}),
      ...(options.userGroupMaxStaleMs !== undefined ? { userGroupMaxStaleMs: options.userGroupMaxStaleMs } : {}),
    },
  );
  await bot.recoverOnStart();
  bot.startBackgroundJobs();
  let url: string | undefined;
  let server: import('node:http').Server | undefined;
  if (http) {
    server = (await bot.app.start({ port: 0, host: '127.0.0.1' })) as import('node:http').Server;
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slack/events`;
  }
  if (socket) await bot.app.start();
  const driver = createSlackDriver({
    slack,
    transport: socket
      ? socket.transport
      : http && url
        ? httpTransport(url, signingSecret)
        : processEventTransport(bot.app),
    idle: () => bot.idle(),
  });
  return {
    slack,
    driver,
    bot,
    sandbox,
    db,
    audit,
    approvals,
    logger,
    clock,
    databasePath,
    url,
    async close() {
      bot.stopBackgroundJobs();
      await bot.idle();
      if (http || socket) await bot.app.stop();
      await socket?.close();
      await bot.closeAnchoring();
      await audit.close();
      closeDatabase(db);
      await sandbox?.close();
      await slack.close();
      if (madeDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The policy file could not be used: each problem is one line naming the file. */
export class PolicyFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`policy: ${problems.join('; ')}`);
    this.name = 'PolicyFileError';
  }
}

/** The policy in force with the cancel approval ttl replaced (kept across reloads). */
function withApprovalTtl(store: PolicyStore, ttlMs: number | undefined): PolicyStore {
  if (ttlMs === undefined) return store;
  let seen: Policy | undefined;
  let shaped: Policy | undefined;
  return {
    current() {
      const policy = store.current();
      if (policy !== seen || !shaped) {
        seen = policy;
        const cancel = policy.approvals.cancel;
        shaped = cancel ? { ...policy, approvals: { ...policy.approvals, cancel: { ...cancel, ttlMs } } } : policy;
      }
      return shaped;
    },
    reload: () => store.reload(),
  };
}
