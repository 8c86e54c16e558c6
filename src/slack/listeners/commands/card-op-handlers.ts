import type { CardOp } from '../../../domain/ops.js';
import { handleBlockOrUnblock, handleLimit, handleSetLimit } from './card-basic-ops.js';
import type { CardOpHandler } from './card-request.js';

/** The handler of each `/card` operation, once the request is parsed and authorised. */
export const CARD_OP_HANDLERS: Partial<Record<CardOp, CardOpHandler>> = {
  block: handleBlockOrUnblock,
  unblock: handleBlockOrUnblock,
  limit: handleLimit,
  'set-limit': handleSetLimit,
};
