import type { AuditEventInput, AuditOutcome, AuditStore } from '../domain/audit/audit-types.js';
import type { CardIssuer } from '../domain/cards/card-issuer.js';
import { isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type Metrics, opLabel } from './metrics.js';
import type { Readiness } from './readiness.js';

/**
 * Decorators around the ports, so that metrics, the operation log and readiness need no change
 * in the domain: every audited event passes through AuditStore.append, every issuer call through
 * a CardIssuer method.
 */

/** Outcomes that close an approval request's decision (SPEC §6). */
const DECISIONS: ReadonlySet<AuditOutcome> = new Set(['approved', 'rejected', 'expired', 'refused']);

/**
 * Audit appends: latency, counts by op and outcome, reveals, and one `info` line per finished
 * operation or approval decision for a SIEM (fields in docs/operations-log.md). `started` rows
 * only start the clock of the call they announce.
 */
export function instrumentAudit<T extends AuditStore>(audit: T, metrics: Metrics, logger: Logger): T {
  const startedAt = new Map<string, number>();
  const keyOf = (e: AuditEventInput) => `${e.actor}\u0000${e.op}\u0000${e.cardId ?? ''}\u0000${e.approvalId ?? ''}`;
  const append = audit.append.bind(audit);
  const instrumented = async (event: AuditEventInput) => {
    const begun = performance.now();
    const row = await append(event);
    const done = performance.now();
    metrics.auditAppend.observe((done - begun) / 1000);
    const op = opLabel(event.op);
    metrics.operations.inc({ op, outcome: event.outcome });
    if (event.outcome === 'revealed') metrics.reveals.inc({ op });
    const key = keyOf(event);
    if (event.outcome === 'started') {
      startedAt.set(key, begun);
      return row;
    }
    const since = startedAt.get(key);
    if (since !== undefined) startedAt.delete(key);
    logger.info(
      {
        event: DECISIONS.has(event.outcome) ? 'cardops.approval' : 'cardops.operation',
        op: event.op,
        outcome: event.outcome,
        actorId: event.actor,
        channelId: event.channelId ?? null,
        cardId: event.cardId ?? null,
        requestId: event.approvalId ?? null,
        traceId: event.traceId ?? null,
        error: event.error ?? null,
        auditId: row.id,
        durationMs: since === undefined ? null : Math.round(done - since),
      },
      'operation finished',
    );
    return row;
  };
  return new Proxy(audit, {
    get(target, property, receiver) {
      if (property === 'append') return instrumented;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** How often the same refused-credentials cause is logged at most. */
export const AUTH_ALERT_INTERVAL_MS = 5 * 60_000;

/**
 * Issuer calls: a latency histogram by op and outcome; a 401/403 (the issuer refused cardops'
 * credentials) makes /readyz fail until a call succeeds, and logs one `error` line per distinct
 * cause per 5 minutes naming the variables to check, never their values.
 */
export function instrumentIssuer(
  issuer: CardIssuer,
  options: { metrics: Metrics; readiness: Readiness; logger: Logger; now?: () => number },
): CardIssuer {
  const { metrics, readiness, logger } = options;
  const now = options.now ?? Date.now;
  const lastAlert = new Map<string, number>();
  const wrap =
    <A extends unknown[], R>(op: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const begun = performance.now();
      try {
        const result = await call(...args);
        metrics.issuerCalls.observe({ op, outcome: 'ok' }, (performance.now() - begun) / 1000);
        readiness.issuerAccepted();
        return result;
      } catch (error) {
        const refused = isAppError(error) && error.code === 'ISSUER_AUTH';
        const outcome = refused ? 'refused_credentials' : isAppError(error) ? error.outcome : 'unknown';
        metrics.issuerCalls.observe({ op, outcome }, (performance.now() - begun) / 1000);
        if (refused) {
          const cause = `HTTP ${error.httpStatus ?? '?'}`;
          readiness.issuerRefused(cause);
          const last = lastAlert.get(cause);
          if (last === undefined || now() - last >= AUTH_ALERT_INTERVAL_MS) {
            lastAlert.set(cause, now());
            logger.error(
              { event: 'cardops.issuer_credentials_refused', httpStatus: error.httpStatus, provider: issuer.provider },
              `the issuer refused cardops' credentials (${cause}): check CARD_API_KEY and CARD_API_AUTH_HEADER`,
            );
          }
        }
        throw error;
      }
    };
  return {
    provider: issuer.provider,
    offers: (op) => issuer.offers(op),
    activate: wrap('activate', issuer.activate.bind(issuer)),
    block: wrap('block', issuer.block.bind(issuer)),
    unblock: wrap('unblock', issuer.unblock.bind(issuer)),
    cancel: wrap('cancel', issuer.cancel.bind(issuer)),
    pan: wrap('pan', issuer.pan.bind(issuer)),
    cvv: wrap('cvv', issuer.cvv.bind(issuer)),
    expiry: wrap('expiry', issuer.expiry.bind(issuer)),
    pin: wrap('pin', issuer.pin.bind(issuer)),
    unblockPin: wrap('unblock-pin', issuer.unblockPin.bind(issuer)),
    changePin: wrap('change-pin', issuer.changePin.bind(issuer)),
    limit: wrap('limit', issuer.limit.bind(issuer)),
    setLimit: wrap('set-limit', issuer.setLimit.bind(issuer)),
  };
}
