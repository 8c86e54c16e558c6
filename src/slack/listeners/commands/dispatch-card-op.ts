import { issuerOffers } from '../../../domain/cards/card-issuer.js';
import { notOfferedError } from '../../../domain/cards/issuer-input.js';
import { type CardOp, POLICY_OPS, type PolicyOp } from '../../../domain/ops.js';
import { allowedOps, authorise, channelKey } from '../../../domain/policy/authorise.js';
import { ISSUER_NAMES, MESSAGES } from '../../../messages.js';
import { buildDenied } from '../../views/card-replies.js';
import { buildReply } from '../../views/reply.js';
import { CARD_OP_HANDLERS } from './card-op-handlers.js';
import type { CardRequest } from './card-request.js';
import { appendSecretAudit } from './secret-audit.js';

/**
 * Checks the policy for one request (deny by default, the refusal audited with why), then
 * hands it to the op's handler. Every road ends in an answer to the asker.
 */
export async function dispatchCardOp(request: CardRequest): Promise<void> {
  if (!(await refuseUnlessAllowed(request))) return;
  if (!(await refuseUnlessOffered(request))) return;
  const { deps, op } = request;
  const handler = CARD_OP_HANDLERS[op];
  if (!handler) {
    await request.reply(buildReply([MESSAGES.notInThisVersion({ op })], { sandbox: deps.sandbox }));
    return;
  }
  await handler(request);
}

/** True when the policy allows the request; otherwise the refusal is audited with why, answered, and false. */
export async function refuseUnlessAllowed(
  request: Pick<CardRequest, 'deps' | 'ctx' | 'cardId' | 'reply'> & { op: PolicyOp },
): Promise<boolean> {
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
    return false;
  }
  return true;
}

/**
 * An operation the configured issuer does not offer (limits on Sovera) is answered so, and put on
 * record with one row as executeCardOp's own check would write it (`invalid`, NOT_OFFERED); no
 * `started` row, since no call leaves cardops.
 */
async function refuseUnlessOffered(request: CardRequest): Promise<boolean> {
  const { deps, ctx, op, cardId } = request;
  if (issuerOffers(deps.issuer, op)) return true;
  const issuer = ISSUER_NAMES[deps.issuer.provider];
  await appendSecretAudit(deps, {
    actor: ctx.actor,
    teamId: ctx.teamId,
    channelId: ctx.channelId,
    op,
    cardId,
    outcome: 'invalid',
    error: `NOT_OFFERED: ${notOfferedError(deps.issuer.provider, op).message}`,
  });
  deps.logger.info({ actor: ctx.actor, channel: ctx.channelId, op, why: 'not-offered' }, 'request denied');
  await request.reply(buildReply([MESSAGES.refusedNotOffered({ op, issuer })], { sandbox: deps.sandbox }));
  return false;
}

/** The card ops this person may run here that the issuer offers: what the form lists. */
export function opsAllowedHere(request: Pick<CardRequest, 'ctx' | 'deps'>): CardOp[] {
  const { ctx, deps } = request;
  return allowedOps(ctx.policy, ctx.roles, ctx.channelId).filter((op) => issuerOffers(deps.issuer, op));
}

/** The other channels (policy keys) where this person may type at least one `/card` command. */
export function channelsElsewhere(request: Pick<CardRequest, 'ctx' | 'deps'>): string[] {
  const { ctx } = request;
  const here = channelKey(ctx.channelId);
  return Object.keys(ctx.policy.channels).filter(
    (key) => key !== here && commandsAllowedHere({ ...request, ctx: { ...ctx, channelId: key } }).length > 0,
  );
}

/** Everything this person may type after `/card` here (the card ops the issuer offers, then `history`). */
export function commandsAllowedHere(request: Pick<CardRequest, 'ctx' | 'deps'>): PolicyOp[] {
  const { policy, roles, channelId } = request.ctx;
  return POLICY_OPS.filter(
    (op) => issuerOffers(request.deps.issuer, op) && authorise(policy, { roles, channelId, op }).allowed,
  );
}
