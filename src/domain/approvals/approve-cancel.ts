import { AppError } from '../../errors.js';
import type { CardStateResult } from '../cards/card-issuer.js';
import { executeCardOp } from '../cards/execute-card-op.js';
import { type Actor, type ApprovalDeps, type ApprovalNotifier, announce, approvalEvent } from './approval-ports.js';
import type { ApprovalRequest } from './approval-types.js';
import { closedOrOpen, type Screening, screenDecision } from './decide.js';

export type ApproveResult =
  | Exclude<Screening, { kind: 'open' }>
  /** The claim could not be written (the database is read-only, full or locked): nothing was done. */
  | { kind: 'unrecorded'; request: ApprovalRequest }
  /** This click won the claim: the cancel went to the issuer once; `request` is its final state. */
  | {
      kind: 'approved';
      request: ApprovalRequest;
      outcome: { ok: true; value: CardStateResult } | { ok: false; error: AppError };
    };

/**
 * An approver approves: one conditional UPDATE claims the request, so exactly one cancel call
 * reaches the issuer however many clicks arrive; the call is audited (`approved`, `started`, then
 * `ok` / `failed` / `unknown`), the request finished, the message updated and the requester told.
 */
export async function approveCancel(
  deps: ApprovalDeps,
  notifier: ApprovalNotifier,
  approver: Actor,
  approvalId: string,
): Promise<ApproveResult> {
  const screening = await screenDecision(deps, approver, approvalId, 'approve');
  if (screening.kind !== 'open') return screening;

  let claim: Awaited<ReturnType<ApprovalDeps['approvals']['claim']>>;
  try {
    claim = await deps.approvals.claim(approvalId, approver.actor, deps.now());
  } catch (error) {
    // No claim on record, no issuer call: the request stays pending for a later click.
    deps.logger.error({ err: error, approvalId }, 'approval could not be recorded; the card was not cancelled');
    return { kind: 'unrecorded', request: screening.request };
  }
  if (!claim.claimed) {
    // Another click, replica or expiry got there first.
    const current = claim.request ?? screening.request;
    const late = closedOrOpen(current, deps.now());
    return late.kind === 'open' ? { kind: 'closed', standing: 'decided', request: current } : late;
  }
  const claimed = claim.request;
  const ctx = {
    actor: approver.actor,
    teamId: approver.teamId ?? claimed.teamId,
    channelId: approver.channelId,
    roles: approver.roles,
  };

  try {
    await deps.audit.append(approvalEvent(claimed, { ...ctx, outcome: 'approved', reason: claimed.reason }));
  } catch (error) {
    // No approval on record, no issuer call: the request ends failed, and says why.
    deps.logger.error({ err: error, approvalId }, 'approval could not be audited; the card was not cancelled');
    const failed = await deps.approvals.finish(approvalId, 'failed', {
      error: 'The audit log could not be written, so the card was not cancelled.',
    });
    const final = failed.request ?? claimed;
    await announce(notifier, final);
    return {
      kind: 'approved',
      request: final,
      outcome: { ok: false, error: new AppError('AUDIT_UNAVAILABLE', 'approval audit row not written') },
    };
  }

  // Show at once that it is under way (other approvers' clicks are told so), without delaying the call.
  const shown = notifier.refresh(claimed);
  const outcome = await executeCardOp(deps, ctx, {
    op: 'cancel',
    cardId: claimed.cardId,
    reason: claimed.reason,
    approvalId,
  });
  const finished = outcome.ok
    ? await deps.approvals.finish(approvalId, 'done', { traceId: outcome.value.traceId ?? null })
    : await deps.approvals.finish(approvalId, outcome.error.outcome === 'unknown' ? 'unknown' : 'failed', {
        traceId: outcome.error.traceId ?? null,
        error: outcome.error.issuerMessage ?? outcome.error.userMessage,
      });
  if (!finished.finished) {
    deps.logger.warn(
      { approvalId, state: finished.request?.state },
      'approved request changed state during the issuer call',
    );
  }
  const final = finished.request ?? claimed;
  await shown;
  await announce(notifier, final);
  if (finished.finished && finished.late) {
    deps.logger.warn({ approvalId, state: final.state }, 'a cancel reported unknown got its real outcome late');
    await notifier.noteLateOutcome(final);
  }
  return { kind: 'approved', request: final, outcome };
}
