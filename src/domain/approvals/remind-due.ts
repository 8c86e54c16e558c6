import { type ApprovalDeps, type ApprovalNotifier, appendQuietly, approvalEvent } from './approval-ports.js';
import { SYSTEM_ACTOR } from './approval-rules.js';
import type { ApprovalRequest } from './approval-types.js';

/** How far into its ttl a waiting request gets its one reminder (SPEC §6). */
export const REMIND_AT_FRACTION = 0.75;

/**
 * Posts the one reminder of every request still waiting three quarters into its ttl. Each is
 * claimed first (a conditional UPDATE of `reminded_at` whose row count decides), so however many
 * sweeps or replicas run at once, a request is reminded once. A reminder that cannot be posted is
 * not retried: a second one could land twice.
 */
export async function remindDue(deps: ApprovalDeps, notifier: ApprovalNotifier): Promise<ApprovalRequest[]> {
  const now = deps.now();
  const due = await deps.approvals.dueReminders(now);
  const reminded: ApprovalRequest[] = [];
  for (const request of due) {
    if (!(await deps.approvals.claimReminder(request.id, now))) continue;
    await notifier.remind(request);
    // Audited once the reminder is claimed: the claim, not the post, is what happens only once.
    await appendQuietly(
      deps,
      approvalEvent(request, {
        actor: SYSTEM_ACTOR,
        teamId: request.teamId,
        channelId: request.messageChannel,
        outcome: 'reminded',
        reason: `still waiting for an approver; expires ${request.expiresAt}`,
      }),
    );
    reminded.push(request);
  }
  return reminded;
}
