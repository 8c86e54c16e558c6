import { refusalFor } from '../../../domain/approvals/approval-rules.js';
import { closedOrOpen, screenDecision } from '../../../domain/approvals/decide.js';
import { MESSAGES } from '../../../messages.js';
import type { ListenerDeps } from '../../deps.js';
import { buildDecisionAnswer } from '../../views/approval-message.js';
import { buildRejectModal, buildRejectNotice } from '../../views/reject-modal.js';
import { buildReply } from '../../views/reply.js';
import { BAD_BUTTON, type ButtonArgs, deciderOf, readClick, sweepIfOverdue } from './approve-cancel.js';

/**
 * Reject: a clicker who may not decide, or a click on a request no longer open, is answered
 * ephemerally as Approve answers them, with no form. Otherwise the form for an optional reason opens
 * (a trigger_id lives 3 s), then the decision is screened again; one decided meanwhile turns the
 * form into the answer.
 * The rejection itself happens when the form is submitted (reject-reason-submitted.ts).
 */
export async function handleRejectCancel(deps: ListenerDeps, args: ButtonArgs): Promise<void> {
  await args.ack();
  const click = readClick(deps, args);
  const options = { sandbox: deps.sandbox, approverRoles: deps.policy.current().approvals.cancel?.approvers ?? [] };
  if (!click.approvalId) return click.answer(buildReply([BAD_BUTTON], options));
  const request = await deps.approvals.get(click.approvalId);
  const decider = await deciderOf(deps, click, args.body.channel?.id);

  // Someone who may not decide, or a request gone or no longer open, gets no form: the same
  // ephemeral answer as for Approve (SPEC §6), the refusal audited by the screening.
  if (!request || refusalFor(decider.policy, decider, request) || closedOrOpen(request, deps.now()).kind !== 'open') {
    const screening = await screenDecision(deps, decider, click.approvalId, 'reject');
    // Reopened in between cannot happen (a request never returns to pending); say to click again.
    if (screening.kind === 'open') return click.answer(buildReply([MESSAGES.rejectFormNotOpened()], options));
    if (screening.kind === 'closed' && screening.standing === 'expired')
      sweepIfOverdue(deps, args.client, screening.request);
    return click.answer(buildDecisionAnswer(screening, options));
  }

  let viewId: string | undefined;
  try {
    const opened = await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: buildRejectModal(request, { a: request.id, home: click.fromHome }, deps.sandbox),
    });
    viewId = opened.view?.id;
  } catch (error) {
    deps.logger.warn({ err: error }, 'reject form could not be opened');
  }

  const screening = await screenDecision(deps, decider, click.approvalId, 'reject');
  if (screening.kind === 'open') {
    if (!viewId) {
      await click.answer(buildReply([MESSAGES.rejectFormNotOpened()], options));
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
