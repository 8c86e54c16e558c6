import { App, type CustomRoute, HTTPReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import { checkpointFileSink, readCheckpointFile } from './adapters/checkpoints/checkpoint-file.js';
import { createKeyedSerialiser } from './adapters/memory/keyed-serialiser.js';
import { createMemoryReplayIds } from './adapters/memory/replay-ids.js';
import { createLoneReplica } from './adapters/memory/replica-registry.js';
import { anchorChannelSink, readAnchorChannel } from './adapters/slack/anchor-channel.js';
import { createKeepAliveFetch } from './adapters/slack/keep-alive-fetch.js';
import { createUserGroupResolver } from './adapters/slack/usergroups.js';
import type { LogLevel } from './config.js';
import type { CheckpointReading } from './domain/audit/anchor-check.js';
import type { AuditAnchoring } from './domain/audit/anchoring.js';
import { anchorAppends, type CheckpointSink, createCheckpointer } from './domain/audit/checkpointer.js';
import { reportInterruptedCalls } from './domain/audit/report-interrupted-calls.js';
import { every, realClock } from './domain/clock.js';
import { createSlackLogger, slackLogLevel } from './logger.js';
import { instrumentAudit, instrumentIssuer } from './service/instrument.js';
import type { Metrics } from './service/metrics.js';
import type { Readiness } from './service/readiness.js';
import { serviceRoutes } from './service/routes.js';
import { createApprovalJobs } from './slack/approval-jobs.js';
import type { AppDeps, ListenerDeps } from './slack/deps.js';
import { createRouter } from './slack/listeners/router.js';
import { createGate } from './slack/middleware/gate.js';
import { refuseUnprocessable } from './slack/receiver-errors.js';
import { createResponseUrlVault } from './slack/response-urls.js';
import { createRevealTimers } from './slack/reveal-timers.js';
import { createTaskTracker } from './slack/task-tracker.js';

/** How often this replica renews its heartbeat and looks for siblings that stopped without leaving. */
export const HEARTBEAT_EVERY_MS = 5_000;

export type ReceiverMode =
  /** HTTP on `POST /slack/events`, signatures checked. */
  | { kind: 'http'; signingSecret: string }
  /** Socket Mode with the app-level token; `routes` (health, metrics) are served on `healthPort` when set. */
  | { kind: 'socket'; appToken: string; healthPort?: number }
  /** No network: bodies are handed to `app.processEvent` (tests, the offline shell). */
  | { kind: 'in-process' };

export interface CreateAppOptions {
  botToken: string;
  /** Known from auth.test at start-up; given, Bolt makes no Slack call while building the app. */
  botUserId?: string;
  botId?: string;
  receiver: ReceiverMode;
  /** Where Web API calls go (a proxy, or a fake in tests); Slack's own by default. */
  slackApiUrl?: string;
  logLevel: LogLevel;
  /**
   * Metrics, the operation log and readiness: the audit store and the issuer are wrapped, and
   * /healthz, /readyz, /metrics are served on the HTTP port (or the socket receiver's healthPort).
   */
  service?: { metrics: Metrics; readiness: Readiness; metricsToken?: string | undefined };
  /** How long last-known user-group members are trusted while Slack reads fail (default 15 min). */
  userGroupMaxStaleMs?: number;
  /** Web API timeout and retries: tests and the shell want them short. */
  webApiTimeoutMs?: number;
  webApiRetries?: number;
}

export interface CardopsApp {
  app: App;
  deps: ListenerDeps;
  receiver: Receiver | undefined;
  /** Resolves when no request or background task is in flight. */
  idle(): Promise<void>;
  /** Call once at start, before serving: cancels left mid-call become `unknown` (never re-run). */
  recoverOnStart(): Promise<void>;
  /** Starts the periodic jobs (the approval expiry sweep); their timers never keep the process alive. */
  startBackgroundJobs(): void;
  stopBackgroundJobs(): void;
  /** Runs the approval expiry sweep at once (tests). */
  sweepApprovalsNow(): Promise<void>;
  /** Replaces every secret still on screen with a hidden notice (call first on shutdown). */
  hideRevealedNow(): Promise<void>;
  /** Signs and publishes a checkpoint of the audit head now, if it moved (tests; shutdown uses closeAnchoring). */
  checkpointNow(): Promise<void>;
  /** Makes the shutdown checkpoint and stops the checkpoint timers; call after idle(), before the store closes. */
  closeAnchoring(): Promise<void>;
}

/** Builds the Bolt app with every listener; never listens or calls Slack by itself. */
export function createApp(plainDeps: AppDeps, options: CreateAppOptions): CardopsApp {
  const logger = plainDeps.logger;
  const service = options.service;
  const appDeps: AppDeps = service
    ? {
        ...plainDeps,
        audit: instrumentAudit(plainDeps.audit, service.metrics, logger),
        issuer: instrumentIssuer(plainDeps.issuer, { ...service, logger }),
      }
    : plainDeps;
  const routes: CustomRoute[] = service ? serviceRoutes(service) : [];
  const slackLogger = createSlackLogger(logger, 'bolt');
  const logLevel = slackLogLevel(options.logLevel);
  const tasks = createTaskTracker(logger);

  let receiver: Receiver | undefined;
  if (options.receiver.kind === 'http') {
    receiver = new HTTPReceiver({
      signingSecret: options.receiver.signingSecret,
      endpoints: '/slack/events',
      logger: slackLogger,
      logLevel,
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: 3001,
      processEventErrorHandler: refuseUnprocessable(slackLogger),
      customRoutes: routes,
    });
  } else if (options.receiver.kind === 'socket') {
    const healthPort = options.receiver.healthPort;
    receiver = new SocketModeReceiver({
      appToken: options.receiver.appToken,
      logger: slackLogger,
      logLevel,
      // apps.connections.open goes to the configured Slack API URL, like every other Web API call.
      installerOptions: {
        ...(options.slackApiUrl ? { clientOptions: { slackApiUrl: options.slackApiUrl } } : {}),
        ...(healthPort !== undefined ? { port: healthPort } : {}),
      },
      customRoutes: healthPort !== undefined ? routes : [],
    });
  } else {
    receiver = { init: () => {}, start: async () => {}, stop: async () => {} };
  }

  const app = new App({
    token: options.botToken,
    botUserId: options.botUserId ?? 'U0CARDBOT',
    botId: options.botId ?? 'B0CARDBOT',
    receiver,
    logger: slackLogger,
    logLevel,
    // Bolt's per-conversation store is not used, and costs a lookup on every request.
    convoStore: false,
    // ignoreSelf drops the bot's own message events; cardops listens to none (its one event,
    // app_home_opened, is a person's), so it would only be one more middleware on every request.
    ignoreSelf: false,
    clientOptions: {
      // Web API calls and respond() posts over undici's keep-alive pool (see keep-alive-fetch.ts).
      fetch: createKeepAliveFetch(),
      logger: createSlackLogger(logger, 'web-api'),
      logLevel,
      ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
      timeout: options.webApiTimeoutMs ?? 10_000,
      retryConfig: { retries: options.webApiRetries ?? 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
    },
  });

  const clock = appDeps.clock ?? realClock;
  const userGroups =
    appDeps.userGroups ??
    createUserGroupResolver({
      logger,
      now: () => clock.now().getTime(),
      ...(options.userGroupMaxStaleMs !== undefined ? { maxStaleMs: options.userGroupMaxStaleMs } : {}),
      listUsers: async (groupId) => {
        const answer = await app.client.usergroups.users.list({ usergroup: groupId });
        return answer.users ?? [];
      },
    });

  if (service) {
    service.metrics.sources.staleUserGroups = () => userGroups.staleGroups().length;
    service.metrics.sources.pendingApprovals = async () => (await appDeps.approvals.listPending()).length;
  }

  const anchoring = createAnchoring(appDeps, app);
  const deps: ListenerDeps = {
    ...appDeps,
    audit: anchoring.checkpointer ? anchorAppends(appDeps.audit, anchoring.checkpointer) : appDeps.audit,
    anchoring,
    now: appDeps.now ?? (() => clock.now()),
    userGroups,
    vault: createResponseUrlVault(() => clock.now().getTime()),
    serialise: appDeps.cardLocks ?? createKeyedSerialiser(),
    replayIds: appDeps.replayIds ?? createMemoryReplayIds(),
    replicas: appDeps.replicas ?? createLoneReplica(),
    tasks,
    revealHideMs: appDeps.revealHideMs ?? 60_000,
    reveals: createRevealTimers({ logger, tasks, clock }),
    requesterReplies: new Map(),
  };

  // Every delivery goes through the gate, which runs the handler the router picks: cardops
  // registers no Bolt listeners (see router.ts for why).
  app.use(
    createGate({
      logger,
      tasks,
      replayIds: deps.replayIds,
      route: createRouter(deps),
      ...(service ? { onAck: (kind: 'command' | 'interaction' | 'event') => service.metrics.acks.inc({ kind }) } : {}),
    }),
  );

  app.error(async (error) => {
    logger.error({ err: error }, 'unhandled error in a listener');
  });

  const approvalJobs = createApprovalJobs(deps, app.client, { clock });

  // A sibling whose heartbeat is older than this cannot still be waiting on an issuer call.
  const staleMs = (appDeps.issuerTimeoutMs ?? 10_000) + 3 * HEARTBEAT_EVERY_MS;
  /**
   * Closes as `unknown` the work of owners that can no longer finish it: everyone but `spare`.
   * One replica at a time (a lock across replicas), so two never write the same `unknown` rows.
   */
  const recover = (spare: readonly string[]) =>
    deps.serialise.run('cardops:recovery', async () => {
      await approvalJobs.recover({ spare });
      // After the approvals recovery: its `unknown` rows close the interrupted cancels' calls.
      await reportInterruptedCalls({ audit: deps.audit, logger }, { spare });
    });
  let stopHeartbeat: (() => void) | undefined;
  /**
   * Runs `job` unless its previous run is still going: a beat or a sweep that hangs (a row lock, a
   * stalled connection) must not be joined by another every 5 s, each holding a pooled connection
   * the requests need. The two are apart so that a sweep stuck on a sibling's row never stops this
   * replica's own beat.
   */
  const singleFlight = (job: () => Promise<void>) => {
    let running = false;
    return async () => {
      if (running) return;
      running = true;
      try {
        await job();
      } finally {
        running = false;
      }
    };
  };
  const beat = singleFlight(() => deps.replicas.beat());
  const sweepStale = singleFlight(async () => {
    // A sibling that stopped without leaving: whoever removes its heartbeat closes its work.
    const gone = await deps.replicas.forgetStale(staleMs);
    if (gone.length === 0) return;
    logger.warn({ replicas: gone }, 'replicas stopped without leaving: closing their unfinished calls as unknown');
    await recover([deps.replicas.id, ...(await deps.replicas.liveSiblings(staleMs))]);
  });

  return {
    app,
    deps,
    receiver,
    idle: () => tasks.idle(),
    hideRevealedNow: () => deps.reveals.hideAll(),
    recoverOnStart: async () => {
      // Before serving: everything unfinished belongs to a stopped process, except live siblings' work.
      await recover(await deps.replicas.liveSiblings(staleMs));
    },
    startBackgroundJobs: () => {
      approvalJobs.start();
      stopHeartbeat ??= every(clock, HEARTBEAT_EVERY_MS, () => {
        tasks.run('replica heartbeat', beat);
        tasks.run('stale replica sweep', sweepStale);
      });
    },
    stopBackgroundJobs: () => {
      approvalJobs.stop();
      stopHeartbeat?.();
      stopHeartbeat = undefined;
    },
    sweepApprovalsNow: async () => {
      await approvalJobs.sweepNow();
    },
    checkpointNow: async () => {
      await anchoring.checkpointer?.checkpointNow('time');
    },
    closeAnchoring: async () => {
      await anchoring.checkpointer?.close();
    },
  };
}

/**
 * Signed checkpoints (SPEC §7): published to the policy's anchor channel (read at each
 * checkpoint, so a policy reload applies) and the checkpoint file, and read back from both.
 */
function createAnchoring(appDeps: AppDeps, app: App): AuditAnchoring {
  const signer = appDeps.checkpoints?.signer;
  if (!signer) return { signer: undefined, checkpointer: undefined, readCheckpoints: async () => [] };
  const file = appDeps.checkpoints?.file;
  const channel = () => appDeps.policy.current().audit.anchorChannel;
  const sinks = (): CheckpointSink[] => {
    const out: CheckpointSink[] = [];
    const anchor = channel();
    if (anchor) out.push(anchorChannelSink(app.client, anchor));
    if (file) out.push(checkpointFileSink(file));
    return out;
  };
  const checkpointer = createCheckpointer({
    audit: appDeps.audit,
    signer,
    sinks,
    clock: appDeps.checkpoints?.clock ?? appDeps.clock ?? realClock,
    logger: appDeps.logger,
  });
  return {
    signer,
    checkpointer,
    async readCheckpoints() {
      const readings: CheckpointReading[] = [];
      const anchor = channel();
      if (anchor) readings.push(await readAnchorChannel(app.client, anchor));
      if (file) readings.push(await readCheckpointFile(file));
      return readings;
    },
  };
}
