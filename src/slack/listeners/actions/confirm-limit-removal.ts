import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { executeCardOp } from '../../../domain/cards/execute-card-op.js';
import { claimLimitRemoval, LIMIT_REMOVAL_ID } from '../../../domain/cards/limit-removal.js';
import { authorise } from '../../../domain/policy/authorise.js';
import { resolveContext } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import {
  buildDenied,
  buildLimitRemoveExpired,
  buildLimitRemoveNotYours,
  buildLimitRemoveUnknown,
  buildLimitRemoveUsed,
  buildLimitSet,
  buildOpFailed,
} from '../../views/card-replies.js';
import type { SlackReply } from '../../views/reply.js';
import { appendSecretAudit } from '../commands/secret-audit.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

const confirmationIdSchema = z.string().regex(LIMIT_REMOVAL_ID);

/**
 * The "Remove the limit" button of `/card set-limit <cardId> 0`. Its value is only the confirmation
 * id, and values can be forged: the `asked` row must exist in the audit, be the presser's own,
 * unexpired and unused; the policy is checked again. Then the one set-limit call is made under that
 * id (started, then ok/failed/unknown) and its answer replaces the confirmation. Presses are taken
 * one at a time per confirmation, so a double press makes one call.
 */
export async function handleConfirmLimitRemoval(deps: ListenerDeps, { ack, body, action, respond }: Args) {
  await ack();
  if (body.type !== 'block_actions' || action.type !== 'button') return;
  const options = { sandbox: deps.sandbox };
  const userId = body.user.id;
  const answer = async (reply: SlackReply, replaceOriginal = true) => {
    try {
      await respond({ response_type: 'ephemeral', replace_original: replaceOriginal, ...reply });
    } catch (error) {
      deps.logger.warn({ err: error }, 'limit removal answer could not be delivered');
    }
  };
  const where = { actor: userId, teamId: body.team?.id ?? null, channelId: body.channel?.id ?? null };

  // Forged, from before its rows' time, or malformed: nothing is sent, but the attempt is on record.
  const refuseUnknown = async () => {
    await appendSecretAudit(deps, {
      ...where,
      op: 'set-limit',
      outcome: 'invalid',
      reason: 'limit removal button with an unknown confirmation',
    });
    return answer(buildLimitRemoveUnknown(options));
  };
  const id = confirmationIdSchema.safeParse(action.value);
  if (!id.success) return refuseUnknown();
  await deps.serialise.run(`limit-removal:${id.data}`, async () => {
    const claim = await claimLimitRemoval(deps, id.data, userId);
    switch (claim.kind) {
      case 'unknown':
        return refuseUnknown();
      case 'not-yours':
        await appendSecretAudit(deps, {
          ...where,
          op: 'set-limit',
          cardId: claim.asked.cardId,
          outcome: 'denied',
          reason: 'pressed a limit removal confirmation asked of someone else',
        });
        return answer(buildLimitRemoveNotYours(options), false);
      case 'expired':
        await appendSecretAudit(deps, {
          ...where,
          op: 'set-limit',
          cardId: claim.asked.cardId,
          approvalId: id.data,
          outcome: 'expired',
          reason: 'limit removal confirmed too late; the limit was not touched',
        });
        return answer(buildLimitRemoveExpired(claim.asked.cardId ?? '', options));
      case 'used':
        return answer(buildLimitRemoveUsed(claim.asked.cardId ?? '', options));
      case 'ok':
        break;
    }
    const { asked } = claim;
    const cardId = asked.cardId ?? '';
    const channelId = asked.channelId ?? where.channelId ?? '';
    const ctx = await resolveContext(deps, { userId, teamId: asked.teamId ?? where.teamId, channelId });
    const decision = authorise(ctx.policy, {
      roles: ctx.roles,
      channelId,
      op: 'set-limit',
      staleGroups: ctx.staleGroups ?? [],
    });
    if (!decision.allowed) {
      await appendSecretAudit(deps, {
        ...where,
        channelId,
        op: 'set-limit',
        cardId,
        approvalId: id.data,
        outcome: 'denied',
        reason: `${decision.why}: ${decision.message}`,
      });
      return answer(buildDenied(decision.message, options));
    }
    const outcome = await executeCardOp(deps, ctx, { op: 'set-limit', cardId, amount: 0, approvalId: id.data });
    return answer(
      outcome.ok ? buildLimitSet(outcome.value, options) : buildOpFailed('set-limit', cardId, outcome.error, options),
    );
  });
}
