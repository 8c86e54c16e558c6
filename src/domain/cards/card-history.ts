import type { ApprovalRequest, ApprovalsStore } from '../approvals/approval-types.js';
import type { AuditRow, AuditStore } from '../audit/audit-types.js';
import { STATE_CHANGING_OPS } from '../ops.js';

/** How many operations `/card history` shows. */
export const HISTORY_SIZE = 10;

/**
 * How one operation ended, as its audit rows say:
 * - `ok`, `failed`, `unknown`: the issuer call's outcome row
 * - `not-activated`: a card-in-hand activation that did not activate the card. A mismatch and an
 *   activation the issuer refused after a match read the same, so the history is no CVV oracle
 * - `no-outcome`: a `started` row with no outcome row yet (under way, or cardops stopped mid-call)
 */
export type HistoryOutcome = 'ok' | 'failed' | 'unknown' | 'not-activated' | 'no-outcome';

export interface HistoryEntry {
  op: string;
  outcome: HistoryOutcome;
  actor: string;
  /** ISO UTC of the row that says how it ended. */
  ts: string;
  /** Absent for `not-activated`: a refusal's trace id would tell it from a mismatch. */
  traceId: string | null;
  approvalId: string | null;
  /** The issuer's refusal or the failure, for `failed` and `unknown` (masked free text). */
  error: string | null;
}

export interface CardHistory {
  entries: HistoryEntry[];
  /** The card's cancel request waiting for an approver or being carried out, if any. */
  live: ApprovalRequest | undefined;
  /** True when older operations exist beyond those shown. */
  more: boolean;
}

const CHANGING: ReadonlySet<string> = new Set(STATE_CHANGING_OPS);
const PAGE = 200;
/** A card with thousands of rows (a fuzzed id, a bot loop) must not make one command scan them all. */
const MAX_PAGES = 10;

/** One call: by approval for approved cancels (the recovery may write as another actor), else by actor and op. */
const callKey = (row: AuditRow) => (row.approvalId ? `approval|${row.approvalId}|${row.op}` : `${row.actor}|${row.op}`);

function entryOf(row: AuditRow, outcome: HistoryOutcome): HistoryEntry {
  const hidden = outcome === 'not-activated';
  return {
    op: row.op,
    outcome,
    actor: row.actor,
    ts: row.ts,
    traceId: hidden ? null : row.traceId,
    approvalId: row.approvalId,
    error: hidden ? null : row.error,
  };
}

/**
 * What cardops did to a card (SPEC §5 `history`): its last state-changing operations, newest
 * first, from the audit alone (no issuer call, no secret), and its live cancel request.
 */
export async function cardHistory(
  deps: { audit: Pick<AuditStore, 'query'>; approvals: Pick<ApprovalsStore, 'pendingForCard'> },
  cardId: string,
  size = HISTORY_SIZE,
): Promise<CardHistory> {
  const rows: AuditRow[] = [];
  let before: number | undefined;
  let complete = false;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await deps.audit.query({ cardId }, before === undefined ? { limit: PAGE } : { limit: PAGE, before });
    rows.push(...result.rows);
    if (result.nextCursor === undefined) {
      complete = true;
      break;
    }
    before = result.nextCursor;
  }
  const entries = operationsOf(rows.reverse(), complete);
  const live = await deps.approvals.pendingForCard(cardId);
  return { entries: entries.slice(-size).reverse(), live, more: entries.length > size || !complete };
}

/**
 * The operations in rows oldest first: each issuer call is its `started` row and the outcome row
 * that follows it. An outcome row with no `started` before it is an approval event (a request
 * never posted), not a call; when the rows do not reach back to the card's first one, such a row
 * may be a call whose start is out of reach, and is kept.
 */
function operationsOf(rows: readonly AuditRow[], complete: boolean): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  const open = new Map<string, number[]>();
  for (const row of rows) {
    if (row.op === 'activate' && row.outcome === 'mismatched') {
      entries.push(entryOf(row, 'not-activated'));
      continue;
    }
    if (!CHANGING.has(row.op)) continue;
    const key = callKey(row);
    if (row.outcome === 'started') {
      entries.push(entryOf(row, 'no-outcome'));
      const starts = open.get(key);
      if (starts) starts.push(entries.length - 1);
      else open.set(key, [entries.length - 1]);
      continue;
    }
    if (row.outcome !== 'ok' && row.outcome !== 'failed' && row.outcome !== 'unknown') continue;
    const outcome: HistoryOutcome = row.op === 'activate' && row.outcome === 'failed' ? 'not-activated' : row.outcome;
    const at = open.get(key)?.shift();
    if (at !== undefined) entries[at] = entryOf(row, outcome);
    else if (!complete) entries.push(entryOf(row, outcome));
  }
  return entries;
}
