import type { Logger } from '../../logger.js';
import type { AuditRow, AuditStore } from './audit-types.js';

/**
 * At start-up, before any request: an issuer call whose `started` row has no outcome row was cut
 * off when the process stopped (a crash, a kill, a power cut) — it may or may not have reached the
 * issuer. Each gets an `unknown` row, so the audit says so instead of staying silent (SPEC §7).
 *
 * Only the tail of the log can hold such a call: a call in flight when the process died started
 * at most one issuer timeout before its death, and the death came after the last row. So the scan
 * covers the rows from `lookBackMs` before the last one (default 10 minutes, above the largest
 * configurable timeout). Run it after the approvals recovery, whose own `unknown` rows for
 * interrupted cancels then count as those calls' outcomes.
 */

/** The `error` of the rows written here. */
export const INTERRUPTED_CALL = 'interrupted: cardops stopped before the issuer answered; check the card';

const OUTCOMES = new Set(['ok', 'failed', 'unknown']);

/** One call: by approval for approved cancels (the recovery may write as another actor), else by actor, op and card. */
function callKey(row: AuditRow): string {
  return row.approvalId ? `approval|${row.approvalId}|${row.op}` : `${row.actor}|${row.op}|${row.cardId ?? ''}`;
}

/** Appends an `unknown` row for every `started` row in the tail with no outcome after it; returns the rows appended. */
export async function reportInterruptedCalls(
  deps: { audit: Pick<AuditStore, 'query' | 'iterate' | 'append'>; logger: Pick<Logger, 'warn'> },
  options: {
    lookBackMs?: number;
    /** Replicas still alive (siblings on a shared database): their calls may still be answered. */
    spare?: readonly string[];
  } = {},
): Promise<AuditRow[]> {
  const spare = new Set(options.spare ?? []);
  const last = (await deps.audit.query({}, { limit: 1 })).rows[0];
  if (!last) return [];
  const since = new Date(Date.parse(last.ts) - (options.lookBackMs ?? 10 * 60_000)).toISOString();
  const open = new Map<string, AuditRow[]>();
  for await (const batch of deps.audit.iterate({ since }, 2000)) {
    for (const row of batch) {
      const key = callKey(row);
      if (row.outcome === 'started') {
        const list = open.get(key);
        if (list) list.push(row);
        else open.set(key, [row]);
      } else if (OUTCOMES.has(row.outcome)) {
        // Outcomes follow their own start in id order: the oldest open start of the same call is the one answered.
        const list = open.get(key);
        list?.shift();
        if (list && list.length === 0) open.delete(key);
      }
    }
  }
  const dangling = [...open.values()]
    .flat()
    .filter((row) => !(row.replica && spare.has(row.replica)))
    .sort((a, b) => a.id - b.id);
  const written: AuditRow[] = [];
  for (const started of dangling) {
    deps.logger.warn(
      { op: started.op, cardId: started.cardId, startedRow: started.id },
      'an issuer call was under way when cardops stopped: outcome unknown, not retried',
    );
    written.push(
      await deps.audit.append({
        actor: started.actor,
        teamId: started.teamId,
        channelId: started.channelId,
        op: started.op,
        cardId: started.cardId,
        outcome: 'unknown',
        reason: started.reason,
        approvalId: started.approvalId,
        error: `${INTERRUPTED_CALL} (started in row #${started.id})`,
      }),
    );
  }
  return written;
}
