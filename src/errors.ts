import { MESSAGES } from './messages.js';

/**
 * The one catalogue of error codes. Every error the bot can show a user is an AppError
 * with one of these codes; its `userMessage` is safe to show (no secret, no raw issuer
 * answer) and its `message` is safe to log.
 */
export const ERROR_CODES = {
  STATE_CONFLICT: MESSAGES.errorStateConflict(),
  CARD_NOT_FOUND: MESSAGES.errorCardNotFound(),
  ISSUER_FAILURE: MESSAGES.errorIssuerFailure(),
  ISSUER_AUTH: MESSAGES.errorIssuerAuth(),
  ISSUER_TIMEOUT: MESSAGES.errorIssuerTimeout(),
  ISSUER_UNREACHABLE: MESSAGES.errorIssuerUnreachable(),
  ISSUER_MALFORMED: MESSAGES.errorIssuerMalformed(),
  ISSUER_WRONG_CARD: MESSAGES.errorIssuerWrongCard(),
  NOT_OFFERED: MESSAGES.errorNotOffered(),
  INVALID_INPUT: MESSAGES.errorInvalidInput(),
  DENIED: MESSAGES.errorDenied(),
  AUDIT_UNAVAILABLE: MESSAGES.errorAuditUnavailable(),
  RATE_LIMITED: MESSAGES.errorRateLimited(),
  CONFIG_INVALID: MESSAGES.errorConfigInvalid(),
  POLICY_INVALID: MESSAGES.errorPolicyInvalid(),
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
