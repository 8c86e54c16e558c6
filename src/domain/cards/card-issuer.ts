import { type CardOp, isCardOp } from '../ops.js';

/** Every issuer answer may carry the issuer's trace id (Sovera always does). */
export interface IssuerAnswer {
  traceId?: string;
}

export interface CardStateResult extends IssuerAnswer {
  cardId: string;
  /** Normalised from `true`/`false`/`"true"`/`"false"`; undefined when the issuer did not say. */
  isActive?: boolean;
  /** Normalised status: pendingAck, active, blocked, cancelled; undefined when absent. */
  status?: CardStatus;
}

export type CardStatus = 'pendingAck' | 'active' | 'blocked' | 'cancelled';

export interface PanResult extends IssuerAnswer {
  pan: string; // SECRET
  expDate: string; // SECRET, normalised to a string
}
export interface CvvResult extends IssuerAnswer {
  cvv: string; // SECRET
}
export interface DueDateResult extends IssuerAnswer {
  dueDate: string; // SECRET, normalised to a string
}
export interface PinResult extends IssuerAnswer {
  pin: string; // SECRET
}
/**
 * unblock-pin and change-pin: the issuer may return the PIN (SECRET), which cardops never shows
 * or keeps; an answer without it is still a success.
 */
export interface PinChangeResult extends IssuerAnswer {
  pin?: string; // SECRET
}
export interface LimitResult extends IssuerAnswer {
  cardId: string;
  /** null when there is no internal limit: the issuer says "No stablish internal limit", or (PayCaddy) 0. */
  limit: number | null;
}

/** The card issuer's API, one method per operation of SPEC §2, whichever the dialect. */
export interface CardIssuer {
  readonly provider: 'sovera' | 'paycaddy';
  /** False for an op this issuer does not offer (internal limits on Sovera): it is refused without a call. */
  offers(op: CardOp): boolean;
  activate(cardId: string): Promise<CardStateResult>;
  block(cardId: string): Promise<CardStateResult>;
  unblock(cardId: string): Promise<CardStateResult>;
  cancel(cardId: string): Promise<CardStateResult>;
  pan(cardId: string): Promise<PanResult>;
  cvv(cardId: string): Promise<CvvResult>;
  expiry(cardId: string): Promise<DueDateResult>;
  pin(cardId: string): Promise<PinResult>;
  unblockPin(cardId: string): Promise<PinChangeResult>;
  changePin(cardId: string, pin: string): Promise<PinChangeResult>;
  limit(cardId: string): Promise<LimitResult>;
  setLimit(cardId: string, limit: number): Promise<LimitResult>;
}

export interface IssuerClientOptions {
  baseUrl: string;
  apiKey: string | undefined;
  authHeader: string;
  timeoutMs: number;
  /** Pause before the single retry of a read; tests shorten it. */
  readRetryDelayMs?: number;
}

/** Whether the issuer offers this command (`history` is cardops' own: always). */
export function issuerOffers(issuer: Pick<CardIssuer, 'offers'>, op: string): boolean {
  return op === 'history' || (isCardOp(op) && issuer.offers(op));
}
