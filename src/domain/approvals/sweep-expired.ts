import { type ApprovalDeps, type ApprovalNotifier, announce, appendQuietly, approvalEvent } from './approval-ports.js';
import { SYSTEM_ACTOR } from './approval-rules.js';
import type { ApprovalRequest } from './approval-types.js';

/**
 * Expires every pending request past its ttl (a conditional UPDATE: concurrent sweeps share the
 * work, never repeat it), audits each `expired`, updates its message and tells its requester.
 * Rows are kept: history is never deleted.
 */
export async function sweepExpired(deps: ApprovalDeps, notifier: ApprovalNotifier): Promise<ApprovalRequest[]> {
  const expired = await deps.approvals.expireDue(deps.now());
  await expireAndAnnounce(deps, notifier, expired);
  return expired;
}

/** The audit row and the announcements of requests already moved to `expired`. */
export async function expireAndAnnounce(
  deps: ApprovalDeps,
  notifier: ApprovalNotifier,
  expired: readonly ApprovalRequest[],
): Promise<void> {
  for (const request of expired) {
    await appendQuietly(
      deps,
      approvalEvent(request, {
        actor: SYSTEM_ACTOR,
        teamId: request.teamId,
        channelId: request.messageChannel,
        outcome: 'expired',
        reason: `no approver decided before ${request.expiresAt}`,
      }),
    );
    await announce(notifier, request);
  }
}
