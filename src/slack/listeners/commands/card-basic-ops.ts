import { executeCardOp } from '../../../domain/cards/execute-card-op.js';
import { askLimitRemoval, LIMIT_REMOVAL_TTL_MS } from '../../../domain/cards/limit-removal.js';
import { AppError } from '../../../errors.js';
import {
  buildLimitRemoveAsk,
  buildLimitSet,
  buildLimitShown,
  buildOpFailed,
  buildStateChangeDone,
} from '../../views/card-replies.js';
import type { CardOpHandler } from './card-request.js';

/** `/card block|unblock <cardId> [reason]`: one audited issuer call, answered ephemerally. */
export const handleBlockOrUnblock: CardOpHandler = async (request) => {
  const { deps, ctx, op, cardId } = request;
  const options = { sandbox: deps.sandbox };
  const outcome = await executeCardOp(deps, ctx, {
    op: op === 'unblock' ? 'unblock' : 'block',
    cardId,
    ...(request.reason ? { reason: request.reason } : {}),
  });
  await request.reply(
    outcome.ok
      ? buildStateChangeDone(op, cardId, outcome.value.traceId, options)
      : buildOpFailed(op, cardId, outcome.error, options),
  );
};

/** `/card limit <cardId>`: the internal monthly limit, or that none is set. */
export const handleLimit: CardOpHandler = async (request) => {
  const { deps, ctx, cardId } = request;
  const options = { sandbox: deps.sandbox };
  const outcome = await executeCardOp(deps, ctx, { op: 'limit', cardId });
  await request.reply(
    outcome.ok ? buildLimitShown(outcome.value, options) : buildOpFailed('limit', cardId, outcome.error, options),
  );
};

/**
 * `/card set-limit <cardId> <amount>`: the amount was checked when the command was parsed. A limit
 * of 0 removes the card's limit, so it is first asked back of the requester (confirm-limit-removal.ts
 * makes the call); nothing reaches the issuer until they confirm.
 */
export const handleSetLimit: CardOpHandler = async (request) => {
  const { deps, ctx, cardId } = request;
  const options = { sandbox: deps.sandbox };
  if (request.amount === 0 && deps.issuer.offers('set-limit')) {
    let asked: Awaited<ReturnType<typeof askLimitRemoval>>;
    try {
      asked = await askLimitRemoval(deps, ctx, cardId);
    } catch (error) {
      deps.logger.error({ err: error, op: 'set-limit', cardId }, 'limit removal could not be audited; not asked');
      const refusal = new AppError('AUDIT_UNAVAILABLE', 'limit removal could not be audited');
      await request.reply(buildOpFailed('set-limit', cardId, refusal, options));
      return;
    }
    await request.reply(buildLimitRemoveAsk(cardId, asked.id, LIMIT_REMOVAL_TTL_MS, options));
    return;
  }
  const outcome = await executeCardOp(deps, ctx, {
    op: 'set-limit',
    cardId,
    amount: request.amount ?? 0,
    ...(request.reason ? { reason: request.reason } : {}),
  });
  await request.reply(
    outcome.ok ? buildLimitSet(outcome.value, options) : buildOpFailed('set-limit', cardId, outcome.error, options),
  );
};
