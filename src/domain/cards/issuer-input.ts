import { AppError } from '../../errors.js';
import { MESSAGES } from '../../messages.js';
import { CARD_ID_PATTERN, type CardOp } from '../ops.js';
import type { CardIssuer } from './card-issuer.js';

/*
 * What makes a request unfit to leave cardops, whichever the dialect: an op the issuer does not
 * offer, a card id not of the documented form, a new PIN that is not 4–12 digits, a limit that is
 * not a non-negative amount. `executeCardOp` asks before its `started` row (such a request gets
 * one outcome row and no call); the issuer clients ask again before sending, as a last guard.
 */

/** Why `cardId` cannot be sent to the issuer, or undefined. */
export function cardIdRefusal(provider: CardIssuer['provider'], op: CardOp, cardId: unknown): AppError | undefined {
  if (typeof cardId === 'string' && CARD_ID_PATTERN.test(cardId)) return undefined;
  return new AppError('INVALID_INPUT', `issuer ${provider} (${op}): card id is not of the documented form`, {
    userMessage: MESSAGES.cardIdInvalid(),
  });
}

/** Why a new PIN cannot be sent to the issuer, or undefined. The PIN is never in the message. */
export function newPinRefusal(provider: CardIssuer['provider'], pin: unknown): AppError | undefined {
  if (typeof pin === 'string' && /^\d{4,12}$/.test(pin)) return undefined;
  return new AppError('INVALID_INPUT', `issuer ${provider} (change-pin): the new PIN is not 4–12 digits`, {
    userMessage: MESSAGES.newPinDigitsOnly(),
  });
}

/** Why a limit cannot be sent to the issuer, or undefined. */
export function limitRefusal(provider: CardIssuer['provider'], limit: unknown): AppError | undefined {
  if (typeof limit === 'number' && Number.isFinite(limit) && limit >= 0) return undefined;
  return new AppError('INVALID_INPUT', `issuer ${provider} (set-limit): the limit is not a non-negative amount`, {
    userMessage: MESSAGES.amountInvalid(),
  });
}

/** An AppError for an op the issuer does not offer. */
export function notOfferedError(provider: CardIssuer['provider'], op: CardOp): AppError {
  return new AppError('NOT_OFFERED', `issuer ${provider} (${op}): not offered`, {
    userMessage: MESSAGES.limitsNotOffered({ provider }),
  });
}

/** Everything that keeps a request from leaving cardops, found without a network call; undefined when it may go. */
export function refusalBeforeCall(
  issuer: Pick<CardIssuer, 'provider' | 'offers'>,
  request: { op: CardOp; cardId: string; pin?: string | undefined; amount?: number | undefined },
): AppError | undefined {
  const { provider } = issuer;
  if (!issuer.offers(request.op)) return notOfferedError(provider, request.op);
  const idProblem = cardIdRefusal(provider, request.op, request.cardId);
  if (idProblem) return idProblem;
  if (request.op === 'change-pin') return newPinRefusal(provider, request.pin);
  if (request.op === 'set-limit') return limitRefusal(provider, request.amount);
  return undefined;
}
