import { z } from 'zod';
import type { CardIssuer, IssuerClientOptions } from '../../domain/cards/card-issuer.js';
import {
  cvvSchema,
  dueDateSchema,
  limitSchema,
  panSchema,
  pinChangeSchema,
  pinSchema,
  setLimitSchema,
} from './card-schemas.js';
import { createIssuerHttp, type IssuerDialect, requireCardId, requireLimit, requireNewPin } from './http-issuer.js';

/** PayCaddy v1 paths (SPEC §2). Answers are the bare data with 200; errors are problem objects. */
export const PAYCADDY_PATHS = {
  activate: '/v1/cardOperations/ackReception',
  block: '/v1/cardOperations/blockCard',
  unblock: '/v1/cardOperations/unblockCard',
  cancel: '/v1/cardOperations/cancelCard',
  pan: '/v1/cardOperations/checkPan',
  cvv: '/v1/cardOperations/checkCvv',
  expiry: '/v1/cardOperations/checkDueDate',
  pin: '/v1/cardOperations/checkPin',
  'unblock-pin': '/v1/cardOperations/unblockPin',
  'change-pin': '/v1/cardOperations/changePin',
  /** GET `${limit}/{cardId}` reads; POST `${limit}` `{cardId, limit}` sets. */
  limit: '/v1/ChangeLimitIWL',
} as const;

/** `{type, title, status, detail, instance}`: `detail` says what happened, `title` is the fallback. */
const problemSchema = z.object({ title: z.string().optional(), detail: z.string().optional() });

export const PAYCADDY_DIALECT: IssuerDialect = {
  provider: 'paycaddy',
  displayName: 'PayCaddy',
  unwrapSuccess(body) {
    // No envelope; the data schemas reject a Sovera envelope (its fields sit one level down).
    return { ok: true, data: body };
  },
  readError(body) {
    const problem = problemSchema.safeParse(body).data;
    return { message: problem?.detail?.trim() || problem?.title };
  },
};

/** The PayCaddy v1 card issuer client. */
export function createPayCaddyIssuer(options: IssuerClientOptions): CardIssuer {
  const http = createIssuerHttp(PAYCADDY_DIALECT, options);
  const check = (op: Parameters<typeof requireCardId>[1], cardId: string) => requireCardId('paycaddy', op, cardId);

  return {
    provider: 'paycaddy',
    offers: () => true,
    activate: (cardId) => http.stateChange('activate', PAYCADDY_PATHS.activate, cardId),
    block: (cardId) => http.stateChange('block', PAYCADDY_PATHS.block, cardId),
    unblock: (cardId) => http.stateChange('unblock', PAYCADDY_PATHS.unblock, cardId),
    cancel: (cardId) => http.stateChange('cancel', PAYCADDY_PATHS.cancel, cardId),
    async pan(cardId) {
      check('pan', cardId);
      return http.call(
        { op: 'pan', method: 'POST', path: PAYCADDY_PATHS.pan, body: { cardId }, aboutCard: cardId },
        panSchema,
      );
    },
    async cvv(cardId) {
      check('cvv', cardId);
      return http.call(
        { op: 'cvv', method: 'POST', path: PAYCADDY_PATHS.cvv, body: { cardId }, aboutCard: cardId },
        cvvSchema,
      );
    },
    async expiry(cardId) {
      check('expiry', cardId);
      return http.call(
        { op: 'expiry', method: 'POST', path: PAYCADDY_PATHS.expiry, body: { cardId }, aboutCard: cardId },
        dueDateSchema,
      );
    },
    async pin(cardId) {
      check('pin', cardId);
      return http.call(
        { op: 'pin', method: 'POST', path: PAYCADDY_PATHS.pin, body: { cardId }, aboutCard: cardId },
        pinSchema,
      );
    },
    async unblockPin(cardId) {
      check('unblock-pin', cardId);
      return http.call(
        { op: 'unblock-pin', method: 'POST', path: PAYCADDY_PATHS['unblock-pin'], body: { cardId }, aboutCard: cardId },
        pinChangeSchema,
      );
    },
    async changePin(cardId, pin) {
      check('change-pin', cardId);
      requireNewPin('paycaddy', pin);
      return http.call(
        {
          op: 'change-pin',
          method: 'POST',
          path: PAYCADDY_PATHS['change-pin'],
          body: { cardId, pin },
          aboutCard: cardId,
        },
        pinChangeSchema,
      );
    },
    async limit(cardId) {
      check('limit', cardId);
      return http.call(
        {
          op: 'limit',
          method: 'GET',
          path: `${PAYCADDY_PATHS.limit}/${encodeURIComponent(cardId)}`,
          acceptPlainText: true,
          aboutCard: cardId,
        },
        limitSchema(cardId),
      );
    },
    async setLimit(cardId, limit) {
      check('set-limit', cardId);
      requireLimit('paycaddy', limit);
      return http.call(
        { op: 'set-limit', method: 'POST', path: PAYCADDY_PATHS.limit, body: { cardId, limit }, aboutCard: cardId },
        setLimitSchema,
      );
    },
  };
}
