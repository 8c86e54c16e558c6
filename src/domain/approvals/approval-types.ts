/**
 * Where a two-person request stands (SPEC §6). `pending` and `executing` are live: at most one
 * live request per card. The others are final, except that nothing ever leaves `unknown` on its own.
 * - `executing`: an approver claimed it; the issuer call is under way
 * - `done` / `failed`: the issuer answered; `unknown`: it did not, or the process stopped mid-call
 * - `rejected` by an approver; `expired` after its ttl; `failed` with error `not posted` when the
 *   approval message could not be posted
 */
export const APPROVAL_STATES = ['pending', 'executing', 'done', 'failed', 'unknown', 'rejected', 'expired'] as const;

export type ApprovalState = (typeof APPROVAL_STATES)[number];

export type ApprovalOp = 'cancel';

export interface ApprovalRequest {
  /** `CR-` and 8 Crockford base32 characters (40 random bits). */
  id: string;
  op: ApprovalOp;
  cardId: string;
  requester: string;
  teamId: string | null;
  /** Where the command was typed. The response_url is never stored: it is a secret. */
  requestChannel: string | null;
  reason: string;
  state: ApprovalState;
  /** ISO-8601 UTC with milliseconds. */
  createdAt: string;
  expiresAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  /** The approval message in the approvals channel, once posted. */
  messageChannel: string | null;
  messageTs: string | null;
  /** The issuer's traceId of the cancel call. */
  traceId: string | null;
  error: string | null;
  /**
   * The replica that filed or, once claimed, runs the request, where the engine records it
   * (PostgreSQL): recovery leaves a live sibling's requests alone.
   */
  owner?: string | null;
}

export interface NewApprovalRequest {
  cardId: string;
  requester: string;
  teamId: string | null;
  requestChannel: string | null;
  reason: string;
  ttlMs: number;
}

export type CreateApprovalResult =
  /** `expired`: live requests for the same card that had outlived their ttl, expired to make room. */
  | { created: true; request: ApprovalRequest; expired: ApprovalRequest[] }
  /** The card already has a live (pending or executing) request. */
  | { created: false; existing: ApprovalRequest };

export type ClaimResult =
  | { claimed: true; request: ApprovalRequest }
  | { claimed: false; request: ApprovalRequest | undefined };

export type RejectResult =
  | { rejected: true; request: ApprovalRequest }
  | { rejected: false; request: ApprovalRequest | undefined };

export type FinishResult =
  /**
   * `late`: the request had been marked `unknown` by a sibling that took this replica for dead;
   * the real outcome settled it (the approval thread should say so).
   */
  | { finished: true; request: ApprovalRequest; late?: boolean }
  | { finished: false; request: ApprovalRequest | undefined };

/** Options of `markInterrupted`: which executing requests a stopped process left behind. */
export interface InterruptedFilter {
  /** Only requests claimed before this time. */
  claimedBefore?: Date;
  /**
   * Requests claimed by these replicas (live siblings, see ReplicaRegistry.liveSiblings) are left
   * alone: their owner may still finish them. Unset or empty: any owner, as with one process on
   * SQLite, where every executing row at start-up is a leftover.
   */
  spare?: readonly string[];
}

/**
 * The approvals table (SPEC §6), implemented per engine in src/adapters/. Every method is one
 * statement or one transaction, async (decision 0006). Rows are never deleted.
 */
export interface ApprovalsStore {
  /** Files a request, unless the card already has a live one. */
  create(input: NewApprovalRequest): Promise<CreateApprovalResult>;
  /** Records where the approval message was posted. */
  attachMessage(id: string, channel: string, ts: string): Promise<boolean>;
  /** Voids a pending request whose message could not be posted (state `failed`, error `not posted`). */
  discard(id: string): Promise<boolean>;
  /**
   * Pending and unexpired → executing, for one caller only: the exactly-once gate before the issuer
   * call. The claiming replica is recorded as the request's owner.
   */
  claim(id: string, approver: string, now?: Date): Promise<ClaimResult>;
  /**
   * Executing → done / failed / unknown. Also `unknown` → final when recovery had marked the
   * request interrupted while its owner, this replica, was still running it (a late real outcome).
   */
  finish(
    id: string,
    state: 'done' | 'failed' | 'unknown',
    details?: { traceId?: string | null; error?: string | null },
  ): Promise<FinishResult>;
  /** Pending and unexpired → rejected. */
  reject(id: string, by: string, reason: string | null, now?: Date): Promise<RejectResult>;
  /** Pending past their expiry → expired; returns the requests moved (each by exactly one caller). */
  expireDue(now?: Date): Promise<ApprovalRequest[]>;
  /** Executing → unknown, for requests a stopped process left mid-call; returns them. */
  markInterrupted(options?: InterruptedFilter): Promise<ApprovalRequest[]>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  /** The card's live (pending or executing) request. */
  pendingForCard(cardId: string): Promise<ApprovalRequest | undefined>;
  /** Pending requests, oldest first. */
  listPending(): Promise<ApprovalRequest[]>;
  /** The user's requests, newest first. */
  listByRequester(user: string, limit: number): Promise<ApprovalRequest[]>;
}
