import { type Actor, type ApprovalDeps, appendQuietly, approvalEvent } from './approval-ports.js';
import { type Refusal, refusalFor, type Standing, standingOf } from './approval-rules.js';
import type { ApprovalRequest } from './approval-types.js';

export type Decision = 'approve' | 'reject';

export type Screening =
  | { kind: 'missing' }
  /** Audited `refused`. */
  | { kind: 'refused'; why: Refusal; request: ApprovalRequest }
  /** Too late: already decided, under way, expired, unknown, or never posted. */
  | { kind: 'closed'; standing: Exclude<Standing, 'open'>; request: ApprovalRequest }
  | { kind: 'open'; request: ApprovalRequest };

/**
 * The checks before a decision, in the order the clicker should hear them: does the request exist,
 * may this person decide it at all (a refusal is audited with why), is it still open.
 */
export async function screenDecision(
  deps: ApprovalDeps,
  decider: Actor,
  approvalId: string,
  decision: Decision,
): Promise<Screening> {
  const request = await deps.approvals.get(approvalId);
  if (!request) return { kind: 'missing' };
  const why = refusalFor(decider.policy, decider, request);
  if (why) {
    deps.logger.info({ actor: decider.actor, approvalId, why, decision }, 'approval decision refused');
    await appendQuietly(
      deps,
      approvalEvent(request, {
        actor: decider.actor,
        teamId: decider.teamId,
        channelId: decider.channelId,
        outcome: 'refused',
        reason:
          why === 'requester'
            ? `${decision}: the requester may not decide their own request`
            : `${decision}: not an approver (roles: ${decider.roles.join(', ') || 'none'})`,
      }),
    );
    return { kind: 'refused', why, request };
  }
  return closedOrOpen(request, deps.now());
}

/** Open, or closed with where it stands. */
export function closedOrOpen(request: ApprovalRequest, now: Date): Screening {
  const standing = standingOf(request, now);
  return standing === 'open' ? { kind: 'open', request } : { kind: 'closed', standing, request };
}
