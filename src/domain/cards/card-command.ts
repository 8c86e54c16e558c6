import { z } from 'zod';
import { MESSAGES } from '../../messages.js';
import { CARD_ID_PATTERN, CARD_OPS, type CardOp, isCardOp, type PolicyOp } from '../ops.js';
import { isCardNumberLikeId, maskCardData, startsWithCardNumber } from './card-numbers.js';

/** What `/card <text>` asks for, once parsed; `invalid` carries a specific, safe explanation. */
export type CardCommand =
  | { kind: 'modal' }
  | { kind: 'help' }
  | { kind: 'whoami' }
  /** What cardops did to the card, from the audit. */
  | { kind: 'history'; cardId: string }
  | {
      kind: 'op';
      op: CardOp;
      cardId: string;
      /** Card data in it (a card number in any form, `cvv 913`-like fragments) is already masked. */
      reason?: string;
      amount?: number;
      /** True when the reason held card data that was masked: the asker is told. */
      masked?: boolean;
    }
  | { kind: 'invalid'; problem: string; op?: PolicyOp };

export const MAX_REASON_LENGTH = 300;
export const MAX_AMOUNT = 1_000_000_000;

/** Control characters and Slack's own escapes are taken out of free text before it goes anywhere. */
export function cleanText(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

export const PAN_LIKE_PROBLEM = MESSAGES.panLikeCardId();

/** Checks a card id as typed; a message saying what is wrong, or undefined when it is plausible. */
export function cardIdProblem(cardId: string | undefined): string | undefined {
  if (!cardId) return MESSAGES.cardIdNeeded();
  if (isCardNumberLikeId(cardId)) return PAN_LIKE_PROBLEM;
  if (!CARD_ID_PATTERN.test(cardId)) {
    return MESSAGES.cardIdInvalid();
  }
  return undefined;
}

const amountSchema = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,2})?$/, { message: MESSAGES.amountInvalid() })
  .transform(Number)
  .refine((n) => n <= MAX_AMOUNT, { message: MESSAGES.amountTooLarge({ max: MAX_AMOUNT }) });

/** Ops typed with only a card id: extra words are refused so nothing is silently ignored. */
const CARD_ONLY: readonly CardOp[] = ['activate', 'pan', 'cvv', 'expiry', 'pin', 'unblock-pin', 'change-pin', 'limit'];

/** `history <cardId>`: a card id and nothing else. */
function parseHistory(words: readonly string[]): CardCommand {
  const [cardId, ...more] = words;
  if (startsWithCardNumber(words.join(' '))) {
    return { kind: 'invalid', problem: PAN_LIKE_PROBLEM, op: 'history' };
  }
  const idProblem = cardIdProblem(cardId);
  if (idProblem || !cardId) return { kind: 'invalid', problem: idProblem ?? MESSAGES.cardIdNeeded(), op: 'history' };
  if (more.length > 0) return { kind: 'invalid', problem: MESSAGES.cardIdOnly({ op: 'history' }), op: 'history' };
  return { kind: 'history', cardId };
}

/** Parses the text of `/card`. Never throws; bad input becomes `invalid` with the reason. */
export function parseCardCommand(rawText: string): CardCommand {
  const text = cleanText(rawText);
  if (text === '') return { kind: 'modal' };
  const [first = '', ...rest] = text.split(' ');
  const word = first.toLowerCase();
  if (word === 'help' || word === '?') return { kind: 'help' };
  if (word === 'whoami') return { kind: 'whoami' };
  if (word === 'history') return parseHistory(rest);
  if (!isCardOp(word)) {
    const shown = first.length > 30 ? `${first.slice(0, 30)}…` : first;
    return { kind: 'invalid', problem: MESSAGES.unknownOp({ typed: shown, ops: CARD_OPS }) };
  }
  const op = word;
  // A card number typed with spaces or other separators would otherwise split into a short "card id".
  if (startsWithCardNumber(rest.join(' '))) {
    return { kind: 'invalid', problem: PAN_LIKE_PROBLEM, op };
  }
  const [cardId, ...more] = rest;
  const idProblem = cardIdProblem(cardId);
  if (idProblem || !cardId) return { kind: 'invalid', problem: idProblem ?? MESSAGES.cardIdNeeded(), op };
  if (CARD_ONLY.includes(op)) {
    if (more.length > 0) {
      return { kind: 'invalid', problem: MESSAGES.cardIdOnly({ op }), op };
    }
    return { kind: 'op', op, cardId };
  }
  if (op === 'set-limit') {
    if (more.length !== 1) return { kind: 'invalid', problem: MESSAGES.setLimitArgs(), op };
    const parsed = amountSchema.safeParse(more[0]);
    if (!parsed.success)
      return { kind: 'invalid', problem: parsed.error.issues[0]?.message ?? MESSAGES.amountBad(), op };
    return { kind: 'op', op, cardId, amount: parsed.data };
  }
  const { text: reason, masked } = maskCardData(more.join(' '));
  if (reason.length > MAX_REASON_LENGTH) {
    return { kind: 'invalid', problem: MESSAGES.reasonTooLong({ max: MAX_REASON_LENGTH }), op };
  }
  if (op === 'cancel' && reason === '') {
    return { kind: 'invalid', problem: MESSAGES.cancelNeedsReason(), op };
  }
  if (!reason) return { kind: 'op', op, cardId };
  return masked ? { kind: 'op', op, cardId, reason, masked } : { kind: 'op', op, cardId, reason };
}
