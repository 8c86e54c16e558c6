import { z } from 'zod';
import type { CardStatus } from '../../domain/cards/card-issuer.js';
import { maskDigitRun } from '../../logger.js';

/**
 * zod schemas for the loose fields both dialects send (SPEC §2): every issuer answer goes
 * through one of these, so nothing from outside is trusted by a cast.
 */

/** `true`/`false`, or the same as a string (`"false"`), in any case. */
export const looseBoolean = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false']))
    .transform((value) => value === 'true'),
]);

const STATUS_WORDS: Record<string, CardStatus> = {
  pendingack: 'pendingAck',
  active: 'active',
  temporarilyblocked: 'blocked',
  blocked: 'blocked',
  cancel: 'cancelled',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

/**
 * `pendingAck`/`PendingAck`, `Active`, `Temporarilyblocked`, `Cancel`, in any case. A status
 * word we do not know becomes undefined rather than a failure: status is informative in every
 * answer, and refusing a block that succeeded over a new word would report it as unknown.
 */
export const looseStatus = z
  .string()
  .transform((value): CardStatus | undefined => STATUS_WORDS[value.replace(/[\s_-]/g, '').toLowerCase()]);

/**
 * An expiry (`expDate`, `dueDate`) as a string. A number (or digit string) of 3–4 digits is
 * read as MMYY, as the issuer sends it (`1228`, `728` for 07/28), and shown as `MM/YY`;
 * anything else is kept as sent.
 */
export const looseDate = z
  .union([z.string().trim().min(1).max(16), z.number().int().nonnegative()])
  .transform((value) => {
    const text = String(value);
    if (/^\d{3,4}$/.test(text)) {
      const padded = text.padStart(4, '0');
      const month = Number(padded.slice(0, 2));
      if (month >= 1 && month <= 12) return `${padded.slice(0, 2)}/${padded.slice(2)}`;
    }
    return text;
  });

/** A card id: a string (a number is accepted and read as its digits). */
export const looseCardId = z
  .union([z.string().trim().min(1).max(128), z.number().int().nonnegative()])
  .transform(String);

/** A PAN: 12–19 digits, spaces and dashes between groups allowed. Never a number (19 digits lose precision). */
export const panValue = z
  .string()
  .transform((value) => value.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{12,19}$/));

/** Digits that may come as a string or, losing their leading zeros, as a number. */
function digits(min: number, max: number) {
  return z.union([
    z
      .string()
      .trim()
      .regex(new RegExp(`^\\d{${min},${max}}$`)),
    z
      .number()
      .int()
      .nonnegative()
      .max(10 ** max - 1)
      .transform((value) => String(value).padStart(min, '0')),
  ]);
}

export const cvvValue = digits(3, 4);
export const pinValue = digits(4, 12);

/** The text PayCaddy sends when a card has no internal limit (its spelling, not ours). */
export const NO_LIMIT_TEXT = 'No stablish internal limit';
const NO_LIMIT_PATTERN = /^\s*no\s+e?stablish(?:ed)?\s+internal\s+limit\.?\s*$/i;

/** The no-limit text, read as `null`. */
export const noLimitText = z
  .string()
  .regex(NO_LIMIT_PATTERN)
  .transform(() => null);

/** A limit amount: a non-negative number, or one written as a string (`"500"`, `"250.50"`). */
export const limitAmount = z.union([
  z.number().finite().nonnegative(),
  z
    .string()
    .trim()
    .regex(/^\d{1,15}(?:\.\d{1,4})?$/)
    .transform(Number),
]);

const ISSUER_TEXT_MAX = 200;

/**
 * Issuer-supplied text made safe to show, log and audit: control characters removed, any
 * 13–19 digit run (with or without separators) masked to first 6 and last 4, longer digit runs
 * hidden entirely, `key: value` secrets redacted, cut to `max` characters. Undefined when
 * nothing is left.
 */
export function cleanIssuerText(value: unknown, max = ISSUER_TEXT_MAX): string | undefined {
  return clean(value, max, /\d(?:[ -]?\d){12,}/g);
}

/**
 * A trace id made safe the same way, except that only unbroken digit runs count: a UUID whose
 * groups happen to be all digits is not a card number, and a trace id must stay quotable.
 */
export function cleanTraceId(value: unknown): string | undefined {
  return clean(value, 128, /\d{13,}/g);
}

function clean(value: unknown, max: number, digitRun: RegExp): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = value
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(
      /\b(pan|cvv|pin|expDate|dueDate|apiKey)\b(\s*["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,;}]+)/gi,
      '$1$2[redacted]',
    )
    .replace(digitRun, (run) => {
      const count = run.replace(/\D/g, '').length;
      return count <= 19 ? maskDigitRun(run) : '[number]';
    })
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned === '') return undefined;
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}
