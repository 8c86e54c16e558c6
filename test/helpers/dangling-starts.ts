import type { AuditRow } from '../../src/domain/audit/audit-types.js';

/** `started` rows of card ops with no ok/failed/unknown after them, matched as the recovery does. */
export function danglingStarts(rows: AuditRow[]): AuditRow[] {
  const open = new Map<string, AuditRow[]>();
  const key = (r: AuditRow) => (r.approvalId ? `a|${r.approvalId}|${r.op}` : `${r.actor}|${r.op}|${r.cardId}`);
  for (const row of rows) {
    if (row.outcome === 'started') open.set(key(row), [...(open.get(key(row)) ?? []), row]);
    else if (['ok', 'failed', 'unknown'].includes(row.outcome)) open.get(key(row))?.shift();
  }
  return [...open.values()].flat();
}

/** The ok/failed/unknown row that closed a `started` row, if any. */
export function outcomeOf(rows: AuditRow[], started: AuditRow): AuditRow | undefined {
  return rows.find(
    (r) =>
      r.id > started.id &&
      r.op === started.op &&
      r.cardId === started.cardId &&
      ['ok', 'failed', 'unknown'].includes(r.outcome),
  );
}
