import { GENESIS_HASH, sha256hex } from '../../domain/audit/hash-chain.js';
import type { Database } from './database.js';

/**
 * The fast first pass of `verify` on SQLite. SQLite writes each row's canonical text itself
 * (`prev_hash || json_array(id, ts, …, error)`, the same text `chainHash` hashes: JSON arrays of
 * the same values, checked to match JSON.stringify for every character class in the tests), so
 * JavaScript receives five values a row instead of fourteen and only hashes and compares. Reading
 * the fourteen columns was two thirds of the time of the walk.
 *
 * The pass only ever says "all of it holds" or "something does not": a row it cannot confirm (a
 * rendering that differs, a broken link, a gap) sends the whole verify to the exact walk
 * (`verifyChain`), which finds and classifies the first problem. It cannot pass a broken log:
 * a row passes only when the hash of its own content, rendered as an unambiguous JSON array,
 * equals the stored hash. Ranges are independent, so they can be scanned on several threads.
 */

const CANONICAL_ROWS = `SELECT id, ts, hash, prev_hash || json_array(id, ts, actor, team_id, channel_id, op, card_id,
  outcome, reason, approval_id, trace_id, error) FROM audit WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`;

/** What one range `(from, to]` looked like, enough to join it to its neighbours. */
export interface RangeScan {
  from: number;
  to: number;
  /** Every row hashes to its stored hash, ids run from `from + 1` to `to` without a gap, each row links to the one before it, and time never goes back. */
  holds: boolean;
  rows: number;
  /** The first row's prev_hash and ts, the last row's hash and ts ('' when the range is empty). */
  firstPrev: string;
  firstTs: string;
  lastHash: string;
  lastTs: string;
}

/**
 * Scans `(from, to]` chunk by chunk; yields the rows checked so far after each chunk (so a caller
 * on the event loop can pause, and a thread can report progress) and returns the range's summary.
 * Stops at the first row that does not hold.
 */
export function* scanRange(db: Database, from: number, to: number, chunkSize = 5000): Generator<number, RangeScan> {
  const statement = db.prepare(CANONICAL_ROWS).raw();
  const scan: RangeScan = { from, to, holds: true, rows: 0, firstPrev: '', firstTs: '', lastHash: '', lastTs: '' };
  let prevId = from;
  let prevHash: string | undefined;
  let prevTs = '';
  while (prevId < to) {
    const rows = statement.all(prevId, to, chunkSize) as [number, string, string, string][];
    if (rows.length === 0) break;
    for (const [id, ts, hash, text] of rows) {
      // text = prev_hash (64 hex digits) then the row's JSON.
      const storedPrev = text.slice(0, 64);
      if (
        id !== prevId + 1 ||
        sha256hex(text) !== hash ||
        (prevHash !== undefined && storedPrev !== prevHash) ||
        ts < prevTs
      ) {
        scan.holds = false;
        return scan;
      }
      if (prevHash === undefined) {
        scan.firstPrev = storedPrev;
        scan.firstTs = ts;
      }
      prevId = id;
      prevHash = hash;
      prevTs = ts;
      scan.rows += 1;
    }
    yield scan.rows;
  }
  scan.lastHash = prevHash ?? '';
  scan.lastTs = prevTs;
  if (prevId !== to) scan.holds = false;
  return scan;
}

/** Whether consecutive range scans of `(0, end]` join into one chain from the genesis hash. */
export function rangesJoin(scans: RangeScan[], end: number): boolean {
  let at = 0;
  let hash = GENESIS_HASH;
  let ts = '';
  for (const scan of scans) {
    if (!scan.holds || scan.from !== at) return false;
    if (scan.rows > 0) {
      if (scan.firstPrev !== hash || scan.firstTs < ts) return false;
      hash = scan.lastHash;
      ts = scan.lastTs;
    }
    at = scan.to;
  }
  return at === end;
}

/** Splits `(0, end]` into `parts` contiguous ranges of about the same number of ids. */
export function splitRanges(end: number, parts: number): [number, number][] {
  const n = Math.max(1, Math.min(parts, end));
  const ranges: [number, number][] = [];
  for (let i = 0; i < n; i += 1) ranges.push([Math.floor((end * i) / n), Math.floor((end * (i + 1)) / n)]);
  return ranges;
}
