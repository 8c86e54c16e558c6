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
