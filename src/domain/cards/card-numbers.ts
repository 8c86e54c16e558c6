/**
 * Card numbers typed where they must not be (SPEC §7): text is normalised first — Unicode NFKC, so
 * full-width and other digit forms become ASCII digits, and invisible characters (zero-width
 * spaces and joiners, soft hyphens, BOMs) removed — then digit runs are read across every
 * separator people put between digit groups: spaces, `-`, `_`, `/`, `.` and their Unicode kin.
 */

// Invisible and format characters (zero-width spaces and joiners, soft hyphen, direction marks,
// variation selectors, BOM): built from a string, as a literal class of them reads as one glyph.
const INVISIBLE_RANGES =
  '\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0';
const INVISIBLE = new RegExp(`[${INVISIBLE_RANGES}]`, 'g');
/** Between two digits of one number: up to three of these (after NFKC). */
const SEPARATOR = '[\\s\\-_/.\\u2010-\\u2015\\u2212\\u2043\\u30FB\\u00B7]';
const DIGIT_RUN = new RegExp(`\\d(?:${SEPARATOR}{0,3}\\d)*`, 'g');
const CARD_ID_SEPARATORS = new RegExp(`${SEPARATOR}`, 'g');

/** NFKC, then invisible characters removed: the text the card-number check reads. */
export function normaliseForCardCheck(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

/** True when the digits pass the Luhn check, as every real card number does. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** A card id that is a card number in any form: 13–19 digits once normalised and stripped of separators. */
export function isCardNumberLikeId(cardId: string): boolean {
  const compact = normaliseForCardCheck(cardId).replace(CARD_ID_SEPARATORS, '');
  return /^\d{13,19}$/.test(compact);
}

/** True when the text starts with a 13–19 digit run in any form (a card number typed where the card id goes). */
export function startsWithCardNumber(text: string): boolean {
  const normal = normaliseForCardCheck(text).trimStart();
  const run = new RegExp(DIGIT_RUN.source, 'y').exec(normal)?.[0];
  const digits = run?.replace(/\D/g, '') ?? '';
  return digits.length >= 13 && digits.length <= 19;
}

const mask = (digits: string) => `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;

// `cvv 913`, `CVC: 0123`, `pin 7351`, `pin=7351`, `exp 07/31`, `expiry 07-2031`, `expires 0731`.
const SECRET_FRAGMENT =
  /\b(cvv2?|cvc2?|cid|csc|security code|pin(?: code)?|exp(?:iry|iration|ires|\.)?(?: date)?|valid thru)(\s*(?:is|was|[:=#-])?\s*)(\d{1,2}\s*[/.-]\s*\d{2,4}|\d{3,8})(?!\d)/gi;

/**
 * Free text with card data masked: a run of 13–19 digits in any form that passes Luhn keeps its
 * first 6 and last 4 digits, a longer run holding one becomes `[number]`, and `cvv 913`-like
 * fragments become `cvv [masked]`. The text is returned normalised (NFKC, no invisible characters).
 */
export function maskCardData(text: string): { text: string; masked: boolean } {
  let masked = false;
  const normal = normaliseForCardCheck(text);
  let out = normal.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) {
      masked = true;
      return mask(digits);
    }
    if (digits.length > 19 && hasCardNumberWindow(digits)) {
      masked = true;
      return '[number]';
    }
    return run;
  });
  out = out.replace(SECRET_FRAGMENT, (_whole, label: string, gap: string) => {
    masked = true;
    return `${label}${gap}[masked]`;
  });
  return { text: out, masked };
}

/** Some 13–19 digit window of a longer run passes Luhn (card numbers typed back to back). */
function hasCardNumberWindow(digits: string): boolean {
  for (let length = 13; length <= 19; length += 1) {
    for (let start = 0; start + length <= digits.length; start += 1) {
      if (luhnValid(digits.slice(start, start + length))) return true;
    }
  }
  return false;
}
