import { executeCardOp } from '../../../domain/cards/execute-card-op.js';
import { buildLimitSet, buildLimitShown, buildOpFailed, buildStateChangeDone } from '../../views/card-replies.js';
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

/** `/card set-limit <cardId> <amount>`: the amount was checked when the command was parsed. */
export const handleSetLimit: CardOpHandler = async (request) => {
  const { deps, ctx, cardId } = request;
  const options = { sandbox: deps.sandbox };
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
