import { z } from 'zod';
import { CARD_ID_PATTERN, CARD_OPS, type CardOp, isCardOp } from '../ops.js';
import { isCardNumberLikeId, maskCardData, startsWithCardNumber } from './card-numbers.js';

/** What `/card <text>` asks for, once parsed; `invalid` carries a specific, safe explanation. */
export type CardCommand =
  | { kind: 'modal' }
  | { kind: 'help' }
  | { kind: 'whoami' }
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
  | { kind: 'invalid'; problem: string; op?: CardOp };

/** The usage line of each op, as `help` prints it. */
export const OP_USAGE: Record<CardOp, string> = {
  block: '/card block <cardId> [reason]',
  unblock: '/card unblock <cardId> [reason]',
  activate: '/card activate <cardId>',
  cancel: '/card cancel <cardId> <reason>',
  pan: '/card pan <cardId>',
  cvv: '/card cvv <cardId>',
  expiry: '/card expiry <cardId>',
  pin: '/card pin <cardId>',
  'unblock-pin': '/card unblock-pin <cardId>',
  'change-pin': '/card change-pin <cardId>',
  limit: '/card limit <cardId>',
  'set-limit': '/card set-limit <cardId> <amount>',
};

export const OP_SUMMARY: Record<CardOp, string> = {
  block: 'block a card temporarily',
  unblock: 'unblock a blocked card',
  activate: 'activate a card the cardholder has in hand (checks last 4 digits and CVV)',
  cancel: 'cancel a card for good (needs an approver)',
  pan: 'show the card number to you only',
  cvv: 'show the CVV to you only',
  expiry: 'show the expiry date to you only',
  pin: 'show the PIN to you only',
  'unblock-pin': 'unblock a PIN blocked by wrong tries',
  'change-pin': 'set a new PIN (typed in a private form)',
  limit: 'show the internal monthly limit',
  'set-limit': 'set the internal monthly limit',
};

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

export const PAN_LIKE_PROBLEM =
  'That looks like a card number. Use the issuer\u2019s card id instead: card numbers must never be typed into Slack.';

/** Checks a card id as typed; a message saying what is wrong, or undefined when it is plausible. */
export function cardIdProblem(cardId: string | undefined): string | undefined {
  if (!cardId) return 'A card id is needed.';
  if (isCardNumberLikeId(cardId)) return PAN_LIKE_PROBLEM;
  if (!CARD_ID_PATTERN.test(cardId)) {
    return 'That is not a valid card id: use 1 to 64 letters, digits, "-" or "_", starting with a letter or digit.';
  }
  return undefined;
}

const amountSchema = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,2})?$/, {
    message: 'The amount must be a non-negative number with at most 2 decimals, like 500 or 1250.50.',
  })
  .transform(Number)
  .refine((n) => n <= MAX_AMOUNT, { message: `The amount must be at most ${MAX_AMOUNT.toLocaleString('en-US')}.` });

/** Ops typed with only a card id: extra words are refused so nothing is silently ignored. */
const CARD_ONLY: readonly CardOp[] = ['activate', 'pan', 'cvv', 'expiry', 'pin', 'unblock-pin', 'change-pin', 'limit'];

/** Parses the text of `/card`. Never throws; bad input becomes `invalid` with the reason. */
export function parseCardCommand(rawText: string): CardCommand {
  const text = cleanText(rawText);
  if (text === '') return { kind: 'modal' };
  const [first = '', ...rest] = text.split(' ');
  const word = first.toLowerCase();
  if (word === 'help' || word === '?') return { kind: 'help' };
  if (word === 'whoami') return { kind: 'whoami' };
  if (!isCardOp(word)) {
    const shown = first.length > 30 ? `${first.slice(0, 30)}…` : first;
    return { kind: 'invalid', problem: `"${shown}" is not a /card operation. Operations: ${CARD_OPS.join(', ')}.` };
  }
  const op = word;
  // A card number typed with spaces or other separators would otherwise split into a short "card id".
  if (startsWithCardNumber(rest.join(' '))) {
    return { kind: 'invalid', problem: PAN_LIKE_PROBLEM, op };
  }
  const [cardId, ...more] = rest;
  const idProblem = cardIdProblem(cardId);
  if (idProblem || !cardId) return { kind: 'invalid', problem: idProblem ?? 'A card id is needed.', op };
  if (CARD_ONLY.includes(op)) {
    if (more.length > 0) {
      const hint = op === 'change-pin' ? ' The new PIN is typed in a private form, never on the command line.' : '';
      return { kind: 'invalid', problem: `${op} takes only a card id.${hint}`, op };
    }
    return { kind: 'op', op, cardId };
  }
  if (op === 'set-limit') {
    if (more.length !== 1) return { kind: 'invalid', problem: 'set-limit takes a card id and one amount.', op };
    const parsed = amountSchema.safeParse(more[0]);
    if (!parsed.success) return { kind: 'invalid', problem: parsed.error.issues[0]?.message ?? 'Bad amount.', op };
    return { kind: 'op', op, cardId, amount: parsed.data };
  }
  const { text: reason, masked } = maskCardData(more.join(' '));
  if (reason.length > MAX_REASON_LENGTH) {
    return { kind: 'invalid', problem: `The reason is too long (at most ${MAX_REASON_LENGTH} characters).`, op };
  }
  if (op === 'cancel' && reason === '') {
    return { kind: 'invalid', problem: 'Cancelling a card needs a reason, for the approver and the audit.', op };
  }
  if (!reason) return { kind: 'op', op, cardId };
  return masked ? { kind: 'op', op, cardId, reason, masked } : { kind: 'op', op, cardId, reason };
}
