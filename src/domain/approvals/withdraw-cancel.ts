import {
  type Actor,
  type ApprovalDeps,
  type ApprovalNotifier,
  appendQuietly,
  approvalEvent,
} from './approval-ports.js';
import type { ApprovalRequest } from './approval-types.js';
import { closedOrOpen, type Screening } from './decide.js';

export type WithdrawCancelResult =
  | { kind: 'missing' }
  /** Only the requester may withdraw their request; audited `refused`. */
  | { kind: 'refused'; request: ApprovalRequest }
  | Extract<Screening, { kind: 'closed' }>
  | { kind: 'withdrawn'; request: ApprovalRequest }
  /** The withdrawal could not be written: nothing changed. */
  | { kind: 'unrecorded'; request: ApprovalRequest };

/**
 * The requester withdraws their pending request (SPEC §6): a conditional UPDATE (pending,
 * unexpired, theirs), the `withdrawn` row, then the approval message shows it, without buttons.
 * Anyone else is refused and audited; a request already decided or expired stays as it is.
 */
export async function withdrawCancel(
  deps: ApprovalDeps,
  notifier: ApprovalNotifier,
  requester: Actor,
  approvalId: string,
): Promise<WithdrawCancelResult> {
  const request = await deps.approvals.get(approvalId);
  if (!request) return { kind: 'missing' };
  if (request.requester !== requester.actor) {
    await appendQuietly(
      deps,
      approvalEvent(request, {
        actor: requester.actor,
        teamId: requester.teamId,
        channelId: requester.channelId,
        outcome: 'refused',
        reason: 'withdraw: only the requester may withdraw their request',
      }),
    );
    return { kind: 'refused', request };
  }
  const screening = closedOrOpen(request, deps.now());
  if (screening.kind === 'closed') return screening;
  let result: Awaited<ReturnType<ApprovalDeps['approvals']['withdraw']>>;
  try {
    result = await deps.approvals.withdraw(approvalId, requester.actor, deps.now());
  } catch (error) {
    deps.logger.error({ err: error, approvalId }, 'withdrawal could not be recorded; the request is unchanged');
    return { kind: 'unrecorded', request };
  }
  if (!result.withdrawn) {
    const current = result.request ?? request;
    const late = closedOrOpen(current, deps.now());
    return late.kind === 'closed' ? late : { kind: 'closed', standing: 'decided', request: current };
  }
  await appendQuietly(
    deps,
    approvalEvent(result.request, {
      actor: requester.actor,
      teamId: requester.teamId,
      channelId: requester.channelId,
      outcome: 'withdrawn',
      reason: 'withdrawn by the requester',
    }),
  );
  await notifier.refresh(result.request);
  return { kind: 'withdrawn', request: result.request };
}
