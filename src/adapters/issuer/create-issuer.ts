import type { CardIssuer, IssuerClientOptions } from '../../domain/cards/card-issuer.js';
import { createPayCaddyIssuer } from './paycaddy.js';
import { createSoveraIssuer } from './sovera.js';

/** The card issuer client for a dialect of SPEC §2 (the sandbox speaks both: pick either). */
export function createCardIssuer(provider: 'sovera' | 'paycaddy', options: IssuerClientOptions): CardIssuer {
  switch (provider) {
    case 'sovera':
      return createSoveraIssuer(options);
    case 'paycaddy':
      return createPayCaddyIssuer(options);
  }
}

/**
 * The client for `CARD_API_PROVIDER=sandbox`: the Sovera dialect (trace ids on every answer),
 * with internal limits through the PayCaddy paths, since Sovera does not offer them and the
 * sandbox serves both.
 */
export function createSandboxIssuer(options: IssuerClientOptions): CardIssuer {
  const sovera = createSoveraIssuer(options);
  const paycaddy = createPayCaddyIssuer(options);
  return {
    provider: 'sovera',
    offers: () => true,
    activate: (cardId) => sovera.activate(cardId),
    block: (cardId) => sovera.block(cardId),
    unblock: (cardId) => sovera.unblock(cardId),
    cancel: (cardId) => sovera.cancel(cardId),
    pan: (cardId) => sovera.pan(cardId),
    cvv: (cardId) => sovera.cvv(cardId),
    expiry: (cardId) => sovera.expiry(cardId),
    pin: (cardId) => sovera.pin(cardId),
    unblockPin: (cardId) => sovera.unblockPin(cardId),
    changePin: (cardId, pin) => sovera.changePin(cardId, pin),
    limit: (cardId) => paycaddy.limit(cardId),
    setLimit: (cardId, limit) => paycaddy.setLimit(cardId, limit),
  };
}
