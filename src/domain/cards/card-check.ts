import { createHash, timingSafeEqual } from 'node:crypto';

/** What the cardholder reads off the plastic for a card-in-hand activation check. */
export interface CardInHandDetails {
  last4: string;
  cvv: string;
}

/**
 * Three checks within an hour that did not activate the card lock its activation for an hour after
 * the third. Every check counts (see activation-limits.ts): a matched check on a card the issuer
 * refuses must cost what a mismatch costs.
 */
export const ACTIVATION_MAX_FAILURES = 3;
export const ACTIVATION_WINDOW_MS = 60 * 60_000;
export const ACTIVATION_LOCK_MS = 60 * 60_000;

/** Digests have one length whatever was typed, so timingSafeEqual never throws and length leaks nothing. */
function sameInConstantTime(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * True when the typed last 4 digits and CVV are those of the card. Both comparisons always run,
 * each in constant time, and are combined afterwards: the time taken says nothing about which
 * one failed, and neither does the answer.
 */
export function cardInHandMatches(typed: CardInHandDetails, actual: { pan: string; cvv: string }): boolean {
  const panDigits = actual.pan.replace(/\D/g, '');
  const last4Matches = sameInConstantTime(typed.last4, panDigits.slice(-4));
  const cvvMatches = sameInConstantTime(typed.cvv, actual.cvv);
  return last4Matches && cvvMatches;
}

/**
 * Until when a card's activation is locked, given the times of its failed checks (any order), or
 * undefined when it is not. A lock starts at a failure that makes ACTIVATION_MAX_FAILURES within
 * ACTIVATION_WINDOW_MS and lasts ACTIVATION_LOCK_MS from then. Attempts refused while locked are
 * not failures, so they do not extend it.
 */
export function activationLockedUntil(failures: readonly Date[], now: Date): Date | undefined {
  const times = failures.map((d) => d.getTime()).sort((a, b) => a - b);
  let until: number | undefined;
  for (let i = ACTIVATION_MAX_FAILURES - 1; i < times.length; i++) {
    const last = times[i] ?? 0;
    const first = times[i - (ACTIVATION_MAX_FAILURES - 1)] ?? 0;
    if (last - first <= ACTIVATION_WINDOW_MS) {
      const end = last + ACTIVATION_LOCK_MS;
      if (end > now.getTime() && (until === undefined || end > until)) until = end;
    }
  }
  return until === undefined ? undefined : new Date(until);
}

/** How far back failures can matter to activationLockedUntil. */
export const ACTIVATION_LOOKBACK_MS = ACTIVATION_WINDOW_MS + ACTIVATION_LOCK_MS;
