import { z } from 'zod';
import type { CardIssuer, IssuerClientOptions } from '../../domain/cards/card-issuer.js';
import { CARD_OPS, type CardOp } from '../../domain/ops.js';
import { cvvSchema, dueDateSchema, panSchema, pinSchema } from './card-schemas.js';
import { createIssuerHttp, type IssuerDialect, notOffered, requireCardId, requireNewPin } from './http-issuer.js';

/** Sovera v2 paths (SPEC §2). Every answer is `{success, data, meta: {timestamp, version, traceId}}`, 201 (200 for the PIN change). */
export const SOVERA_PATHS = {
  activate: '/cards/v2/operations/ack/reception',
  block: '/cards/v2/operations/block',
  unblock: '/cards/v2/operations/unblock',
  cancel: '/cards/v2/operations/cancel',
  pan: '/cards/v2/operations/check/pan',
  cvv: '/cards/v2/operations/check/cvv',
  expiry: '/cards/v2/operations/check/due/date',
  pin: '/cards/v2/operations/check/pin',
  'unblock-pin': '/cards/v2/operations/unblock/pin',
  'change-pin': '/cards/v2/operations/pin',
} as const;

/** SPEC §2: Sovera has no internal limits. */
export const SOVERA_OFFERS: readonly CardOp[] = CARD_OPS.filter((op) => op !== 'limit' && op !== 'set-limit');

const NOT_OFFERED_MESSAGE = 'Internal limits are not offered by this issuer (Sovera).';

const metaSchema = z.object({
  traceId: z.string().min(1),
  timestamp: z.union([z.string(), z.number()]).optional(),
  version: z.union([z.string(), z.number()]).optional(),
});

const successEnvelope = z.object({ success: z.literal(true), data: z.unknown(), meta: metaSchema });

/** Whatever the body, its trace id if it carries one: kept even when the rest is not as documented. */
const traceOnly = z.object({ meta: z.object({ traceId: z.string() }) });

const errorEnvelope = z.object({
  errors: z.array(z.object({ message: z.string().optional() }).loose()).optional(),
});

export const SOVERA_DIALECT: IssuerDialect = {
  provider: 'sovera',
  displayName: 'Sovera',
  unwrapSuccess(body) {
    const traceId = traceOnly.safeParse(body).data?.meta.traceId;
    const parsed = successEnvelope.safeParse(body);
    if (!parsed.success || parsed.data.data === undefined) return { ok: false, traceId };
    return { ok: true, data: parsed.data.data, traceId };
  },
  readError(body) {
    return {
      message: errorEnvelope.safeParse(body).data?.errors?.[0]?.message,
      traceId: traceOnly.safeParse(body).data?.meta.traceId,
    };
  },
};

/** The Sovera v2 card issuer client. */
export function createSoveraIssuer(options: IssuerClientOptions): CardIssuer {
  const http = createIssuerHttp(SOVERA_DIALECT, options);
  const check = (op: Parameters<typeof requireCardId>[1], cardId: string) => requireCardId('sovera', op, cardId);

  return {
    provider: 'sovera',
    offers: SOVERA_OFFERS,
    activate: (cardId) => http.stateChange('activate', SOVERA_PATHS.activate, cardId),
    block: (cardId) => http.stateChange('block', SOVERA_PATHS.block, cardId),
    unblock: (cardId) => http.stateChange('unblock', SOVERA_PATHS.unblock, cardId),
    cancel: (cardId) => http.stateChange('cancel', SOVERA_PATHS.cancel, cardId),
    async pan(cardId) {
      check('pan', cardId);
      return http.call({ op: 'pan', method: 'POST', path: SOVERA_PATHS.pan, body: { cardId } }, panSchema);
    },
    async cvv(cardId) {
      check('cvv', cardId);
      return http.call({ op: 'cvv', method: 'POST', path: SOVERA_PATHS.cvv, body: { cardId } }, cvvSchema);
    },
    async expiry(cardId) {
      check('expiry', cardId);
      return http.call({ op: 'expiry', method: 'POST', path: SOVERA_PATHS.expiry, body: { cardId } }, dueDateSchema);
    },
    async pin(cardId) {
      check('pin', cardId);
      return http.call({ op: 'pin', method: 'POST', path: SOVERA_PATHS.pin, body: { cardId } }, pinSchema);
    },
    async unblockPin(cardId) {
      check('unblock-pin', cardId);
      return http.call(
        { op: 'unblock-pin', method: 'POST', path: SOVERA_PATHS['unblock-pin'], body: { cardId } },
        pinSchema,
      );
    },
    async changePin(cardId, pin) {
      check('change-pin', cardId);
      requireNewPin('sovera', pin);
      return http.call(
        { op: 'change-pin', method: 'PUT', path: SOVERA_PATHS['change-pin'], body: { cardId, pin } },
        pinSchema,
      );
    },
    async limit() {
      throw notOffered('sovera', 'limit', NOT_OFFERED_MESSAGE);
    },
    async setLimit() {
      throw notOffered('sovera', 'set-limit', NOT_OFFERED_MESSAGE);
    },
  };
}
