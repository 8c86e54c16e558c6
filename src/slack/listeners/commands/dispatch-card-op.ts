import type { CardOp } from '../../../domain/ops.js';
import { allowedOps, authorise } from '../../../domain/policy/authorise.js';
import { buildDenied } from '../../views/card-replies.js';
import { code } from '../../views/mrkdwn.js';
import { buildReply } from '../../views/reply.js';
import { CARD_OP_HANDLERS } from './card-op-handlers.js';
import type { CardRequest } from './card-request.js';
import { appendSecretAudit } from './secret-audit.js';

/**
 * Checks the policy for one request (deny by default, the refusal audited with why), then
 * hands it to the op's handler. Every road ends in an answer to the asker.
 */
export async function dispatchCardOp(request: CardRequest): Promise<void> {
  const { deps, ctx, op, cardId } = request;
  const decision = authorise(ctx.policy, { ...ctx, op });
  if (!decision.allowed) {
    await appendSecretAudit(deps, {
      actor: ctx.actor,
      teamId: ctx.teamId,
      channelId: ctx.channelId,
      op,
      cardId,
      outcome: 'denied',
      reason: `${decision.why}: ${decision.message}`,
    });
    deps.logger.info({ actor: ctx.actor, channel: ctx.channelId, op, why: decision.why }, 'request denied');
    await request.reply(buildDenied(decision.message, { sandbox: deps.sandbox }));
    return;
  }
  const handler = CARD_OP_HANDLERS[op];
  if (!handler) {
    await request.reply(
      buildReply([`${code(op)} is not available in this version of cardops yet.`], { sandbox: deps.sandbox }),
    );
    return;
  }
  await handler(request);
}

export function opsAllowedHere(request: Pick<CardRequest, 'ctx'>): CardOp[] {
  return allowedOps(request.ctx.policy, request.ctx.roles, request.ctx.channelId);
}
