import { AUDIT_OUTCOMES, type AuditEventInput } from '../../domain/audit/audit-types.js';
import type { PendingEvent } from './audit-rows.js';
import { storableFreeText, storableId } from './stored-text.js';

const OUTCOMES: ReadonlySet<string> = new Set(AUDIT_OUTCOMES);

/** Checks an event and makes every field storable (masked, capped, well-formed); throws TypeError on a bad one. */
export function normalizeAuditEvent(event: AuditEventInput): PendingEvent {
  if (typeof event.actor !== 'string' || event.actor === '') throw new TypeError('audit event without actor');
  if (typeof event.op !== 'string' || event.op === '') throw new TypeError('audit event without op');
  if (!OUTCOMES.has(event.outcome)) throw new TypeError(`audit event with unknown outcome ${String(event.outcome)}`);
  return {
    actor: storableId(event.actor)!,
    teamId: storableId(event.teamId),
    channelId: storableId(event.channelId),
    op: storableId(event.op)!,
    cardId: storableId(event.cardId),
    outcome: event.outcome,
    reason: storableFreeText(event.reason),
    approvalId: storableId(event.approvalId),
    traceId: storableId(event.traceId),
    error: storableFreeText(event.error),
  };
}
