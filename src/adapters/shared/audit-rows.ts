import {
  APPROVAL_EVENT_OUTCOMES,
  APPROVAL_OP,
  type AuditFilter,
  type AuditOutcome,
  type AuditRow,
  type VerifyResult,
} from '../../domain/audit/audit-types.js';
import { type ChainedTuple, chainHash, GENESIS_HASH } from '../../domain/audit/hash-chain.js';

/**
 * What every audit adapter shares: the column order, a stored row read back, and the walk that
 * verifies the chain. One definition, so both engines hash and verify a row the same way and a
 * log verifies identically on either. Free of logging imports: the SQLite writer thread loads it.
 */

/** The §7 columns in table order; the first twelve are the hashed tuple. */
export const AUDIT_COLUMNS =
  'id, ts, actor, team_id, channel_id, op, card_id, outcome, reason, approval_id, trace_id, error, prev_hash, hash';

/** A stored row as read in array mode, in AUDIT_COLUMNS order (then the writing replica, where recorded). */
export type RawAuditRow = [...ChainedTuple, prevHash: string, hash: string, replica?: string | null];

/** An event ready to be written: every field already normalised for storage. */
export type PendingEvent = Omit<AuditRow, 'id' | 'ts' | 'prevHash' | 'hash'>;

/** What writing adds to an event: where it sits in the chain (and who wrote it, where recorded). */
export type WrittenPlace = Pick<AuditRow, 'id' | 'ts' | 'prevHash' | 'hash' | 'replica'>;

/** The equality filters and their columns, in the order the SQL names them. */
export const EQUALITY_FILTERS = [
  ['actor', 'actor'],
  ['cardId', 'card_id'],
  ['op', 'op'],
  ['outcome', 'outcome'],
  ['channelId', 'channel_id'],
] as const satisfies readonly (readonly [keyof AuditFilter, string])[];

/** The SQL of `op: 'approval'` (APPROVAL_OP): approval events, whatever the engine. Constants only, no parameter. */
export const APPROVAL_EVENTS_SQL = `(op = '${APPROVAL_OP}' OR (op = 'cancel' AND approval_id IS NOT NULL AND outcome IN (${APPROVAL_EVENT_OUTCOMES.map((o) => `'${o}'`).join(', ')})))`;

/** The filter's equalities as `[key, column]`, in EQUALITY_FILTERS order; `op: 'approval'` is not one (see fixedConditionsOf). */
export function equalitiesOf(filter: AuditFilter): (readonly [keyof AuditFilter, string])[] {
  return EQUALITY_FILTERS.filter(([key]) => filter[key] !== undefined && !(key === 'op' && filter.op === APPROVAL_OP));
}

/** The filter's conditions that take no parameter: `op: 'approval'`. */
export function fixedConditionsOf(filter: AuditFilter): string[] {
  return filter.op === APPROVAL_OP ? [APPROVAL_EVENTS_SQL] : [];
}

/** Page sizes above this are cut to it. */
export const MAX_PAGE = 1000;

export function toAuditRow(raw: RawAuditRow): AuditRow {
  const row: AuditRow = {
    id: raw[0],
    ts: raw[1],
    actor: raw[2],
    teamId: raw[3],
    channelId: raw[4],
    op: raw[5],
    cardId: raw[6],
    outcome: raw[7] as AuditOutcome,
    reason: raw[8],
    approvalId: raw[9],
    traceId: raw[10],
    error: raw[11],
    prevHash: raw[12],
    hash: raw[13],
  };
  if (raw.length > 14) row.replica = raw[14] ?? null;
  return row;
}

/** The hashed tuple of an event placed at `id` and stamped `ts`. */
export function chainedTupleOf(id: number, ts: string, e: PendingEvent): ChainedTuple {
  return [
    id,
    ts,
    e.actor,
    e.teamId,
    e.channelId,
    e.op,
    e.cardId,
    e.outcome,
    e.reason,
    e.approvalId,
    e.traceId,
    e.error,
  ];
}

/** The later of two ISO-8601 UTC stamps (they order as strings). */
export function laterIso(a: string, b: string): string {
  return a < b ? b : a;
}

type BreakKind = NonNullable<VerifyResult['firstBroken']>['problem'];

/** What the chain walk reads from an engine. */
export interface ChainSource {
  /** The highest id present and the highest id ever handed out (rows cut from the tail show as a difference). */
  ends(): Promise<{ end: number; seq: number }>;
  /** Up to `size` rows with `afterId < id <= end`, in id order. */
  chunk(afterId: number, end: number, size: number): Promise<RawAuditRow[]>;
  /** Whether a row after `id` has this hash (a moved row). */
  laterRowWithHash(id: number, hash: string): Promise<boolean>;
  /** Runs between chunks: yields to the event loop. */
  pause(): Promise<void>;
}

/**
 * Walks the chain in id order. The first problem found is reported, classified as:
 * - `edited`: the row no longer hashes to its stored hash (content, prev_hash or hash changed);
 * - `reordered`: same, but its prev_hash is the hash of a row further on: whole rows were
 *   swapped or moved; or a row stamped earlier than the row before it;
 * - `deleted-before`: the row holds but ids jump before it (ids are written without gaps): rows
 *   before it were deleted. Rows cut from the end are reported at the next id to be written;
 * - `bad-link`: the row holds, ids are consecutive, but it does not follow the previous row:
 *   that row was rewritten with a recomputed hash, or this one was forged.
 * `checked` counts the rows, in id order, that hold before the first problem (all of them when ok).
 * The next chunk is read while this one is checked.
 */
export async function verifyChain(
  source: ChainSource,
  options: { chunkSize?: number; onProgress?: (checked: number) => void } = {},
): Promise<VerifyResult> {
  const size = Math.max(1, Math.floor(options.chunkSize ?? 5000));
  const { end, seq } = await source.ends();
  let prevHash = GENESIS_HASH;
  let prevId = 0;
  let prevTs = '';
  let checked = 0;
  let next: Promise<RawAuditRow[]> | undefined = source.chunk(0, end, size);
  while (next) {
    const rows: RawAuditRow[] = await next;
    const last = rows.at(-1);
    // Read ahead: the engine fetches the next chunk while this one is hashed.
    next = rows.length < size || !last ? undefined : source.chunk(last[0], end, size);
    next?.catch(() => {});
    for (const row of rows) {
      const id = row[0];
      const storedPrev = row[12];
      const storedHash = row[13];
      let problem: BreakKind | undefined;
      if (chainHash(storedPrev, row.slice(0, 12) as ChainedTuple) !== storedHash) {
        problem = (await source.laterRowWithHash(id, storedPrev)) ? 'reordered' : 'edited';
      } else if (id !== prevId + 1) {
        // Ids are handed out without gaps (one past the chain head, rolled back with a failed batch).
        problem = 'deleted-before';
      } else if (storedPrev !== prevHash) {
        problem = 'bad-link';
      } else if (row[1] < prevTs) {
        problem = 'reordered';
      }
      if (problem) return { checked, ok: false, firstBroken: { id, problem } };
      prevHash = storedHash;
      prevId = id;
      prevTs = row[1];
      checked += 1;
    }
    options.onProgress?.(checked);
    if (next) await source.pause();
  }
  if (seq > end) return { checked, ok: false, firstBroken: { id: seq + 1, problem: 'deleted-before' } };
  return { checked, ok: true };
}
