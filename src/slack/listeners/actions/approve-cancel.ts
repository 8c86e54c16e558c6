import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Actor } from '../../../domain/approvals/approval-ports.js';
import type { ApprovalRequest } from '../../../domain/approvals/approval-types.js';
import { approveCancel } from '../../../domain/approvals/approve-cancel.js';
import { sweepExpired } from '../../../domain/approvals/sweep-expired.js';
import { MESSAGES } from '../../../messages.js';
import { createApprovalNotifier } from '../../approval-jobs.js';
import { resolveContext } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import { approvalIdSchema, buildDecisionAnswer } from '../../views/approval-message.js';
import { buildReply, type SlackReply } from '../../views/reply.js';
import { publishHome } from '../events/app-home-opened.js';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Who clicked, from where, and how to answer them: ephemerally under the message, or on their Home tab. */
export interface Click {
  userId: string;
  teamId: string | null;
  fromHome: boolean;
  approvalId: string | undefined;
  answer(reply: SlackReply): Promise<void>;
}

/** Reads a click on an Approve or Reject button; the button's value must be a request id and nothing else. */
export function readClick(deps: ListenerDeps, { body, action, respond, client }: ButtonArgs): Click {
  const userId = body.user.id;
  const teamId = body.team?.id ?? body.user.team_id ?? null;
  const fromHome = body.container?.type === 'view' && body.view?.type === 'home';
  const parsed = approvalIdSchema.safeParse(action.value);
  return {
    userId,
    teamId,
    fromHome,
    approvalId: parsed.success ? parsed.data : undefined,
    async answer(reply) {
      if (fromHome) return publishHome(deps, client, { userId, teamId }, reply);
      try {
        await respond({ response_type: 'ephemeral', replace_original: false, text: reply.text, blocks: reply.blocks });
      } catch (error) {
        deps.logger.warn({ err: error }, 'answer to a click could not be delivered');
      }
    },
  };
}

/** The clicker as the policy sees them; a decision belongs to the approvals channel, wherever it was clicked. */
export async function deciderOf(deps: ListenerDeps, click: Click, channelId: string | undefined): Promise<Actor> {
  const policy = deps.policy.current();
  return resolveContext(deps, {
    userId: click.userId,
    teamId: click.teamId,
    channelId: channelId ?? policy.approvals.cancel?.channel ?? 'home',
  });
}

/** A request found pending past its ttl: expire it now (message and audit) rather than at the next sweep. */
export function sweepIfOverdue(deps: ListenerDeps, client: ButtonArgs['client'], request: ApprovalRequest): void {
  if (request.state !== 'pending') return;
  deps.tasks.run('approval expiry on click', async () => {
    await sweepExpired(deps, createApprovalNotifier(deps, client));
  });
}

export const BAD_BUTTON = MESSAGES.requestBadButton();

/**
 * Approve: acknowledge, then one claim decides which click runs the cancel (exactly one issuer
 * call). Refused clickers (the requester, non-approvers) and late ones are answered ephemerally;
 * the winner's answer is the updated message (and, from the Home tab, the re-published tab).
 */
export async function handleApproveCancel(deps: ListenerDeps, args: ButtonArgs): Promise<void> {
  await args.ack();
  const click = readClick(deps, args);
  const options = { sandbox: deps.sandbox, approverRoles: deps.policy.current().approvals.cancel?.approvers ?? [] };
  if (!click.approvalId) return click.answer(buildReply([BAD_BUTTON], options));
  const decider = await deciderOf(deps, click, args.body.channel?.id);
  const notifier = createApprovalNotifier(deps, args.client);
  const result = await approveCancel(deps, notifier, decider, click.approvalId);
  if (result.kind === 'closed' && result.standing === 'expired') sweepIfOverdue(deps, args.client, result.request);
  if (result.kind === 'approved' && !click.fromHome) return;
  await click.answer(buildDecisionAnswer(result, options));
}
