import type { AuditStore } from '../audit/audit-types.js';
import type { ApprovalRequest, ApprovalsStore } from './approval-types.js';

export interface HomeOverview {
  /** Pending, unexpired requests this viewer may decide (an approver's, not their own), oldest first. */
  decidable: ApprovalRequest[];
  /** Approved requests whose outcome is unknown: someone must check the card at the issuer. */
  unknown: ApprovalRequest[];
  /** The viewer's own requests, newest first. */
  own: ApprovalRequest[];
}

export const HOME_LIMITS = { decidable: 15, unknown: 5, own: 10 } as const;

/** What a person's Home tab lists. Unknown outcomes are found through their audit rows: the store lists by state only for pending. */
export async function homeOverview(
  deps: { approvals: ApprovalsStore; audit: AuditStore },
  viewer: { actor: string; mayDecide: boolean },
  now: Date,
): Promise<HomeOverview & { more: { decidable: number } }> {
  const own = await deps.approvals.listByRequester(viewer.actor, HOME_LIMITS.own);
  if (!viewer.mayDecide) return { decidable: [], unknown: [], own, more: { decidable: 0 } };
  const open = (await deps.approvals.listPending()).filter(
    (r) => r.requester !== viewer.actor && Date.parse(r.expiresAt) > now.getTime() && r.messageTs !== null,
  );
  const unknown: ApprovalRequest[] = [];
  const seen = new Set<string>();
  for (const row of (await deps.audit.query({ op: 'cancel', outcome: 'unknown' }, { limit: 50 })).rows) {
    if (!row.approvalId || seen.has(row.approvalId)) continue;
    seen.add(row.approvalId);
    const request = await deps.approvals.get(row.approvalId);
    if (request?.state === 'unknown') unknown.push(request);
    if (unknown.length >= HOME_LIMITS.unknown) break;
  }
  return {
    decidable: open.slice(0, HOME_LIMITS.decidable),
    unknown,
    own,
    more: { decidable: Math.max(0, open.length - HOME_LIMITS.decidable) },
  };
}
