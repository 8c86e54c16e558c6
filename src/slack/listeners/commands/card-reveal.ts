import { executeCardOp, type RequestContext } from '../../../domain/cards/execute-card-op.js';
import { offerReveal, type RevealOp } from '../../../domain/cards/reveal-offers.js';
import { type CardOp, REVEAL_OPS } from '../../../domain/ops.js';
import type { AppError } from '../../../errors.js';
import type { ListenerDeps } from '../../deps.js';
import { buildRevealLimited, buildRevealOffer } from '../../views/secret-replies.js';
import type { CardOpHandler } from './card-request.js';
import { appendSecretAudit } from './secret-audit.js';

const HOUR_MS = 60 * 60_000;

export function isRevealOp(op: CardOp): op is RevealOp {
  return REVEAL_OPS.includes(op);
}

/** True when this user has used up `limits.reveals_per_hour`, counting reveals still in progress. */
export async function revealBudgetSpent(
  deps: Pick<ListenerDeps, 'audit' | 'reveals'>,
  actor: string,
  perHour: number,
  now: Date,
): Promise<boolean> {
  const seen = await deps.audit.countRecent({
    actor,
    ops: REVEAL_OPS,
    outcomes: ['revealed'],
    since: new Date(now.getTime() - HOUR_MS).toISOString(),
  });
  return seen + deps.reveals.inProgress(actor) >= perHour;
}

/** Audits a refusal for a spent budget; the reply says so. */
export async function auditRevealLimited(
  deps: ListenerDeps,
  ctx: RequestContext,
  op: RevealOp,
  cardId: string,
  perHour: number,
) {
  await appendSecretAudit(deps, {
    actor: ctx.actor,
    teamId: ctx.teamId,
    channelId: ctx.channelId,
    op,
    cardId,
    outcome: 'limited',
    reason: `reveal budget of ${perHour} per hour spent`,
  });
}

/**
 * `/card pan|cvv|expiry|pin <cardId>`: no secret is fetched or shown yet. The answer is an
 * ephemeral offer with a Reveal button whose value is only a random id standing for the offer in the
 * shared store; the click, on whichever replica it lands, fetches the value and shows it through its
 * own response_url (see reveal-secret.ts).
 */
export const handleReveal: CardOpHandler = async (request) => {
  const { deps, ctx, op, cardId } = request;
  if (!isRevealOp(op)) throw new Error(`handleReveal got ${op}`);
  const options = { sandbox: deps.sandbox };
  const now = deps.now();
  const perHour = ctx.policy.limits.revealsPerHour;
  if (await revealBudgetSpent(deps, ctx.actor, perHour, now)) {
    await auditRevealLimited(deps, ctx, op, cardId, perHour);
    deps.logger.info({ actor: ctx.actor, op, cardId }, 'reveal refused: hourly budget spent');
    await request.reply(buildRevealLimited(op, cardId, perHour, options));
    return;
  }
  const revealId = await offerReveal(
    deps.revealOffers,
    { userId: ctx.actor, op, cardId, channelId: ctx.channelId, teamId: ctx.teamId },
    now.getTime(),
  );
  await request.reply(buildRevealOffer(op, cardId, revealId, deps.revealHideMs, options));
};

export type SecretRead = { ok: true; value: string; traceId: string | undefined } | { ok: false; error: AppError };

/** One audited issuer read of a secret (started, then ok/failed/unknown), reduced to the value to show. */
export async function readSecret(
  deps: ListenerDeps,
  ctx: RequestContext,
  op: RevealOp,
  cardId: string,
): Promise<SecretRead> {
  switch (op) {
    case 'pan': {
      const outcome = await executeCardOp(deps, ctx, { op, cardId });
      return outcome.ok ? { ok: true, value: outcome.value.pan, traceId: outcome.value.traceId } : outcome;
    }
    case 'cvv': {
      const outcome = await executeCardOp(deps, ctx, { op, cardId });
      return outcome.ok ? { ok: true, value: outcome.value.cvv, traceId: outcome.value.traceId } : outcome;
    }
    case 'expiry': {
      const outcome = await executeCardOp(deps, ctx, { op, cardId });
      return outcome.ok ? { ok: true, value: outcome.value.dueDate, traceId: outcome.value.traceId } : outcome;
    }
    case 'pin': {
      const outcome = await executeCardOp(deps, ctx, { op, cardId });
      return outcome.ok ? { ok: true, value: outcome.value.pin, traceId: outcome.value.traceId } : outcome;
    }
  }
}
