import type { CardStatus } from '../domain/cards/card-issuer.js';

/** How a fault card misbehaves; see `startSandbox`. */
export type SandboxFault = '500' | 'slow' | 'malformed' | 'html' | 'huge' | 'otherdialect';

/** A card as the sandbox seeds it. PAN, CVV, PIN and expiry are made up, but Luhn-valid, for demos. */
export interface DemoCard {
  readonly id: string;
  readonly status: CardStatus;
  /** Activation succeeds only once the plastic is printed. */
  readonly printed: boolean;
  readonly pinBlocked: boolean;
  /** The internal monthly limit; null: none set. */
  readonly limit: number | null;
  readonly pan: string; // SECRET
  readonly cvv: string; // SECRET
  readonly pin: string; // SECRET
  readonly expDate: string; // SECRET, MM/YY
  readonly fault?: SandboxFault;
  /** What the card is for, printed by `npm run sandbox`. */
  readonly note: string;
}

/** True when the digits pass the Luhn check, as every real card number does. */
export function luhnValid(pan: string): boolean {
  if (!/^\d{12,19}$/.test(pan)) return false;
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let digit = Number(pan[pan.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** A 16-digit test PAN on the 492987 prefix, its check digit computed. */
function demoPan(serial: number): string {
  const body = `492987${String(serial).padStart(9, '0')}`;
  for (let check = 0; check <= 9; check++) {
    if (luhnValid(`${body}${check}`)) return `${body}${check}`;
  }
  throw new Error('unreachable: one check digit always fits');
}

interface Seed {
  id: string;
  status: CardStatus;
  printed?: boolean;
  pinBlocked?: boolean;
  limit?: number | null;
  cvv: string;
  pin: string;
  expDate: string;
  fault?: SandboxFault;
  note: string;
}

const SEEDS: Seed[] = [
  { id: 'card-active-1', status: 'active', cvv: '123', pin: '4821', expDate: '12/28', note: 'active' },
  {
    id: 'card-active-2',
    status: 'active',
    pinBlocked: true,
    cvv: '047',
    pin: '7390',
    expDate: '07/29',
    note: 'active, PIN blocked (try unblock-pin)',
  },
  {
    id: 'card-active-3',
    status: 'active',
    limit: 500,
    cvv: '861',
    pin: '2675',
    expDate: '03/30',
    note: 'active, internal limit 500',
  },
  { id: 'card-active-4', status: 'active', cvv: '305', pin: '9134', expDate: '11/27', note: 'active' },
  { id: 'card-active-5', status: 'active', cvv: '972', pin: '5608', expDate: '05/29', note: 'active' },
  { id: 'card-blocked-1', status: 'blocked', cvv: '418', pin: '3952', expDate: '09/28', note: 'blocked' },
  { id: 'card-cancelled-1', status: 'cancelled', cvv: '556', pin: '8147', expDate: '01/28', note: 'cancelled (final)' },
  {
    id: 'card-printed-1',
    status: 'pendingAck',
    cvv: '239',
    pin: '6284',
    expDate: '10/30',
    note: 'pendingAck, printed: can be activated',
  },
  {
    id: 'card-unprinted-1',
    status: 'pendingAck',
    printed: false,
    cvv: '790',
    pin: '1597',
    expDate: '10/30',
    note: 'pendingAck, not printed yet: activation refused',
  },
  {
    id: 'card-fault-500',
    status: 'active',
    fault: '500',
    cvv: '111',
    pin: '2468',
    expDate: '12/28',
    note: 'fault: every op answers 500',
  },
  {
    id: 'card-fault-slow',
    status: 'active',
    fault: 'slow',
    cvv: '222',
    pin: '1357',
    expDate: '12/28',
    note: 'fault: acts at once, answers after a long delay',
  },
  {
    id: 'card-fault-malformed',
    status: 'active',
    fault: 'malformed',
    cvv: '333',
    pin: '8642',
    expDate: '12/28',
    note: 'fault: success status, body not as documented',
  },
  {
    id: 'card-fault-html',
    status: 'active',
    fault: 'html',
    cvv: '444',
    pin: '9753',
    expDate: '12/28',
    note: 'fault: answers 200 text/html',
  },
  {
    id: 'card-fault-huge',
    status: 'active',
    fault: 'huge',
    cvv: '555',
    pin: '3178',
    expDate: '12/28',
    note: 'fault: answers a ~10 MB JSON body',
  },
  {
    id: 'card-fault-otherdialect',
    status: 'active',
    fault: 'otherdialect',
    cvv: '666',
    pin: '4296',
    expDate: '12/28',
    note: "fault: answers in the other dialect's envelope",
  },
];

/** The cards every sandbox starts with (and `reset()` restores). */
export const DEMO_CARDS: readonly DemoCard[] = Object.freeze(
  SEEDS.map((seed, index) =>
    Object.freeze({
      id: seed.id,
      status: seed.status,
      printed: seed.printed ?? true,
      pinBlocked: seed.pinBlocked ?? false,
      limit: seed.limit ?? null,
      pan: demoPan(1000 + index * 37),
      cvv: seed.cvv,
      pin: seed.pin,
      expDate: seed.expDate,
      ...(seed.fault ? { fault: seed.fault } : {}),
      note: seed.note,
    }),
  ),
);
