import { AppError, isAppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AuditStore } from '../audit/audit-types.js';
import type { CardOp } from '../ops.js';
import type {
  CardIssuer,
  CardStateResult,
  CvvResult,
  DueDateResult,
  LimitResult,
  PanResult,
  PinChangeResult,
  PinResult,
} from './card-issuer.js';
import { refusalBeforeCall } from './issuer-input.js';
import { LIMIT_REMOVAL_REQUESTED } from './limit-removal.js';

/** Who asks, from where, holding which roles. */
export interface RequestContext {
  actor: string;
  teamId: string | null;
  channelId: string;
  roles: string[];
  /** Policy user groups counted as empty because Slack has not answered for too long. */
  staleGroups?: readonly string[];
}

export interface OpResults {
  block: CardStateResult;
  unblock: CardStateResult;
  activate: CardStateResult;
  cancel: CardStateResult;
  pan: PanResult;
  cvv: CvvResult;
  expiry: DueDateResult;
  pin: PinResult;
  'unblock-pin': PinChangeResult;
  'change-pin': PinChangeResult;
  limit: LimitResult;
  'set-limit': LimitResult;
}

export interface CardOpRequest<O extends CardOp = CardOp> {
  op: O;
  cardId: string;
  reason?: string;
  /** set-limit only. */
  amount?: number;
  /** change-pin only: SECRET, goes to the issuer and nowhere else. */
  pin?: string;
  approvalId?: string;
}

export type CardOpOutcome<O extends CardOp> = { ok: true; value: OpResults[O] } | { ok: false; error: AppError };

export interface CardOpDeps {
  issuer: CardIssuer;
  audit: AuditStore;
  logger: Logger;
}

/** The issuer method behind each op (a switch: this runs for every command). */
function callIssuer<O extends CardOp>(issuer: CardIssuer, request: CardOpRequest<O>): Promise<OpResults[O]> {
  const { cardId } = request;
  const call = (): Promise<OpResults[CardOp]> => {
    switch (request.op) {
      case 'block':
        return issuer.block(cardId);
      case 'unblock':
        return issuer.unblock(cardId);
      case 'activate':
        return issuer.activate(cardId);
      case 'cancel':
        return issuer.cancel(cardId);
      case 'pan':
        return issuer.pan(cardId);
      case 'cvv':
        return issuer.cvv(cardId);
      case 'expiry':
        return issuer.expiry(cardId);
      case 'pin':
        return issuer.pin(cardId);
      case 'unblock-pin':
        return issuer.unblockPin(cardId);
      case 'change-pin':
        return issuer.changePin(cardId, request.pin ?? '');
      case 'limit':
        return issuer.limit(cardId);
      case 'set-limit':
        return issuer.setLimit(cardId, request.amount ?? 0);
    }
  };
  return call() as Promise<OpResults[O]>;
}

/**
 * Runs one issuer operation under audit: the `started` row is durably written first (no row,
 * no call), then the call, then its `ok`, `failed` or `unknown` row. A request that cannot leave
 * cardops (an op the issuer does not offer, input it would be refused) gets one `invalid` row and
 * no `started` row. Never throws; the error returned is always an AppError with a message safe to
 * show.
 */
export async function executeCardOp<O extends CardOp>(
  deps: CardOpDeps,
  ctx: RequestContext,
  request: CardOpRequest<O>,
): Promise<CardOpOutcome<O>> {
  const base = {
    actor: ctx.actor,
    teamId: ctx.teamId,
    channelId: ctx.channelId,
    op: request.op,
    cardId: request.cardId,
    approvalId: request.approvalId ?? null,
  };
  // A limit change says what was asked for, so the audit reads without the issuer's logs.
  const requested = request.op === 'set-limit' ? limitRequested(request.amount) : undefined;
  const reasonOf = (...facts: (string | undefined)[]) => [...facts, request.reason].filter(Boolean).join('; ') || null;

  const refusal = refusalBeforeCall(deps.issuer, request);
  if (refusal) {
    await appendOutcome(deps, {
      ...base,
      reason: reasonOf(requested),
      outcome: 'invalid',
      error: `${refusal.code}: ${refusal.message}`,
    });
    return { ok: false, error: refusal };
  }

  // set-limit records the limit it replaces: read first, as an audited call of its own (its own
  // `started` row: no call leaves cardops without one) where the issuer offers the read. A read
  // that fails is said so in the rows and does not stop the set.
  const previous =
    request.op === 'set-limit' ? await previousLimit(deps, ctx, request.cardId, request.approvalId) : undefined;

  try {
    await deps.audit.append({ ...base, reason: reasonOf(requested, previous), outcome: 'started' });
  } catch (error) {
    deps.logger.error({ err: error, op: request.op, cardId: request.cardId }, 'audit write failed; issuer not called');
    return {
      ok: false,
      error: isAppError(error) ? error : new AppError('AUDIT_UNAVAILABLE', 'audit write failed before issuer call'),
    };
  }

  let value: OpResults[O];
  try {
    value = await callIssuer(deps.issuer, request);
  } catch (caught) {
    const error = isAppError(caught)
      ? caught
      : new AppError('ISSUER_FAILURE', `unexpected issuer client error during ${request.op}`, { outcome: 'unknown' });
    if (!isAppError(caught)) deps.logger.error({ err: caught, op: request.op }, 'unexpected issuer client error');
    await appendOutcome(deps, {
      ...base,
      reason: reasonOf(requested, previous),
      outcome: error.outcome,
      traceId: error.traceId ?? null,
      // The issuer's own refusal text (already sanitised, and scrubbed again on storage) is kept.
      error: `${error.code}: ${error.message}${error.issuerMessage ? ` (issuer: ${error.issuerMessage})` : ''}`,
    });
    return { ok: false, error };
  }
  const confirmed =
    request.op === 'set-limit' && value && typeof value === 'object' && 'limit' in value
      ? `issuer confirmed: ${limitText(value.limit)}`
      : undefined;
  await appendOutcome(deps, {
    ...base,
    reason: reasonOf(requested, previous, confirmed),
    outcome: 'ok',
    traceId: value.traceId ?? null,
  });
  return { ok: true, value };
}

/** A limit as the audit says it: the amount, or "no limit". */
function limitText(limit: number | null): string {
  return limit === null ? 'no limit' : String(limit);
}

function limitRequested(amount: number | undefined): string {
  return amount === 0 ? LIMIT_REMOVAL_REQUESTED : `limit requested: ${amount ?? 0}`;
}

/** The reason of the limit read a set-limit makes first. */
export const PREVIOUS_LIMIT_READ = 'read before set-limit, to record the limit it replaces';

/** `previous: …` for set-limit rows: the limit read (audited) just before the set, or why it is not known. */
async function previousLimit(
  deps: CardOpDeps,
  ctx: RequestContext,
  cardId: string,
  approvalId: string | undefined,
): Promise<string> {
  if (!deps.issuer.offers('limit')) return 'previous: not readable (no limit read at this issuer)';
  const read = await executeCardOp(deps, ctx, {
    op: 'limit',
    cardId,
    reason: PREVIOUS_LIMIT_READ,
    ...(approvalId ? { approvalId } : {}),
  });
  if (read.ok) return `previous: ${limitText(read.value.limit)}`;
  deps.logger.warn(
    { op: 'set-limit', cardId, code: read.error.code },
    'previous limit could not be read; setting it anyway',
  );
  return `previous: not readable (${read.error.code})`;
}

/** The outcome row: the call has happened, so a failure to record it is logged, not shown as a failed call. */
async function appendOutcome(deps: CardOpDeps, event: Parameters<AuditStore['append']>[0]) {
  try {
    await deps.audit.append(event);
  } catch (error) {
    deps.logger.error(
      { err: error, op: event.op, cardId: event.cardId, outcome: event.outcome },
      'audit outcome row could not be written',
    );
  }
}
