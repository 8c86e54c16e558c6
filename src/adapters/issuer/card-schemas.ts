import { z } from 'zod';
import type {
  CardStateResult,
  CvvResult,
  DueDateResult,
  LimitResult,
  PanResult,
  PinChangeResult,
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

/**
 * unblock-pin and change-pin: the PIN the issuer may return is never used, so its absence is no
 * failure; but an answer that says nothing of the card (neither `pin` nor `cardId`) is not one
 * of these answers (e.g. the other dialect's envelope) and fails.
 */
export const pinChangeSchema: z.ZodType<PinChangeResult> = z
  .object({ pin: pinValue.optional(), cardId: looseCardId.optional() })
  .refine((data) => data.pin !== undefined || data.cardId !== undefined, { message: 'neither pin nor cardId' })
  .transform((data) => (data.pin === undefined ? {} : { pin: data.pin }));

const limitValue = z.union([limitAmount, noLimitText, z.null()]);
const limitForms = z.union([
  limitValue,
  z.object({ limit: limitValue }).transform((data) => data.limit),
  z.object({ message: noLimitText }).transform((data) => data.message),
]);

/** PayCaddy keeps "no internal limit" as a limit of 0: both read as `null`, no limit. */
const noLimitIfZero = (limit: number | null): number | null => (limit === 0 ? null : limit);

/**
 * PayCaddy's limit answer, in any of its documented forms: a bare number or numeric string,
 * the bare text "No stablish internal limit", `{limit: number|string|null}` or
 * `{message: "No stablish internal limit"}`. The text, and a limit of 0, mean no limit: `null`.
 * That a `cardId` in it is the card asked about is checked by the caller (`aboutCard`).
 */
export function limitSchema(cardId: string): z.ZodType<LimitResult> {
  return limitForms.transform((limit) => ({ cardId, limit: noLimitIfZero(limit) }));
}

const setLimitFields = z.object({ cardId: looseCardId, limit: limitAmount });

/** set-limit: `{cardId, limit}` as stored; 0 is no limit (`null`). The card is checked by the caller. */
export const setLimitSchema: z.ZodType<LimitResult> = setLimitFields.transform((data) => ({
  cardId: data.cardId,
  limit: noLimitIfZero(data.limit),
}));
