/**
 * The one catalogue of error codes. Every error the bot can show a user is an AppError
 * with one of these codes; its `userMessage` is safe to show (no secret, no raw issuer
 * answer) and its `message` is safe to log.
 */
export const ERROR_CODES = {
  STATE_CONFLICT: 'The issuer refused: the card is not in a state that allows this.',
  CARD_NOT_FOUND: 'The issuer does not know this card.',
  ISSUER_FAILURE: 'The issuer failed to process the request.',
  ISSUER_AUTH: 'cardops cannot sign in to the issuer; the operator has been alerted.',
  ISSUER_TIMEOUT: 'The issuer did not answer in time.',
  ISSUER_UNREACHABLE: 'The issuer could not be reached.',
  ISSUER_MALFORMED: 'The issuer answered in an unexpected format.',
  NOT_OFFERED: 'This operation is not offered by the configured issuer.',
  INVALID_INPUT: 'The request is not valid.',
  DENIED: 'You are not allowed to do this here.',
  AUDIT_UNAVAILABLE: 'The audit log could not be written, so nothing was done.',
  RATE_LIMITED: 'Too many requests.',
  CONFIG_INVALID: 'The configuration is not valid.',
  POLICY_INVALID: 'The policy file is not valid.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** What happened at the issuer, as the audit records it. */
export type CallOutcome = 'failed' | 'unknown';

export interface AppErrorOptions {
  userMessage?: string;
  traceId?: string;
  /** For issuer errors: `unknown` when the request may have taken effect (timeout on a state change). */
  outcome?: CallOutcome;
  httpStatus?: number;
  /** The issuer's own words, already checked to hold no secret. */
  issuerMessage?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly traceId: string | undefined;
  readonly outcome: CallOutcome;
  readonly httpStatus: number | undefined;
  readonly issuerMessage: string | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.userMessage = options.userMessage ?? ERROR_CODES[code];
    this.traceId = options.traceId;
    this.outcome = options.outcome ?? 'failed';
    this.httpStatus = options.httpStatus;
    this.issuerMessage = options.issuerMessage;
  }

  /** A plain object for logs: never the request, never the raw answer. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      traceId: this.traceId,
      outcome: this.outcome,
      httpStatus: this.httpStatus,
    };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
