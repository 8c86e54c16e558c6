import { withdrawCancel } from '../../../domain/approvals/withdraw-cancel.js';
import { createApprovalNotifier } from '../../approval-jobs.js';
import type { ListenerDeps } from '../../deps.js';
import { buildWithdrawAnswer } from '../../views/approval-message.js';
import { buildReply } from '../../views/reply.js';
import { publishHome } from '../events/app-home-opened.js';
import { BAD_BUTTON, type ButtonArgs, deciderOf, readClick } from './approve-cancel.js';

/**
 * Withdraw (the requester's confirmation, or their Home tab): the request is closed and its
 * approval message updated. From the confirmation, the answer replaces it (its button goes);
 * from the Home tab, the tab is re-published with the answer on top.
 */
export async function handleWithdrawCancel(deps: ListenerDeps, args: ButtonArgs): Promise<void> {
  await args.ack();
  const click = readClick(deps, args);
  const options = { sandbox: deps.sandbox };
  if (!click.approvalId) return click.answer(buildReply([BAD_BUTTON], options));
  const requester = await deciderOf(deps, click, args.body.channel?.id);
  const notifier = createApprovalNotifier(deps, args.client);
  const result = await withdrawCancel(deps, notifier, requester, click.approvalId);
  if (result.kind === 'withdrawn') deps.requesterReplies.delete(result.request.id);
  const answer = buildWithdrawAnswer(result, options);
  if (click.fromHome) return publishHome(deps, args.client, { userId: click.userId, teamId: click.teamId }, answer);
  try {
    await args.respond({
      response_type: 'ephemeral',
      replace_original: result.kind === 'withdrawn',
      text: answer.text,
      blocks: answer.blocks,
    });
  } catch (error) {
    deps.logger.warn({ err: error }, 'answer to a withdraw click could not be delivered');
  }
}
