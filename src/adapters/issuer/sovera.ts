import { z } from 'zod';
import type { CardIssuer, IssuerClientOptions } from '../../domain/cards/card-issuer.js';
import { notOfferedError } from '../../domain/cards/issuer-input.js';
import type { CardOp } from '../../domain/ops.js';
import { cvvSchema, dueDateSchema, panSchema, pinChangeSchema, pinSchema } from './card-schemas.js';
import { createIssuerHttp, type IssuerDialect, requireCardId, requireNewPin } from './http-issuer.js';

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

/** Sovera v2 has no internal limits. */
const NOT_OFFERED: readonly CardOp[] = ['limit', 'set-limit'];

/**
 * `meta` marks the envelope; every field in it (timestamp, version, trace id) is informative: an
 * answer without a trace id, or with one of an odd type, is still a success (the trace id is read
 * apart, by `traceOnly`).
 */
const metaSchema = z.object({}).loose();

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
    offers: (op) => !NOT_OFFERED.includes(op),
    activate: (cardId) => http.stateChange('activate', SOVERA_PATHS.activate, cardId),
    block: (cardId) => http.stateChange('block', SOVERA_PATHS.block, cardId),
    unblock: (cardId) => http.stateChange('unblock', SOVERA_PATHS.unblock, cardId),
    cancel: (cardId) => http.stateChange('cancel', SOVERA_PATHS.cancel, cardId),
    async pan(cardId) {
      check('pan', cardId);
      return http.call(
        { op: 'pan', method: 'POST', path: SOVERA_PATHS.pan, body: { cardId }, aboutCard: cardId },
        panSchema,
      );
    },
    async cvv(cardId) {
      check('cvv', cardId);
      return http.call(
        { op: 'cvv', method: 'POST', path: SOVERA_PATHS.cvv, body: { cardId }, aboutCard: cardId },
        cvvSchema,
      );
    },
    async expiry(cardId) {
      check('expiry', cardId);
      return http.call(
        { op: 'expiry', method: 'POST', path: SOVERA_PATHS.expiry, body: { cardId }, aboutCard: cardId },
        dueDateSchema,
      );
    },
    async pin(cardId) {
      check('pin', cardId);
      return http.call(
        { op: 'pin', method: 'POST', path: SOVERA_PATHS.pin, body: { cardId }, aboutCard: cardId },
        pinSchema,
      );
    },
    async unblockPin(cardId) {
      check('unblock-pin', cardId);
      return http.call(
        { op: 'unblock-pin', method: 'POST', path: SOVERA_PATHS['unblock-pin'], body: { cardId }, aboutCard: cardId },
        pinChangeSchema,
      );
    },
    async changePin(cardId, pin) {
      check('change-pin', cardId);
      requireNewPin('sovera', pin);
      return http.call(
        { op: 'change-pin', method: 'PUT', path: SOVERA_PATHS['change-pin'], body: { cardId, pin }, aboutCard: cardId },
        pinChangeSchema,
      );
    },
    async limit() {
      throw notOfferedError('sovera', 'limit');
    },
    async setLimit() {
      throw notOfferedError('sovera', 'set-limit');
    },
  };
}
