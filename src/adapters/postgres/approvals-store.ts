import type {
  ApprovalRequest,
  ApprovalsStore,
  ClaimResult,
  CreateApprovalResult,
  FinishResult,
  NewApprovalRequest,
  RejectResult,
} from '../../domain/approvals/approval-types.js';
import {
  type ApprovalRecord,
  checkTtl,
  ID_ATTEMPTS,
  INTERRUPTED,
  NOT_POSTED,
  newApprovalId,
  sortByCreation,
  toRequest,
} from '../shared/approval-rows.js';
import { storableFreeText, storableId } from '../shared/stored-text.js';
import { inTransaction, type Pool } from './pool.js';

export interface PgApprovalsStoreOptions {
  /** This replica's id: recorded as the owner of the requests it files and claims. */
  replica: string;
  now?: () => Date;
}

const LIVE = "state IN ('pending', 'executing')";

/**
 * The approvals table of SPEC §6 on PostgreSQL, shared by every replica. Every state change is one
 * conditional UPDATE whose row count decides who won (under READ COMMITTED a second UPDATE of the
 * same row waits for the first, then re-checks its condition), so parallel clicks on any replicas
 * run a request once. One live request per card is a partial unique index.
 */
export function createPgApprovalsStore(pool: Pool, options: PgApprovalsStoreOptions): ApprovalsStore {
  const clock = options.now ?? (() => new Date());
  const iso = (at?: Date) => (at ?? clock()).toISOString();
  const { replica } = options;

  async function one(text: string, values: unknown[]): Promise<ApprovalRecord | undefined> {
    const result = await pool.query<ApprovalRecord>(text, values);
    return result.rows[0];
  }

  async function get(id: string): Promise<ApprovalRequest | undefined> {
    const row = await one('SELECT * FROM approvals WHERE id = $1', [id]);
    return row ? toRequest(row) : undefined;
  }

  async function create(input: NewApprovalRequest): Promise<CreateApprovalResult> {
    checkTtl(input.ttlMs);
    return inTransaction(pool, async (client) => {
      const now = clock();
      const expired = await client.query<ApprovalRecord>(
        `UPDATE approvals SET state = 'expired' WHERE card_id = $1 AND state = 'pending' AND expires_at <= $2 RETURNING *`,
        [input.cardId, now.toISOString()],
      );
      const values = [
        storableId(input.cardId),
        storableId(input.requester),
        storableId(input.teamId),
        storableId(input.requestChannel),
        storableFreeText(input.reason) ?? '',
        now.toISOString(),
        new Date(now.getTime() + input.ttlMs).toISOString(),
        replica,
      ];
      for (let attempt = 0; attempt < ID_ATTEMPTS; attempt += 1) {
        // ON CONFLICT DO NOTHING covers both the id and the one-live-request-per-card index: a
        // request filed at the same moment on another replica makes this one wait, then yield.
        const inserted = await client.query<ApprovalRecord>(
          `INSERT INTO approvals (id, op, card_id, requester, team_id, request_channel, reason, state, created_at, expires_at, owner)
           VALUES ($1, 'cancel', $2, $3, $4, $5, $6, 'pending', $7, $8, $9)
           ON CONFLICT DO NOTHING RETURNING *`,
          [newApprovalId(), ...values],
        );
        const row = inserted.rows[0];
        if (row)
          return { created: true, request: toRequest(row), expired: sortByCreation(expired.rows.map(toRequest)) };
        const live = await client.query<ApprovalRecord>(`SELECT * FROM approvals WHERE card_id = $1 AND ${LIVE}`, [
          input.cardId,
        ]);
        if (live.rows[0]) return { created: false, existing: toRequest(live.rows[0]) };
        // Otherwise the random id was taken: draw again.
      }
      throw new Error('could not draw a free approval id');
    });
  }

  return {
    create,
    async attachMessage(id, channel, ts) {
      const result = await pool.query('UPDATE approvals SET message_channel = $1, message_ts = $2 WHERE id = $3', [
        channel,
        ts,
        id,
      ]);
      return result.rowCount === 1;
    },
    async discard(id) {
      const result = await pool.query(
        "UPDATE approvals SET state = 'failed', error = $1 WHERE id = $2 AND state = 'pending'",
        [NOT_POSTED, id],
      );
      return result.rowCount === 1;
    },
    async claim(id, approver, now): Promise<ClaimResult> {
      // The requester check repeats the domain rule (never approve your own request) as a last guard.
      const row = await one(
        `UPDATE approvals SET state = 'executing', decided_by = $2, decided_at = $3, owner = $4
         WHERE id = $1 AND state = 'pending' AND expires_at > $3 AND requester <> $2 RETURNING *`,
        [id, approver, iso(now), replica],
      );
      if (row) return { claimed: true, request: toRequest(row) };
      return { claimed: false, request: await get(id) };
    },
    async finish(id, state, details = {}): Promise<FinishResult> {
      // A request this replica runs may have been marked `unknown` by a sibling that took it for
      // dead (its heartbeat stalled): the real outcome still settles it, and says it came late.
      const row = await one(
        `UPDATE approvals SET state = $1, trace_id = coalesce($2, trace_id), error = $3
         WHERE id = $4 AND (state = 'executing' OR (state = 'unknown' AND owner = $5 AND error = $6))
         RETURNING *, (SELECT a.state FROM approvals a WHERE a.id = $4) AS previous`,
        [state, details.traceId ?? null, storableFreeText(details.error), id, replica, INTERRUPTED],
      );
      if (row) {
        const { previous, ...record } = row as ApprovalRecord & { previous: string };
        const late = previous === 'unknown';
        return late
          ? { finished: true, request: toRequest(record), late: true }
          : { finished: true, request: toRequest(record) };
      }
      return { finished: false, request: await get(id) };
    },
    async reject(id, by, reason, now): Promise<RejectResult> {
      const row = await one(
        `UPDATE approvals SET state = 'rejected', decided_by = $2, decided_at = $3, decision_reason = $4
         WHERE id = $1 AND state = 'pending' AND expires_at > $3 RETURNING *`,
        [id, by, iso(now), storableFreeText(reason)],
      );
      if (row) return { rejected: true, request: toRequest(row) };
      return { rejected: false, request: await get(id) };
    },
    async expireDue(now) {
      // Every replica sweeps; SKIP LOCKED hands each due request to exactly one of them at once.
      const result = await pool.query<ApprovalRecord>(
        `UPDATE approvals SET state = 'expired'
         WHERE id IN (SELECT id FROM approvals WHERE state = 'pending' AND expires_at <= $1 FOR UPDATE SKIP LOCKED)
           AND state = 'pending'
         RETURNING *`,
        [iso(now)],
      );
      return sortByCreation(result.rows.map(toRequest));
    },
    async markInterrupted(opts = {}) {
      const cutoff = opts.claimedBefore ? opts.claimedBefore.toISOString() : '9999-12-31T23:59:59.999Z';
      const spare = [...(opts.spare ?? [])];
      const result = await pool.query<ApprovalRecord>(
        `UPDATE approvals SET state = 'unknown', error = $1
         WHERE state = 'executing' AND decided_at < $2 AND (owner IS NULL OR NOT owner = ANY($3::text[]))
         RETURNING *`,
        [INTERRUPTED, cutoff, spare],
      );
      return sortByCreation(result.rows.map(toRequest));
    },
    get,
    async pendingForCard(cardId) {
      const row = await one(`SELECT * FROM approvals WHERE card_id = $1 AND ${LIVE}`, [cardId]);
      return row ? toRequest(row) : undefined;
    },
    async listPending() {
      const result = await pool.query<ApprovalRecord>(
        "SELECT * FROM approvals WHERE state = 'pending' ORDER BY created_at, id",
      );
      return result.rows.map(toRequest);
    },
    async listByRequester(user, limit) {
      const result = await pool.query<ApprovalRecord>(
        'SELECT * FROM approvals WHERE requester = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
        [user, Math.max(1, Math.min(1000, Math.floor(limit)))],
      );
      return result.rows.map(toRequest);
    },
  };
}
