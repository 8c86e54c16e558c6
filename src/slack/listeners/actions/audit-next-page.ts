import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { decodeAuditPageRef } from '../../../domain/audit/audit-command.js';
import { type AuditLooker, recordAuditRefusal } from '../../../domain/audit/audit-looks.js';
import { mayAudit } from '../../../domain/policy/authorise.js';
import { resolveContext } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import { buildAuditDenied, buildAuditFailed, buildAuditStalePage } from '../../views/audit-replies.js';
import type { SlackReply } from '../../views/reply.js';
import { answerAuditPage, auditDenied } from '../commands/card-audit.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/**
 * The Next button of a `/card-audit` answer. Its value is outside data: it is re-parsed and
 * re-validated, the clicker's audit role is checked again, and the page view is audited like the
 * first page. The next page replaces the message it was clicked on.
 */
export async function handleAuditNextPage(deps: ListenerDeps, { ack, body, action, respond }: Args): Promise<void> {
  await ack();
  if (body.type !== 'block_actions' || action.type !== 'button') return;
  const channelId = body.channel?.id ?? body.container?.channel_id ?? '';
  const ctx = await resolveContext(deps, { userId: body.user.id, teamId: body.team?.id ?? null, channelId });
  const who: AuditLooker = { actor: ctx.actor, teamId: ctx.teamId, channelId: ctx.channelId };
  const options = { sandbox: deps.sandbox };
  const answer = async (message: SlackReply, replace: boolean) => {
    await respond({
      response_type: 'ephemeral',
      replace_original: replace,
      text: message.text,
      blocks: message.blocks,
    });
  };

  if (!mayAudit(ctx.policy, ctx.roles)) {
    await auditDenied(deps, who, ctx.policy, '/card-audit next page');
    return answer(buildAuditDenied(ctx.policy.audit.roles, ctx.roles, options), false);
  }
  const decoded = decodeAuditPageRef(action.value, deps.now());
  if (!decoded) {
    await recordAuditRefusal(deps, who, 'invalid', '/card-audit next page: the button value is not a valid page');
    return answer(buildAuditStalePage(options), false);
  }
  try {
    await answerAuditPage(
      deps,
      who,
      { filter: decoded.filter, canonical: decoded.ref.canonical, before: decoded.ref.before, page: decoded.ref.page },
      (message) => answer(message, true),
    );
  } catch (error) {
    deps.logger.error({ err: error }, '/card-audit next page failed');
    await answer(buildAuditFailed(options), false).catch(() => {});
  }
}
