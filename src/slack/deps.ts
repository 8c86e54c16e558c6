import type { CardIssuer } from '../adapters/issuer/card-issuer.js';
import type { UserGroupResolver } from '../adapters/slack/usergroups.js';
import type { SqliteAuditStore } from '../adapters/sqlite/audit-store.js';
import type { ApprovalsStore } from '../domain/approvals/approval-types.js';
import type { AuditAnchoring } from '../domain/audit/anchoring.js';
import type { CheckpointSigner } from '../domain/audit/checkpoint.js';
import type { CheckpointClock } from '../domain/audit/checkpointer.js';
import type { RevealOffersStore } from '../domain/cards/reveal-offers.js';
import type { PolicyStore } from '../domain/policy/load-policy.js';
import type { Logger } from '../logger.js';
import type { KeyedSerialiser } from './keyed-serialiser.js';
import type { ResponseUrlVault } from './response-urls.js';
import type { RevealTimers } from './reveal-timers.js';

/** What the app is built from: the outside world, handed in (STYLE: only main and app touch infrastructure). */
export interface AppDeps {
  logger: Logger;
  issuer: CardIssuer;
  audit: SqliteAuditStore;
  approvals: ApprovalsStore;
  /** Reveal buttons waiting for their click, shared by every replica (no secret in them). */
  revealOffers: RevealOffersStore;
  policy: PolicyStore;
  /** True when the issuer is the embedded sandbox: every answer says so. */
  sandbox: boolean;
  now?: () => Date;
  /** Resolves user-group membership; built on the app's Web API client when not given. */
  userGroups?: UserGroupResolver;
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
  serialise: KeyedSerialiser;
  tasks: TaskTracker;
  revealHideMs: number;
  /** Shown secrets waiting to be hidden and reveals under way: this process only (SPEC §9). */
  reveals: RevealTimers;
  /** Approval id → vault handle of the requester's response_url, to tell them the outcome. Memory only. */
  requesterReplies: Map<string, string>;
  anchoring: AuditAnchoring;
}
