/**
 * What an audit row says happened. One row per event (SPEC §7):
 * - `denied`: refused by policy (reason says role or channel), or bad input (`invalid`)
 * - `started` before an issuer call, then `ok`, `failed` or `unknown` (no answer)
 * - `requested`, `approved`, `rejected`, `withdrawn`, `expired`, `refused`, `reminded` for approvals
 *   (`/card-audit op:approval` finds them: APPROVAL_EVENT_OUTCOMES on op `cancel` rows)
 * - `asked` when a request waits for its requester's own confirmation before any call (setting a
 *   limit of 0 removes it); the confirmation's call then carries the same approval id
 * - `matched`, `mismatched`, `locked` for card-in-hand activation checks; `limited` when a check
 *   reaches a limit, `cleared` when an approver clears a card's activation lock
 * - `revealed` for a secret shown to the asker; `limited` when the reveal budget is spent
 * - `queried`, `exported`, `verified` for looks at the audit itself
 */
export const AUDIT_OUTCOMES = [
  'denied',
  'invalid',
  'started',
  'ok',
  'failed',
  'unknown',
  'requested',
  'approved',
  'rejected',
  'withdrawn',
  'expired',
  'refused',
  'matched',
  'mismatched',
  'locked',
  'cleared',
  'revealed',
  'limited',
  'queried',
  'exported',
  'verified',
  'reminded',
  'asked',
] as const;

export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * What `op: 'approval'` means in an AuditFilter: not a stored op but the approval events of cancel
 * requests, rows with op `cancel`, an approval id and one of these outcomes (the issuer call of an
 * approved cancel, `started`/`ok`/…, is the cancel itself, found with `op: 'cancel'`). Every
 * engine's adapter implements it the same way; the conformance suite holds them to it.
 */
export const APPROVAL_OP = 'approval';
export const APPROVAL_EVENT_OUTCOMES = [
  'requested',
  'approved',
  'rejected',
  'withdrawn',
  'expired',
  'refused',
  'reminded',
] as const satisfies readonly AuditOutcome[];

/** One event to record. Free text (`reason`, `error`) is masked for card-number-like runs by the store. */
export interface AuditEventInput {
  actor: string;
  teamId?: string | null;
  channelId?: string | null;
  /** A card op, or `audit` / `command` / `history` for events that are not issuer calls. */
  op: string;
  cardId?: string | null;
  outcome: AuditOutcome;
  reason?: string | null;
  approvalId?: string | null;
  traceId?: string | null;
  error?: string | null;
}

/** A stored row: the §7 columns. */
export interface AuditRow {
  id: number;
  /** ISO-8601 UTC with milliseconds, e.g. 2026-11-21T22:20:17.123Z */
  ts: string;
  actor: string;
  teamId: string | null;
  channelId: string | null;
  op: string;
  cardId: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  approvalId: string | null;
  traceId: string | null;
  error: string | null;
  prevHash: string;
  hash: string;
  /**
   * The replica that wrote the row, where the engine records it (PostgreSQL): recovery leaves a
   * live sibling's calls alone. Not part of the hash, not exported.
   */
  replica?: string | null;
}

export interface AuditFilter {
  actor?: string;
  cardId?: string;
  op?: string;
  outcome?: AuditOutcome;
  channelId?: string;
  /** Inclusive lower bound, ISO UTC. */
  since?: string;
  /** Exclusive upper bound, ISO UTC. */
  until?: string;
}

export interface AuditPage {
  rows: AuditRow[];
  /** Pass back as `before` for the next (older) page; undefined on the last page. */
  nextCursor: number | undefined;
}

export interface VerifyResult {
  checked: number;
  ok: boolean;
  /** The first row whose hash or link does not hold, and why. */
  firstBroken?: { id: number; problem: 'edited' | 'deleted-before' | 'reordered' | 'bad-link' };
}

/** Who touched a card or spent a budget lately: counts rows with `ts >= since`. */
export interface CountRecentQuery {
  actor?: string;
  cardId?: string;
  /** Empty list: nothing matches. */
  ops: readonly string[];
  /** Empty list: nothing matches. */
  outcomes: readonly string[];
  /** Inclusive, ISO UTC. */
  since: string;
}

/**
 * The audit log port (SPEC §7), implemented per engine in src/adapters/. Every method is async:
 * a shared database answers over the network (decision 0006). Rows are never updated or deleted.
 */
export interface AuditStore {
  /** Resolves once the row is durably committed (rows of concurrent callers share one commit). */
  append(event: AuditEventInput): Promise<AuditRow>;
  /** Newest first, at most `limit` rows with id < `before`. */
  query(filter: AuditFilter, options: { limit: number; before?: number }): Promise<AuditPage>;
  /** All matching rows, oldest first, in batches, yielding to the event loop between them. */
  iterate(filter: AuditFilter, batchSize?: number): AsyncGenerator<AuditRow[]>;
  count(filter: AuditFilter): Promise<number>;
  /** Rows of the given ops and outcomes since a time, for one actor and/or card (reveal budget, activation lock). */
  countRecent(query: CountRecentQuery): Promise<number>;
  /** Recomputes the whole chain in chunks, yielding to the event loop between them. */
  verify(options?: { chunkSize?: number; onProgress?: (checked: number) => void }): Promise<VerifyResult>;
  /** Resolves once every append issued so far has settled. */
  flush(): Promise<void>;
  /** Settles pending appends, then refuses new ones with AUDIT_UNAVAILABLE. The database stays open. */
  close(): Promise<void>;
}
