import { executeCardOp } from '../../../domain/cards/execute-card-op.js';
import { buildOpFailed, buildStateChangeDone } from '../../views/card-replies.js';
import { buildChangePinModal } from '../../views/change-pin-modal.js';
import { buildFormNotOpened } from '../../views/secret-activation-replies.js';
import type { CardOpHandler } from './card-request.js';

/** `/card unblock-pin <cardId>`: the issuer answers with the PIN; the confirmation never shows it. */
export const handleUnblockPin: CardOpHandler = async (request) => {
  const { deps, ctx, cardId } = request;
  const options = { sandbox: deps.sandbox };
  const outcome = await executeCardOp(deps, ctx, { op: 'unblock-pin', cardId });
  await request.reply(
    outcome.ok
      ? buildStateChangeDone('unblock-pin', cardId, outcome.value.traceId, options)
      : buildOpFailed('unblock-pin', cardId, outcome.error, options),
  );
};

/** `/card change-pin <cardId>`: opens the form for the new PIN (change-pin-submitted.ts sets it). */
export const handleChangePin: CardOpHandler = async (request) => {
  const { deps, ctx, cardId } = request;
  const handle = request.responseUrl
    ? deps.vault.keep(request.responseUrl, { userId: ctx.actor, channelId: ctx.channelId })
    : undefined;
  try {
    await request.openModal(
      buildChangePinModal({ c: ctx.channelId, ...(handle ? { h: handle } : {}), k: cardId }, deps.sandbox),
    );
  } catch (error) {
    deps.logger.warn({ err: error, op: 'change-pin', cardId }, 'PIN form could not be opened');
    await request.reply(buildFormNotOpened(`/card change-pin ${cardId}`, { sandbox: deps.sandbox }));
  }
};
