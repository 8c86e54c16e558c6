import { randomBytes } from 'node:crypto';
import type { ApprovalRequest, ApprovalState } from '../../domain/approvals/approval-types.js';

/** An approvals row as both engines store it (snake_case columns). */
export interface ApprovalRecord {
  id: string;
  op: 'cancel';
  card_id: string;
  requester: string;
  team_id: string | null;
  request_channel: string | null;
  reason: string;
  state: ApprovalState;
  created_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  message_channel: string | null;
  message_ts: string | null;
  trace_id: string | null;
  error: string | null;
  /** PostgreSQL only: the replica that filed or claimed the request. */
  owner?: string | null;
}

// Crockford base32: no I, L, O, U, so an id read aloud or retyped is unambiguous.
const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Draws before giving up on finding a free id (40 random bits: a second draw is already rare). */
export const ID_ATTEMPTS = 5;
export const NOT_POSTED = 'not posted';
export const INTERRUPTED = 'interrupted: the process stopped during the issuer call';

/** `CR-` and 8 base32 characters from 40 random bits. */
export function newApprovalId(): string {
  const bytes = randomBytes(5);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 7; i >= 0; i -= 1) out += ID_ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return `CR-${out}`;
}

export function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('ttlMs must be a positive number');
}

export function sortByCreation(requests: ApprovalRequest[]): ApprovalRequest[] {
  // RETURNING gives rows in no defined order.
  return requests.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export function toRequest(row: ApprovalRecord): ApprovalRequest {
  const request: ApprovalRequest = {
    id: row.id,
    op: row.op,
    cardId: row.card_id,
    requester: row.requester,
    teamId: row.team_id,
    requestChannel: row.request_channel,
    reason: row.reason,
    state: row.state,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
    messageChannel: row.message_channel,
    messageTs: row.message_ts,
    traceId: row.trace_id,
    error: row.error,
  };
  if (row.owner !== undefined) request.owner = row.owner;
  return request;
}
