import { screenDecision } from '../../../domain/approvals/decide.js';
import type { ListenerDeps } from '../../deps.js';
import { buildDecisionAnswer } from '../../views/approval-message.js';
import { buildRejectModal, buildRejectNotice } from '../../views/reject-modal.js';
import { buildReply } from '../../views/reply.js';
import { BAD_BUTTON, type ButtonArgs, deciderOf, readClick, sweepIfOverdue } from './approve-cancel.js';

/**
 * Reject: the form for an optional reason opens first (a trigger_id lives 3 s), then the clicker is
 * screened; a refused or late clicker sees the form turn into the answer (and a refusal is audited).
 * The rejection itself happens when the form is submitted (reject-reason-submitted.ts).
 */
export async function handleRejectCancel(deps: ListenerDeps, args: ButtonArgs): Promise<void> {
  await args.ack();
  const click = readClick(deps, args);
  const options = { sandbox: deps.sandbox, approverRoles: deps.policy.current().approvals.cancel?.approvers ?? [] };
  if (!click.approvalId) return click.answer(buildReply([BAD_BUTTON], options));
  const request = await deps.approvals.get(click.approvalId);

  let viewId: string | undefined;
  if (request) {
    try {
      const opened = await args.client.views.open({
        trigger_id: args.body.trigger_id,
        view: buildRejectModal(request, { a: request.id, home: click.fromHome }, deps.sandbox),
      });
      viewId = opened.view?.id;
    } catch (error) {
      deps.logger.warn({ err: error }, 'reject form could not be opened');
    }
  }

  const decider = await deciderOf(deps, click, args.body.channel?.id);
  const screening = await screenDecision(deps, decider, click.approvalId, 'reject');
  if (screening.kind === 'open') {
    if (!viewId) {
      await click.answer(
        buildReply([':hourglass: The rejection form could not be opened in time. Click Reject again.'], options),
      );
    }
    return;
  }
  if (screening.kind === 'closed' && screening.standing === 'expired')
    sweepIfOverdue(deps, args.client, screening.request);
  const answer = buildDecisionAnswer(screening, options);
  if (viewId) {
    try {
      await args.client.views.update({ view_id: viewId, view: buildRejectNotice(answer) });
      return;
    } catch (error) {
      deps.logger.warn({ err: error }, 'reject form could not be turned into its answer');
    }
  }
  await click.answer(answer);
}
