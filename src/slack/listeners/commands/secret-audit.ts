import type { AuditEventInput } from '../../../domain/audit/audit-types.js';
import type { ListenerDeps } from '../../deps.js';

/**
 * Appends one audit row for a listener (invalid, denied, and the secret flows' limited, locked,
 * matched, mismatched, revealed). Rows carry op, card and outcome only: never a value shown or
 * typed. A row that cannot be written is logged, and resolves false so a caller can refuse to go on.
 */
export async function appendSecretAudit(
  deps: Pick<ListenerDeps, 'audit' | 'logger'>,
  event: AuditEventInput,
): Promise<boolean> {
  try {
    await deps.audit.append(event);
    return true;
  } catch (error) {
    deps.logger.error(
      { err: error, op: event.op, cardId: event.cardId, outcome: event.outcome },
      'audit row could not be written',
    );
    return false;
  }
}
