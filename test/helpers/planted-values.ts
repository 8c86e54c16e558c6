/**
 * Distinctive values planted in the leak test: the issuer answers every card with these secrets,
 * and the bot runs with these credentials. None of them occurs in the demo data, so finding one
 * anywhere it must not be is a leak, not a coincidence.
 */
export const PLANTED = {
  /** Luhn-valid, on a test BIN, never a demo card. */
  pan: '4000007382615497',
  cvv: '913',
  pin: '7351',
  /** As the bot shows it; PayCaddy sends it as the number 731. */
  expiry: '07/31',
  botToken: 'xoxb-PLANTED-1111-2222-bot-token-c4f3e9',
  signingSecret: 'PLANTED-signing-secret-8e21d7c0',
  issuerKey: 'PLANTED-issuer-key-5b9a04f6',
} as const;

/** Values typed by the people in the leak test: card details read out, and new PINs. */
export const TYPED = {
  /** The right details of the planted card, as the cardholder reads them. */
  last4: PLANTED.pan.slice(-4),
  cvv: PLANTED.cvv,
  wrongLast4: '6071',
  wrongCvv: '584',
  newPin: '2906',
} as const;

export const spacedPan = (pan: string) => pan.match(/.{1,4}/g)?.join(' ') ?? pan;
export const maskedPan = (pan: string) => `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`;
