import { isCardNumberLikeId, normaliseForCardCheck } from '../../domain/cards/card-numbers.js';
import { maskDigitRun, scrubText } from '../../logger.js';

/** The longest free-text field (reason, error) kept in the audit and approvals tables. */
export const FREE_TEXT_MAX = 500;
/** The longest identifier-like field (user, channel, card, trace ids): generous, but bounded. */
export const ID_TEXT_MAX = 200;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Free text as it may be stored: card-number-like runs and other secrets masked first (so a cut
 * cannot leave a longer unmasked fragment), then capped, then made well-formed UTF-16 — SQLite
 * stores UTF-8, and a lone surrogate would not read back as written, breaking the row hash — with
 * NUL replaced too (PostgreSQL refuses it), so both engines store the same text.
 */
export function storableFreeText(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  return wellFormed(cap(scrubText(plainSlackText(text)), FREE_TEXT_MAX));
}

/**
 * Slack's markup as plain text, so a stored reason reads the same in a CSV, a spreadsheet and
 * Slack: `<#C123|name>` → `#name`, `<#C123>` → `#C123`, `<@U123|name>` / `<@U123>` → `@U123`.
 */
export function plainSlackText(text: string): string {
  return text
    .replace(/<#([CGD][A-Z0-9]+)\|([^>]+)>/g, '#$2')
    .replace(/<#([CGD][A-Z0-9]+)\|?>/g, '#$1')
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1');
}

/** An identifier as it may be stored: capped and well-formed; a card id that is a card number, in any form, is masked. */
export function storableId(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const masked = isCardNumberLikeId(text) ? maskDigitRun(normaliseForCardCheck(text)) : text;
  return wellFormed(cap(masked, ID_TEXT_MAX));
}

function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// PostgreSQL text cannot hold NUL: one in a batch would fail every append of that batch.
function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');
}
