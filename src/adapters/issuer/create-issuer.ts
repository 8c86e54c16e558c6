import type { CardIssuer, IssuerClientOptions } from './card-issuer.js';
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
