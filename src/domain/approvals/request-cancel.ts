import {
  type Actor,
  type ApprovalDeps,
  type ApprovalNotifier,
  appendQuietly,
  approvalEvent,
  type PostProblem,
} from './approval-ports.js';
import type { ApprovalRequest } from './approval-types.js';
import { expireAndAnnounce } from './sweep-expired.js';

export type RequestCancelResult =
  /** Filed, posted to the approvals channel, waiting for an approver. */
  | { kind: 'filed'; request: ApprovalRequest }
  /** The card already has a live request: this one was not filed. */
  | { kind: 'existing'; request: ApprovalRequest }
  /** The approval message could not be posted: the request was voided, nothing is pending. */
  | { kind: 'not-posted'; channel: string; problem: PostProblem; error: string }
  /** The policy configures no approvals (authorise refuses this first; kept as a last guard). */
  | { kind: 'no-approvers' }
  /** The `requested` row could not be written: the request was voided before anyone saw it. */
  | { kind: 'audit-unavailable' };

/**
 * Files a cancel request (SPEC §6): persisted first, audited `requested`, then posted to the
 * approvals channel. A request whose message cannot be posted is voided, so it blocks nothing.
 */
export async function requestCancel(
  deps: ApprovalDeps,
  notifier: ApprovalNotifier,
  requester: Actor,
  input: { cardId: string; reason: string },
): Promise<RequestCancelResult> {
  const config = requester.policy.approvals.cancel;
  if (!config) return { kind: 'no-approvers' };
  let created: Awaited<ReturnType<ApprovalDeps['approvals']['create']>>;
  try {
    created = await deps.approvals.create({
      cardId: input.cardId,
      requester: requester.actor,
      teamId: requester.teamId,
      requestChannel: requester.channelId,
      reason: input.reason,
      ttlMs: config.ttlMs,
    });
  } catch (error) {
    // The database cannot be written (read-only, full, locked): nothing was filed, and the asker must hear so.
    deps.logger.error({ err: error, cardId: input.cardId }, 'cancel request could not be stored');
    return { kind: 'audit-unavailable' };
  }
  if (!created.created) return { kind: 'existing', request: created.existing };
  // Requests for this card that had outlived their ttl unswept were expired to make room.
  await expireAndAnnounce(deps, notifier, created.expired);

  const request = created.request;
  try {
    await deps.audit.append(
      approvalEvent(request, {
        actor: requester.actor,
        teamId: requester.teamId,
        channelId: requester.channelId,
        outcome: 'requested',
        reason: input.reason,
      }),
    );
  } catch (error) {
    deps.logger.error({ err: error, approvalId: request.id }, 'cancel request could not be audited; voided');
    await deps.approvals.discard(request.id);
    return { kind: 'audit-unavailable' };
  }

  const posted = await notifier.post(request, config.channel);
  if (!posted.ok) {
    await deps.approvals.discard(request.id);
    deps.logger.warn(
      { approvalId: request.id, channel: config.channel, slackError: posted.error },
      'approval message could not be posted; request voided',
    );
    await appendQuietly(
      deps,
      approvalEvent(request, {
        actor: requester.actor,
        teamId: requester.teamId,
        channelId: requester.channelId,
        outcome: 'failed',
        error: `approval message not posted to ${config.channel}: ${posted.error}`,
      }),
    );
    return { kind: 'not-posted', channel: config.channel, problem: posted.problem, error: posted.error };
  }
  await deps.approvals.attachMessage(request.id, posted.channel, posted.ts);
  return { kind: 'filed', request: (await deps.approvals.get(request.id)) ?? request };
}
