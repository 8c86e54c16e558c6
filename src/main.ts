import type { Server } from 'node:http';
import { WebClient } from '@slack/web-api';
import { createCardIssuer, createSandboxIssuer } from './adapters/issuer/create-issuer.js';
import { slackErrorCode } from './adapters/slack/usergroups.js';
import { openStores, type Stores } from './adapters/stores.js';
import { createApp } from './app.js';
import { type Config, parseConfig, readEnvironment, redactedDatabaseUrl } from './config.js';
import { groupsReferenced } from './domain/policy/authorise.js';
import { createPolicyStore, loadPolicyFile } from './domain/policy/load-policy.js';
import { createLogger, createSlackLogger } from './logger.js';
import { type Sandbox, startSandbox } from './sandbox/server.js';

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
        ? { kind: 'socket', appToken: config.slack.appToken ?? '' }
        : { kind: 'http', signingSecret: config.slack.signingSecret ?? '' },
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
      logLevel: config.logLevel,
    },
  );

  await bot.recoverOnStart();
  void bot.deps.userGroups.refresh(groupsReferenced(policy.current()));
  if (socketMode) {
    await bot.app.start();
    logger.info('cardops is connected to Slack in Socket Mode');
  } else {
    const server = (await bot.app.start(config.port)) as Server;
    const address = server.address();
    logger.info(
      { port: typeof address === 'object' && address ? address.port : config.port },
      'cardops listens on POST /slack/events',
    );
  }
  bot.startBackgroundJobs();

  process.on('SIGHUP', () => {
    policy
      .reload()
      .then((applied) => {
        // Groups the new policy names are loaded now, not on a first request racing a trigger_id.
        if (applied) void bot.deps.userGroups.refresh(groupsReferenced(policy.current()));
      })
      .catch((error: unknown) => logger.error({ err: error }, 'policy reload failed; keeping the last good policy'));
  });

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
