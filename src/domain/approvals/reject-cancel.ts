import { type Actor, type ApprovalDeps, appendQuietly, approvalEvent } from './approval-ports.js';
import type { ApprovalRequest } from './approval-types.js';
import { closedOrOpen, type Screening, screenDecision } from './decide.js';

export type RejectCancelResult =
  | Exclude<Screening, { kind: 'open' }>
  | { kind: 'rejected'; request: ApprovalRequest }
  /** The rejection could not be written (the database is read-only, full or locked): nothing changed. */
  | { kind: 'unrecorded'; request: ApprovalRequest };

/**
 * An approver rejects, with an optional reason: a conditional UPDATE, then the `rejected` row.
 * The caller announces it (`announce`) once it has answered the form: the form's answer must
 * come within 3 s, the message update and the requester's notice need not.
 */
export async function rejectCancel(
  deps: ApprovalDeps,
  rejecter: Actor,
  approvalId: string,
  reason: string | null,
): Promise<RejectCancelResult> {
  const screening = await screenDecision(deps, rejecter, approvalId, 'reject');
  if (screening.kind !== 'open') return screening;
  let result: Awaited<ReturnType<ApprovalDeps['approvals']['reject']>>;
  try {
    result = await deps.approvals.reject(approvalId, rejecter.actor, reason, deps.now());
  } catch (error) {
    deps.logger.error({ err: error, approvalId }, 'rejection could not be recorded; the request is unchanged');
    return { kind: 'unrecorded', request: screening.request };
  }
  if (!result.rejected) {
    const current = result.request ?? screening.request;
    const late = closedOrOpen(current, deps.now());
    return late.kind === 'open' ? { kind: 'closed', standing: 'decided', request: current } : late;
  }
  await appendQuietly(
    deps,
    approvalEvent(result.request, {
      actor: rejecter.actor,
      teamId: rejecter.teamId,
      channelId: rejecter.channelId,
      outcome: 'rejected',
      reason,
    }),
  );
  return { kind: 'rejected', request: result.request };
}
