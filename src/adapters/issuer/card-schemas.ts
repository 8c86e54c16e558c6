import { z } from 'zod';
import type { CardStateResult, CvvResult, DueDateResult, LimitResult, PanResult, PinResult } from './card-issuer.js';
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

/** activate, block, unblock, cancel: `{cardId, isActive, status?}`, for the card that was asked about. */
export function cardStateSchema(cardId: string): z.ZodType<CardStateResult> {
  return z
    .object({
      cardId: looseCardId,
      isActive: looseBoolean.optional(),
      status: looseStatus.optional(),
    })
    .refine((data) => data.cardId === cardId, { message: 'answer is about another card', path: ['cardId'] })
    .transform((data) => {
      const result: CardStateResult = { cardId: data.cardId };
      if (data.isActive !== undefined) result.isActive = data.isActive;
      if (data.status !== undefined) result.status = data.status;
      return result;
    });
}

export const panSchema: z.ZodType<PanResult> = z
  .object({ pan: panValue, expDate: looseDate })
  .transform((data) => ({ pan: data.pan, expDate: data.expDate }));

export const cvvSchema: z.ZodType<CvvResult> = z.object({ cvv: cvvValue }).transform((data) => ({ cvv: data.cvv }));

export const dueDateSchema: z.ZodType<DueDateResult> = z
  .object({ dueDate: looseDate })
  .transform((data) => ({ dueDate: data.dueDate }));

export const pinSchema: z.ZodType<PinResult> = z.object({ pin: pinValue }).transform((data) => ({ pin: data.pin }));

/**
 * PayCaddy's limit answer, in any of its documented forms: a bare number or numeric string,
 * the bare text "No stablish internal limit", `{limit: number|string|null}` or
 * `{message: "No stablish internal limit"}`. The text means no limit: `null`.
 */
export function limitSchema(cardId: string): z.ZodType<LimitResult> {
  const value = z.union([limitAmount, noLimitText, z.null()]);
  return z
    .union([
      value,
      z.object({ limit: value }).transform((data) => data.limit),
      z.object({ message: noLimitText }).transform((data) => data.message),
    ])
    .transform((limit) => ({ cardId, limit }));
}

/** set-limit: `{cardId, limit}` as stored. */
export function setLimitSchema(cardId: string): z.ZodType<LimitResult> {
  return z
    .object({ cardId: looseCardId, limit: limitAmount })
    .refine((data) => data.cardId === cardId, { message: 'answer is about another card', path: ['cardId'] })
    .transform((data) => ({ cardId: data.cardId, limit: data.limit }));
}
