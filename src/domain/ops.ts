/** The twelve card operations of SPEC §2, in the order users read them. */
export const CARD_OPS = [
  'block',
  'unblock',
  'activate',
  'cancel',
  'pan',
  'cvv',
  'expiry',
  'pin',
  'unblock-pin',
  'change-pin',
  'limit',
  'set-limit',
] as const;

export type CardOp = (typeof CARD_OPS)[number];

/** Operations whose issuer answer carries cardholder secrets. */
export const SECRET_OPS: readonly CardOp[] = ['pan', 'cvv', 'expiry', 'pin', 'unblock-pin', 'change-pin'];

/** Operations that reveal a value to the asker; they share the per-user hourly reveal budget. */
export const REVEAL_OPS: readonly CardOp[] = ['pan', 'cvv', 'expiry', 'pin'];

/** Operations that change the card at the issuer: never retried automatically. */
export const STATE_CHANGING_OPS: readonly CardOp[] = [
  'activate',
  'block',
  'unblock',
  'cancel',
  'unblock-pin',
  'change-pin',
  'set-limit',
];

export function isCardOp(value: string): value is CardOp {
  return (CARD_OPS as readonly string[]).includes(value);
}

/**
 * A card id as the issuer gives it: letters, digits, '-' and '_', 1 to 64 characters.
 * A 13–19 digit run is refused: it looks like a card number (PAN), which must never be
 * typed into a channel.
 */
export const CARD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
