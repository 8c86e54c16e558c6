import { z } from 'zod';
import type {
  CardStateResult,
  CvvResult,
  DueDateResult,
  LimitResult,
  PanResult,
  PinResult,
} from '../../domain/cards/card-issuer.js';
import {
  cvvValue,
  limitAmount,
  looseBoolean,
  looseCardId,
  looseDate,
  looseStatus,
  noLimitText,
  panValue,
  pinValue,
} from './normalise.js';

/*
 * The `data` of each answer of SPEC §2, the same in both dialects once the envelope is off.
 * Unknown fields are dropped; a missing documented field fails the parse (ISSUER_MALFORMED).
 */

/** The state answer's fields; built once: zod compiles an object schema on its first parse, so one per call costs a compile per call. */
const cardStateFields = z.object({
  cardId: looseCardId,
  isActive: looseBoolean.optional(),
  status: looseStatus.optional(),
});

/**
 * activate, block, unblock, cancel: `{cardId, isActive, status?}`. Compiled once; that the answer
 * is about the card asked for is checked by the caller (`aboutCard` of the request).
 */
export const cardStateSchema: z.ZodType<CardStateResult> = cardStateFields.transform((data) => {
  const result: CardStateResult = { cardId: data.cardId };
  if (data.isActive !== undefined) result.isActive = data.isActive;
  if (data.status !== undefined) result.status = data.status;
  return result;
});

export const panSchema: z.ZodType<PanResult> = z
  .object({ pan: panValue, expDate: looseDate })
  .transform((data) => ({ pan: data.pan, expDate: data.expDate }));

export const cvvSchema: z.ZodType<CvvResult> = z.object({ cvv: cvvValue }).transform((data) => ({ cvv: data.cvv }));

export const dueDateSchema: z.ZodType<DueDateResult> = z
  .object({ dueDate: looseDate })
  .transform((data) => ({ dueDate: data.dueDate }));

export const pinSchema: z.ZodType<PinResult> = z.object({ pin: pinValue }).transform((data) => ({ pin: data.pin }));

const limitValue = z.union([limitAmount, noLimitText, z.null()]);
const limitForms = z.union([
  limitValue,
  z.object({ limit: limitValue }).transform((data) => data.limit),
  z.object({ message: noLimitText }).transform((data) => data.message),
]);

/**
 * PayCaddy's limit answer, in any of its documented forms: a bare number or numeric string,
 * the bare text "No stablish internal limit", `{limit: number|string|null}` or
 * `{message: "No stablish internal limit"}`. The text means no limit: `null`.
 */
export function limitSchema(cardId: string): z.ZodType<LimitResult> {
  return limitForms.transform((limit) => ({ cardId, limit }));
}

const setLimitFields = z.object({ cardId: looseCardId, limit: limitAmount });

/** set-limit: `{cardId, limit}` as stored. */
export function setLimitSchema(cardId: string): z.ZodType<LimitResult> {
  return setLimitFields.transform((data, ctx) => {
    if (data.cardId !== cardId) {
      ctx.issues.push({ code: 'custom', message: 'answer is about another card', path: ['cardId'], input: data });
      return z.NEVER;
    }
    return { cardId: data.cardId, limit: data.limit };
  });
}
