import type { CardOp } from '../../../domain/ops.js';
import { handleActivate } from './card-activate.js';
import { handleBlockOrUnblock, handleLimit, handleSetLimit } from './card-basic-ops.js';
import { handleCancelRequest } from './card-cancel.js';
import { handleChangePin, handleUnblockPin } from './card-pin.js';
import type { CardOpHandler } from './card-request.js';
import { handleReveal } from './card-reveal.js';

/** The handler of each `/card` operation, once the request is parsed and authorised. */
export const CARD_OP_HANDLERS: Partial<Record<CardOp, CardOpHandler>> = {
  block: handleBlockOrUnblock,
  unblock: handleBlockOrUnblock,
  limit: handleLimit,
  'set-limit': handleSetLimit,
  activate: handleActivate,
  pan: handleReveal,
  cvv: handleReveal,
  expiry: handleReveal,
  pin: handleReveal,
  'unblock-pin': handleUnblockPin,
  'change-pin': handleChangePin,
  cancel: handleCancelRequest,
};
