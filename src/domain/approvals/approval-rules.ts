import { mayApprove } from '../policy/authorise.js';
import type { Policy } from '../policy/policy-schema.js';
import type { ApprovalRequest } from './approval-types.js';

/** The actor of audit rows cardops writes on its own (expiry sweep, recovery at start). */
export const SYSTEM_ACTOR = 'cardops';

/** Why someone may not decide a request: it is their own, or they hold no approver role. */
export type Refusal = 'requester' | 'not-approver';

/**
 * Where a request stands for someone about to decide it:
 * `open` (pending and unexpired), `expired` (past its ttl, swept or not), `executing` (approved,
 * the cancel is under way), `decided` (approved and finished, or rejected), `unknown` (approved,
 * outcome unknown), `void` (never posted).
 */
export type Standing = 'open' | 'expired' | 'executing' | 'decided' | 'unknown' | 'void';

/** SPEC §6: only holders of an approver role decide, and never the requester, whatever roles they hold. */
export function refusalFor(
  policy: Policy,
  decider: { actor: string; roles: readonly string[] },
  request: ApprovalRequest,
): Refusal | undefined {
  if (decider.actor === request.requester) return 'requester';
  if (!mayApprove(policy, decider.roles)) return 'not-approver';
  return undefined;
}

/** Where the request stands at `now`; a pending request past its expiry is already dead, swept or not. */
export function standingOf(request: ApprovalRequest, now: Date): Standing {
  switch (request.state) {
    case 'pending':
      return Date.parse(request.expiresAt) <= now.getTime() ? 'expired' : 'open';
    case 'executing':
      return 'executing';
    case 'unknown':
      return 'unknown';
    case 'expired':
      return 'expired';
    case 'failed':
      // Nobody decided a request whose message could not be posted.
      return request.decidedBy === null ? 'void' : 'decided';
    default:
      return 'decided';
  }
}

/** The states that end a request: its requester is told, its message shows no buttons. */
export function isFinal(request: ApprovalRequest): boolean {
  return request.state !== 'pending' && request.state !== 'executing';
}
