import { requestCancel } from '../../../domain/approvals/request-cancel.js';
import { createApprovalNotifier } from '../../approval-jobs.js';
import {
  buildCancelAlreadyPending,
  buildCancelLimited,
  buildCancelNotPosted,
  buildCancelRequested,
  buildCancelUnavailable,
} from '../../views/approval-message.js';
import { buildUsage } from '../../views/card-replies.js';
import type { CardOpHandler } from './card-request.js';

/**
 * `/card cancel <cardId> <reason>`, once authorised: nothing reaches the issuer now. The request
 * is filed and posted to the approvals channel; the asker is told its id, or exactly why it could
 * not be filed, or which request is already pending for the card.
 */
export const handleCancelRequest: CardOpHandler = async (request) => {
  const { deps, ctx, cardId } = request;
  const options = { sandbox: deps.sandbox };
  const reason = request.reason?.trim() ?? '';
  if (reason === '') {
    await request.reply(
      buildUsage('Cancelling a card needs a reason, for the approver and the audit.', 'cancel', [], options),
    );
    return;
  }
  const notifier = createApprovalNotifier(deps, request.client, { responseUrl: request.responseUrl });
  const result = await requestCancel(deps, notifier, ctx, { cardId, reason });
  switch (result.kind) {
    case 'filed':
      return request.reply(buildCancelRequested(result.request, options));
    case 'existing':
      return request.reply(buildCancelAlreadyPending(result.request, options));
    case 'limited':
      return request.reply(buildCancelLimited(result, options));
    case 'not-posted':
      return request.reply(buildCancelNotPosted(result.problem, result.channel, result.error, options));
    default:
      return request.reply(buildCancelUnavailable(result.kind, options));
  }
};
