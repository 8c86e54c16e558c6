import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { announce } from '../../../domain/approvals/approval-ports.js';
import { rejectCancel } from '../../../domain/approvals/reject-cancel.js';
import { cleanText, MAX_REASON_LENGTH } from '../../../domain/cards/card-command.js';
import { maskCardData } from '../../../domain/cards/card-numbers.js';
import { MESSAGES } from '../../../messages.js';
import { createApprovalNotifier } from '../../approval-jobs.js';
import { resolveContext } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import { buildDecisionAnswer } from '../../views/approval-message.js';
import { withReasonMasked } from '../../views/card-replies.js';
import { buildRejectNotice, decodeRejectMetadata, readRejectReason } from '../../views/reject-modal.js';
import { sweepIfOverdue } from '../actions/approve-cancel.js';
import { publishHome } from '../events/app-home-opened.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * The rejection form was submitted: the conditional reject happens before the form is answered,
 * so an approver whose request was decided meanwhile reads that in the form itself. Then the
 * approval message is updated and the requester told.
 */
export async function handleRejectReasonSubmitted(
  deps: ListenerDeps,
  { ack, view, body, client }: Args,
): Promise<void> {
  const metadata = decodeRejectMetadata(view.private_metadata);
  const typed = readRejectReason(view.state.values);
  if (!metadata || typed === undefined) {
    await ack({
      response_action: 'errors',
      errors: { reason: MESSAGES.rejectFormOutOfDate() },
    });
    return;
  }
  // The reason is shown in the approvals channel: card data in it is masked first.
  const cleaned = typed === null ? { text: '', masked: false } : maskCardData(cleanText(typed));
  const reason = cleaned.text;
  if (reason.length > MAX_REASON_LENGTH) {
    await ack({ response_action: 'errors', errors: { reason: MESSAGES.reasonAtMost({ max: MAX_REASON_LENGTH }) } });
    return;
  }
  const userId = body.user.id;
  const teamId = body.team?.id ?? body.user.team_id ?? null;
  const policy = deps.policy.current();
  const rejecter = await resolveContext(deps, {
    userId,
    teamId,
    channelId: policy.approvals.cancel?.channel ?? 'home',
  });
  const result = await rejectCancel(deps, rejecter, metadata.a, reason === '' ? null : reason);
  const decided = buildDecisionAnswer(result, {
    sandbox: deps.sandbox,
    approverRoles: policy.approvals.cancel?.approvers ?? [],
  });
  // Card data in the reason was masked: the rejecter is told, in the form or on their Home tab.
  const answer = cleaned.masked && reason ? withReasonMasked(reason, decided) : decided;
  if (result.kind !== 'rejected') {
    await ack({ response_action: 'update', view: buildRejectNotice(answer) });
    if (result.kind === 'closed' && result.standing === 'expired') sweepIfOverdue(deps, client, result.request);
    return;
  }
  await ack(
    cleaned.masked && !metadata.home ? { response_action: 'update', view: buildRejectNotice(answer) } : undefined,
  );
  await announce(createApprovalNotifier(deps, client), result.request);
  if (metadata.home) await publishHome(deps, client, { userId, teamId }, answer);
}
