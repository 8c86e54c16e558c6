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
import type { Database } from './database.js';

export interface ApprovalsStoreOptions {
  now?: () => Date;
}

export { INTERRUPTED, NOT_POSTED, newApprovalId };

/**
 * The approvals table of SPEC §6. Every state change is a conditional UPDATE whose `changes`
 * decides who won, so parallel clicks, replicas and restarts cannot run a request twice.
 */
export function createApprovalsStore(db: Database, options: ApprovalsStoreOptions = {}): ApprovalsStore {
  const clock = options.now ?? (() => new Date());
  const iso = (at?: Date) => (at ?? clock()).toISOString();

  const byId = db.prepare<[string], ApprovalRecord>('SELECT * FROM approvals WHERE id = ?');
  const liveForCard = db.prepare<[string], ApprovalRecord>(
    "SELECT * FROM approvals WHERE card_id = ? AND state IN ('pending', 'executing')",
  );
  const expireCard = db.prepare<[string, string], ApprovalRecord>(
    "UPDATE approvals SET state = 'expired' WHERE card_id = ? AND state = 'pending' AND expires_at <= ? RETURNING *",
  );
  const insert = db.prepare(
    `INSERT INTO approvals (id, op, card_id, requester, team_id, request_channel, reason, state, created_at, expires_at)
     VALUES (@id, 'cancel', @cardId, @requester, @teamId, @requestChannel, @reason, 'pending', @createdAt, @expiresAt)
     ON CONFLICT DO NOTHING`,
  );
  const attach = db.prepare('UPDATE approvals SET message_channel = ?, message_ts = ? WHERE id = ?');
  const voidPending = db.prepare("UPDATE approvals SET state = 'failed', error = ? WHERE id = ? AND state = 'pending'");
  // The requester check repeats the domain rule (never approve your own request) as a last guard.
  const claimStmt = db.prepare<[{ id: string; approver: string; now: string }], ApprovalRecord>(
    `UPDATE approvals SET state = 'executing', decided_by = @approver, decided_at = @now
     WHERE id = @id AND state = 'pending' AND expires_at > @now AND requester <> @approver RETURNING *`,
  );
  const finishStmt = db.prepare<[string, string | null, string | null, string], ApprovalRecord>(
    `UPDATE approvals SET state = ?, trace_id = coalesce(?, trace_id), error = ?
     WHERE id = ? AND state = 'executing' RETURNING *`,
  );
  const rejectStmt = db.prepare<[{ id: string; by: string; reason: string | null; now: string }], ApprovalRecord>(
    `UPDATE approvals SET state = 'rejected', decided_by = @by, decided_at = @now, decision_reason = @reason
     WHERE id = @id AND state = 'pending' AND expires_at > @now RETURNING *`,
  );
  const expireStmt = db.prepare<[string], ApprovalRecord>(
    "UPDATE approvals SET state = 'expired' WHERE state = 'pending' AND expires_at <= ? RETURNING *",
  );
  const interruptStmt = db.prepare<[string, string], ApprovalRecord>(
    "UPDATE approvals SET state = 'unknown', error = ? WHERE state = 'executing' AND decided_at < ? RETURNING *",
  );
  const pendingStmt = db.prepare<[], ApprovalRecord>(
    "SELECT * FROM approvals WHERE state = 'pending' ORDER BY created_at, id",
  );
  const byRequester = db.prepare<[string, number], ApprovalRecord>(
    'SELECT * FROM approvals WHERE requester = ? ORDER BY created_at DESC, id DESC LIMIT ?',
  );

  const createTx = db.transaction((input: NewApprovalRequest): CreateApprovalResult => {
    const now = clock();
    const expired = expireCard.all(input.cardId, now.toISOString()).map(toRequest);
    const values = {
      cardId: storableId(input.cardId),
      requester: storableId(input.requester),
      teamId: storableId(input.teamId),
      requestChannel: storableId(input.requestChannel),
      reason: storableFreeText(input.reason) ?? '',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + input.ttlMs).toISOString(),
    };
    for (let attempt = 0; attempt < ID_ATTEMPTS; attempt += 1) {
      const id = newApprovalId();
      if (insert.run({ id, ...values }).changes === 1) {
        return { created: true, request: toRequest(byId.get(id)!), expired };
      }
      const live = liveForCard.get(input.cardId);
      if (live) return { created: false, existing: toRequest(live) };
      // Otherwise the random id was taken: draw again.
    }
    throw new Error('could not draw a free approval id');
  });

  return {
    async create(input) {
      checkTtl(input.ttlMs);
      return createTx.immediate(input);
    },
    async attachMessage(id, channel, ts) {
      return attach.run(channel, ts, id).changes === 1;
    },
    async discard(id) {
      return voidPending.run(NOT_POSTED, id).changes === 1;
    },
    async claim(id, approver, now): Promise<ClaimResult> {
      const row = claimStmt.get({ id, approver, now: iso(now) });
      if (row) return { claimed: true, request: toRequest(row) };
      return { claimed: false, request: get(id) };
    },
    async finish(id, state, details = {}): Promise<FinishResult> {
      const row = finishStmt.get(state, details.traceId ?? null, storableFreeText(details.error), id);
      if (row) return { finished: true, request: toRequest(row) };
      return { finished: false, request: get(id) };
    },
    async reject(id, by, reason, now): Promise<RejectResult> {
      const row = rejectStmt.get({ id, by, reason: storableFreeText(reason), now: iso(now) });
      if (row) return { rejected: true, request: toRequest(row) };
      return { rejected: false, request: get(id) };
    },
    async expireDue(now) {
      return sortByCreation(expireStmt.all(iso(now)).map(toRequest));
    },
    async markInterrupted(opts = {}) {
      // At start-up every executing row is a leftover: one process owns the file, so there is no
      // sibling to `spare`. A cut-off older than the longest issuer call spares calls still running.
      const cutoff = opts.claimedBefore ? opts.claimedBefore.toISOString() : '9999-12-31T23:59:59.999Z';
      return sortByCreation(interruptStmt.all(INTERRUPTED, cutoff).map(toRequest));
    },
    async get(id) {
      return get(id);
    },
    async pendingForCard(cardId) {
      const row = liveForCard.get(cardId);
      return row ? toRequest(row) : undefined;
    },
    async listPending() {
      return pendingStmt.all().map(toRequest);
    },
    async listByRequester(user, limit) {
      return byRequester.all(user, Math.max(1, Math.min(1000, Math.floor(limit)))).map(toRequest);
    },
  };

  function get(id: string): ApprovalRequest | undefined {
    const row = byId.get(id);
    return row ? toRequest(row) : undefined;
  }
}
