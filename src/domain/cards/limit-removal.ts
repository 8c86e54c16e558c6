import crypto from 'node:crypto';
import type { AuditRow, AuditStore } from '../audit/audit-types.js';
import type { RequestContext } from './execute-card-op.js';
import { REVEAL_OFFER_TTL_MS } from './reveal-offers.js';

/*
 * Setting a limit of 0 removes the card's internal limit (PayCaddy keeps "no limit" as 0), so it
 * is asked back of the requester before anything reaches the issuer: `askLimitRemoval` writes an
 * `asked` row (op `set-limit`, a random confirmation id in `approval_id`) and returns the id for a
 * button only the requester sees; `claimLimitRemoval` judges a press of that button. The audit is
 * the store of these offers: it is shared by every replica on either engine and written anyway, so
 * a press reaching another replica, or coming after a restart, is judged the same. The call the
 * confirmation makes carries the same id, so "already used" is read from the audit too.
 */

/** How long the confirmation button works: as long as a Reveal offer. */
export const LIMIT_REMOVAL_TTL_MS = REVEAL_OFFER_TTL_MS;

/** The form of a confirmation id: `LR-` and 16 base64url characters (button values can be forged). */
export const LIMIT_REMOVAL_ID = /^LR-[A-Za-z0-9_-]{16}$/;

/** What `askLimitRemoval` and the audit rows of a removal say was requested. */
export const LIMIT_REMOVAL_REQUESTED = 'limit requested: 0 (no limit: removes it)';

export type LimitRemovalClaim =
  | { kind: 'ok'; asked: AuditRow }
  | { kind: 'unknown' }
  | { kind: 'not-yours'; asked: AuditRow }
  | { kind: 'expired'; asked: AuditRow }
  | { kind: 'used'; asked: AuditRow };

/** Records that the requester was asked to confirm removing the card's limit; the id for the button. Throws when the row cannot be written. */
export async function askLimitRemoval(
  deps: { audit: AuditStore; now: () => Date },
  ctx: RequestContext,
  cardId: string,
  ttlMs = LIMIT_REMOVAL_TTL_MS,
): Promise<{ id: string; expiresAt: Date }> {
  const id = `LR-${crypto.randomBytes(12).toString('base64url')}`;
  const expiresAt = new Date(deps.now().getTime() + ttlMs);
  await deps.audit.append({
    actor: ctx.actor,
    teamId: ctx.teamId,
    channelId: ctx.channelId,
    op: 'set-limit',
    cardId,
    outcome: 'asked',
    approvalId: id,
    reason: `${LIMIT_REMOVAL_REQUESTED}; waiting for the requester to confirm until ${expiresAt.toISOString()}`,
  });
  return { id, expiresAt };
}

/**
 * Judges a press of the confirmation `id` by `userId`: unknown (forged, or older than twice its
 * life), someone else's, expired, already used (a call or refusal carries its id), or ok.
 */
export async function claimLimitRemoval(
  deps: { audit: AuditStore; now: () => Date },
  id: string,
  userId: string,
  ttlMs = LIMIT_REMOVAL_TTL_MS,
): Promise<LimitRemovalClaim> {
  if (!LIMIT_REMOVAL_ID.test(id)) return { kind: 'unknown' };
  const now = deps.now().getTime();
  // Offers are looked for over two lifetimes, so a late press is still told it expired.
  const since = new Date(now - 2 * ttlMs).toISOString();
  const rows = await recentRows(deps.audit, since);
  const asked = rows.find((row) => row.approvalId === id && row.outcome === 'asked');
  if (!asked) return { kind: 'unknown' };
  if (asked.actor !== userId) return { kind: 'not-yours', asked };
  // A confirmation is used once its call was started, or refused before the call.
  if (rows.some((row) => row.approvalId === id && (row.outcome === 'started' || row.outcome === 'invalid'))) {
    return { kind: 'used', asked };
  }
  if (Date.parse(asked.ts) + ttlMs <= now) return { kind: 'expired', asked };
  return { kind: 'ok', asked };
}

/** The set-limit rows since `since`, newest first (a handful: limits change rarely). */
async function recentRows(audit: AuditStore, since: string): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let before: number | undefined;
  for (let page = 0; page < 10; page += 1) {
    const found = await audit.query({ op: 'set-limit', since }, { limit: 200, ...(before ? { before } : {}) });
    rows.push(...found.rows);
    if (found.nextCursor === undefined) break;
    before = found.nextCursor;
  }
  return rows;
}
