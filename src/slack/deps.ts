import type { UserGroupResolver } from '../adapters/slack/usergroups.js';
import type { ApprovalsStore } from '../domain/approvals/approval-types.js';
import type { AuditAnchoring } from '../domain/audit/anchoring.js';
import type { AuditStore } from '../domain/audit/audit-types.js';
import type { CheckpointSigner } from '../domain/audit/checkpoint.js';
import type { CheckpointClock } from '../domain/audit/checkpointer.js';
import type { CardIssuer } from '../domain/cards/card-issuer.js';
import type { KeyedLocks } from '../domain/cards/keyed-locks.js';
import type { RevealOffersStore } from '../domain/cards/reveal-offers.js';
import type { Clock } from '../domain/clock.js';
import type { ReplayIds } from '../domain/deliveries/replay-ids.js';
import type { PolicyStore } from '../domain/policy/load-policy.js';
import type { ReplicaRegistry } from '../domain/replicas/replica-registry.js';
import type { Logger } from '../logger.js';
import type { ResponseUrlVault } from './response-urls.js';
import type { RevealTimers } from './reveal-timers.js';

/** What the app is built from: the outside world, handed in (STYLE: only main and app touch infrastructure). */
export interface AppDeps {
  logger: Logger;
  issuer: CardIssuer;
  audit: AuditStore;
  approvals: ApprovalsStore;
  /** Delivery ids seen lately; in this process's memory when not given (one process on SQLite). */
  replayIds?: ReplayIds;
  /** The per-card activation lock; an in-process queue per card when not given (one process on SQLite). */
  cardLocks?: KeyedLocks;
  /** This replica and its siblings; a lone process when not given (SQLite). */
  replicas?: ReplicaRegistry;
  /** Reveal buttons waiting for their click, shared by every replica (no secret in them). */
  revealOffers: RevealOffersStore;
  policy: PolicyStore;
  /** True when the issuer is the embedded sandbox: every answer says so. */
  sandbox: boolean;
  now?: () => Date;
  /**
   * What every timer runs on (the approval sweep and reminders, hiding shown secrets, the heartbeat,
   * checkpoints, response_url lifetimes); its `now` is the app's when `now` is not given. The wall
   * clock by default; the offline shell's is simulated, so `wait 30m` moves everything at once.
   */
  clock?: Clock;
  /** Resolves user-group membership; built on the app's Web API client when not given. */
  userGroups?: UserGroupResolver;
  /** The issuer call timeout (CARD_API_TIMEOUT_MS): a sibling silent for longer cannot still be waiting on a call. */
  issuerTimeoutMs?: number;
  /** How long a revealed secret stays on screen before it is replaced (SPEC: 60 s). */
  revealHideMs?: number;
  /** Signed audit checkpoints (SPEC §7); without a signer the log is unanchored. */
  checkpoints?: { signer?: CheckpointSigner; file?: string; clock?: CheckpointClock };
}

/** Background work a listener starts after answering; drained on shutdown and in tests. */
export interface TaskTracker {
  run(name: string, task: () => Promise<void>): void;
  /** Resolves when no request and no background task is in flight. */
  idle(): Promise<void>;
  readonly active: number;
}

/** What every listener receives. */
export interface ListenerDeps extends AppDeps {
  now: () => Date;
  userGroups: UserGroupResolver;
  vault: ResponseUrlVault;
  /** One activation check per card at a time, so parallel submissions cannot outrun its lock. */
  serialise: KeyedLocks;
  replayIds: ReplayIds;
  replicas: ReplicaRegistry;
  tasks: TaskTracker;
  revealHideMs: number;
  /** Shown secrets waiting to be hidden and reveals under way: this process only (SPEC §9). */
  reveals: RevealTimers;
  /** Approval id → vault handle of the requester's response_url, to tell them the outcome. Memory only. */
  requesterReplies: Map<string, string>;
  anchoring: AuditAnchoring;
}
