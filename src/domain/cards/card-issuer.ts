import { CARD_OPS, type CardOp } from '../ops.js';

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
export interface LimitResult extends IssuerAnswer {
  cardId: string;
  /** null when the issuer says "No stablish internal limit". */
  limit: number | null;
}

/** The card issuer's API, one method per operation of SPEC §2, whichever the dialect. */
export interface CardIssuer {
  readonly provider: 'sovera' | 'paycaddy';
  /**
   * The operations this issuer offers (SPEC §2: Sovera has no internal limits). One not offered
   * is not listed, not put in the form, and answered without any issuer call.
   */
  readonly offers: readonly CardOp[];
  activate(cardId: string): Promise<CardStateResult>;
  block(cardId: string): Promise<CardStateResult>;
  unblock(cardId: string): Promise<CardStateResult>;
  cancel(cardId: string): Promise<CardStateResult>;
  pan(cardId: string): Promise<PanResult>;
  cvv(cardId: string): Promise<CvvResult>;
  expiry(cardId: string): Promise<DueDateResult>;
  pin(cardId: string): Promise<PinResult>;
  unblockPin(cardId: string): Promise<PinResult>;
  changePin(cardId: string, pin: string): Promise<PinResult>;
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

/** Every operation of SPEC §2: what a dialect offering them all says. */
export const ALL_CARD_OPS: readonly CardOp[] = CARD_OPS;

/** Whether the issuer offers this operation (`history` is cardops' own: always). */
export function issuerOffers(issuer: Pick<CardIssuer, 'offers'>, op: string): boolean {
  return op === 'history' || (issuer.offers as readonly string[]).includes(op);
}
