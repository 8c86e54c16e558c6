// First, before any other module is evaluated: holds SIGHUP from the earliest moment (see the file).
import './early-signals.js';
import type { Server } from 'node:http';
import type { SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { createCardIssuer, createSandboxIssuer } from './adapters/issuer/create-issuer.js';
import { slackErrorCode } from './adapters/slack/usergroups.js';
import { openStores, type Stores } from './adapters/stores.js';
import { createApp } from './app.js';
import { type Config, parseConfig, readEnvironment, redactedDatabaseUrl } from './config.js';
import { groupsReferenced } from './domain/policy/authorise.js';
import { createPolicyStore, loadPolicyFile } from './domain/policy/load-policy.js';
import { onHangup } from './early-signals.js';
import { createLogger, createSlackLogger, type Logger } from './logger.js';
import { type Sandbox, startSandbox } from './sandbox/server.js';
import { startIdleCollector } from './service/idle-gc.js';
import { createMetrics } from './service/metrics.js';
import { createReadiness } from './service/readiness.js';

/** Exit codes: 2 = configuration or policy, 3 = Slack refused or unreachable at start, 4 = database. */
const EXIT_CONFIG = 2;
const EXIT_SLACK = 3;
const EXIT_DATABASE = 4;
const SHUTDOWN_GRACE_MS = 10_000;

function fail(code: number, lines: string[]): never {
  for (const line of lines) process.stderr.write(`cardops: ${line}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const parsed = parseConfig(readEnvironment(), 'start');
  if (!parsed.ok) fail(EXIT_CONFIG, parsed.problems);
  const config = parsed.config;
  const logger = createLogger({ level: config.logLevel, issuerAuthHeader: config.issuer.authHeader });

  const loaded = await loadPolicyFile(config.policyFile);
  if (!loaded.ok) fail(EXIT_CONFIG, loaded.problems);
  for (const warning of loaded.warnings) logger.warn({ policyFile: config.policyFile }, warning);
  if (config.audit.signer) {
    logger.info({ key: config.audit.signer.fingerprint }, 'audit checkpoints are signed');
  } else {
    logger.warn(
      'AUDIT_SIGNING_KEY_FILE is not set: the audit log is unanchored, and every /card-audit verify will say so (npm run audit:keygen)',
    );
  }
  const policy = createPolicyStore({ path: config.policyFile, initial: loaded.policy, logger });

  // Slack first: a refused token is the commonest first-start mistake, and nothing else is opened yet.
  const botToken = config.slack.botToken ?? '';
  const probe = new WebClient(botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    logger: createSlackLogger(logger, 'web-api'),
    retryConfig: { retries: 1 },
    timeout: 10_000,
  });
  let identity: { userId: string | undefined; botId: string | undefined };
  try {
    const answer = await probe.auth.test();
    identity = { userId: answer.user_id, botId: answer.bot_id };
  } catch (error) {
    const code = slackErrorCode(error);
    fail(
      EXIT_SLACK,
      code === 'invalid_auth' || code === 'not_authed' || code === 'account_inactive' || code === 'token_revoked'
        ? [`SLACK_BOT_TOKEN: Slack refused the token (${code}). Copy the Bot User OAuth Token (xoxb-…) again.`]
        : [`Slack could not be reached to check SLACK_BOT_TOKEN (${code}). Check the network or SLACK_API_URL.`],
    );
  }

  let stores: Stores;
  try {
    stores = await openStores(config.database, { logger });
    // Registered before serving, so siblings starting now see this replica alive.
    await stores.replicas.beat();
  } catch (error) {
    fail(EXIT_DATABASE, [databaseProblem(config.database, error)]);
  }
  const { audit, approvals, revealOffers, replayIds, cardLocks, replicas } = stores;
  if (stores.engine === 'postgres')
    logger.info({ replica: replicas.id }, 'cardops shares its PostgreSQL database with any other replica');

  let sandbox: Sandbox | undefined;
  if (config.issuer.provider === 'sandbox') {
    sandbox = await startSandbox({ logger });
    logger.warn(
      { url: sandbox.url },
      'CARD_API_PROVIDER=sandbox: the embedded sandbox issuer answers; no real card is touched',
    );
  }
  const issuerOptions = {
    baseUrl: sandbox?.url ?? config.issuer.baseUrl ?? '',
    apiKey: config.issuer.apiKey,
    authHeader: config.issuer.authHeader,
    timeoutMs: config.issuer.timeoutMs,
  };
  const issuer =
    config.issuer.provider === 'sandbox'
      ? createSandboxIssuer(issuerOptions)
      : createCardIssuer(config.issuer.provider, issuerOptions);

  const socketMode = config.slack.appToken !== undefined;
  if (socketMode) await checkAppToken(config.slack.appToken ?? '', config.slack.apiUrl, logger);

  const metrics = createMetrics();
  const readiness = createReadiness({
    // SQLite: the file, its folder and the disk. PostgreSQL: a write rolled back.
    databaseWritable: () => stores.writable(),
    policyLoaded: () => policy.current() !== undefined,
  });
  readiness.setSlack(socketMode ? { ok: false, why: 'Socket Mode not connected yet' } : { ok: true });
  const bot = createApp(
    {
      logger,
      issuer,
      audit,
      approvals,
      revealOffers,
      replayIds,
      cardLocks,
      replicas,
      policy,
      sandbox: sandbox !== undefined,
      issuerTimeoutMs: config.issuer.timeoutMs,
      checkpoints: {
        ...(config.audit.signer ? { signer: config.audit.signer } : {}),
        ...(config.audit.checkpointFile ? { file: config.audit.checkpointFile } : {}),
      },
    },
    {
      botToken,
      ...(identity.userId ? { botUserId: identity.userId } : {}),
      ...(identity.botId ? { botId: identity.botId } : {}),
      receiver: socketMode
        ? {
            kind: 'socket',
            appToken: config.slack.appToken ?? '',
            ...(config.healthPort !== undefined ? { healthPort: config.healthPort } : {}),
          }
        : { kind: 'http', signingSecret: config.slack.signingSecret ?? '' },
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
      logLevel: config.logLevel,
      service: { metrics, readiness, metricsToken: config.metricsToken },
      userGroupMaxStaleMs: config.usergroupMaxStaleMs,
    },
  );

  await bot.recoverOnStart();
  void bot.deps.userGroups.refresh(groupsReferenced(policy.current()));
  if (socketMode) {
    await connectSocketMode(bot, (state) => readiness.setSlack(state));
    logger.info(
      config.healthPort !== undefined ? { healthPort: config.healthPort } : {},
      'cardops is connected to Slack in Socket Mode',
    );
  } else {
    const server = (await bot.app.start(config.port)) as Server;
    const address = server.address();
    logger.info(
      { port: typeof address === 'object' && address ? address.port : config.port },
      'cardops listens on POST /slack/events',
    );
  }
  bot.startBackgroundJobs();
  const idleCollector = startIdleCollector({ logger, onCollect: () => metrics.idleCollections.inc() });

  const reload = () => {
    // The policy store runs reloads one after another; each applied one loads the groups it
    // names now, not on a first request racing a trigger_id.
    policy
      .reload()
      .then((applied) => {
        if (applied) void bot.deps.userGroups.refresh(groupsReferenced(policy.current()));
      })
      .catch((error: unknown) => logger.error({ err: error }, 'policy reload failed; keeping the last good policy'));
  };
  onHangup(reload);
  logger.info({ pid: process.pid }, 'send SIGHUP to pid %d to reload the policy, SIGTERM to stop', process.pid);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new requests; finishing those in flight');
    const force = setTimeout(() => {
      logger.error('requests still in flight after the grace period; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    try {
      await bot.app.stop();
    } catch (error) {
      logger.warn({ err: error }, 'receiver did not stop cleanly');
    }
    bot.stopBackgroundJobs();
    idleCollector.stop();
    // Secrets on screen are hidden first, in case the grace period runs out, and again after the
    // requests in flight, which may have revealed more.
    await bot.hideRevealedNow();
    await bot.idle();
    await bot.hideRevealedNow();
    // The last checkpoint anchors every row written before the stop.
    await bot.closeAnchoring();
    await replicas.leave().catch((error: unknown) => logger.warn({ err: error }, 'replica heartbeat not removed'));
    await stores.close();
    await sandbox?.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/**
 * Socket Mode's client retries a refused app token (not_allowed_token_type, token_revoked) and an
 * unreachable Slack for ever, logging through Bolt only: ask `apps.connections.open` once first,
 * with the same URL the receiver will use, and stop with one line and exit 3 as for the bot token.
 */
async function checkAppToken(appToken: string, apiUrl: string | undefined, logger: Logger): Promise<void> {
  const client = new WebClient(undefined, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    headers: { Authorization: `Bearer ${appToken}` },
    logger: createSlackLogger(logger, 'web-api'),
    retryConfig: { retries: 1 },
    timeout: 10_000,
  });
  try {
    await client.apps.connections.open({});
  } catch (error) {
    const code = slackErrorCode(error);
    const refused = ['invalid_auth', 'not_authed', 'not_allowed_token_type', 'account_inactive', 'token_revoked'];
    fail(
      EXIT_SLACK,
      refused.includes(code)
        ? [
            `SLACK_APP_TOKEN: Slack refused the app-level token (${code}). Copy it again from Basic Information → App-Level Tokens (xapp-…, scope connections:write).`,
          ]
        : [
            `Slack could not be reached to open a Socket Mode connection (${code}). Check the network or SLACK_API_URL.`,
          ],
    );
  }
}

/** How long the first WebSocket connection may take before the bot gives up with exit 3. */
const SOCKET_CONNECT_TIMEOUT_MS = 30_000;

/**
 * Starts the Socket Mode receiver. The first connection must succeed (else exit 3 with one line:
 * the client would otherwise retry silently for ever); later drops reconnect by themselves, and
 * /readyz says `slack: …` while the connection is down.
 */
async function connectSocketMode(
  bot: ReturnType<typeof createApp>,
  setSlack: (state: { ok: true } | { ok: false; why: string }) => void,
): Promise<void> {
  const client = (bot.receiver as SocketModeReceiver).client;
  const failed = new Promise<string>((resolve) => {
    client.once('reconnecting', () => resolve('the WebSocket connection could not be opened'));
    setTimeout(
      () => resolve(`no connection after ${SOCKET_CONNECT_TIMEOUT_MS / 1000} s`),
      SOCKET_CONNECT_TIMEOUT_MS,
    ).unref();
  });
  const outcome = await Promise.race([
    bot.app.start().then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    ),
    failed,
  ]);
  if (outcome !== undefined) {
    fail(EXIT_SLACK, [`Slack Socket Mode: ${outcome}. Check the network (wss:// to Slack) or SLACK_API_URL.`]);
  }
  setSlack({ ok: true });
  client.on('connected', () => setSlack({ ok: true }));
  client.on('disconnected', () => setSlack({ ok: false, why: 'Socket Mode disconnected' }));
  client.on('reconnecting', () => setSlack({ ok: false, why: 'Socket Mode reconnecting' }));
}

/** One line naming the database without its password, and why it could not be opened. */
function databaseProblem(choice: Config['database'], error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (choice.engine === 'sqlite') return `DATABASE_PATH: ${choice.path}: ${message}`;
  const code = error && typeof error === 'object' && 'code' in error ? ` (${String(error.code)})` : '';
  return `DATABASE_URL: ${redactedDatabaseUrl(choice.url)}: ${message}${code}`;
}

main().catch((error: unknown) => {
  // The last resort: one line, never a stack trace with request data in it.
  process.stderr.write(`cardops: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
