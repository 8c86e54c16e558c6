import type { Statement } from 'better-sqlite3';
import { chainHash, GENESIS_HASH } from '../../domain/audit/hash-chain.js';
import {
  AUDIT_COLUMNS,
  chainedTupleOf,
  laterIso,
  type PendingEvent,
  type RawAuditRow,
  type WrittenPlace,
} from '../shared/audit-rows.js';
import type { Database } from './database.js';

export { AUDIT_COLUMNS, laterIso, type PendingEvent, type RawAuditRow, type WrittenPlace };

/**
 * Writing audit rows: the chain head, the insert, and one batch appended in one durable
 * transaction. Shared by the audit store's in-thread writer, its writer thread and the seeder,
 * so that every writer extends the chain the same way. Kept free of logging and app imports:
 * the writer thread loads only this.
 */

/** The end of the chain as a writer must see it, read inside its write transaction. */
export interface ChainHead {
  /** The id the next row gets: one past the highest id ever written (sqlite_sequence). */
  nextId: number;
  prevHash: string;
  /** Rows never go back in time, so since/until can be turned into id bounds. */
  minTs: string;
}

/** Reads the chain head; call inside a `BEGIN IMMEDIATE` transaction so that no other writer interleaves. */
export function prepareChainHead(db: Database): () => ChainHead {
  const last = db.prepare('SELECT id, ts, hash FROM audit ORDER BY id DESC LIMIT 1').raw();
  const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").pluck();
  return () => {
    const row = last.get() as [number, string, string] | undefined;
    const highest = Math.max((seq.get() as number | undefined) ?? 0, row?.[0] ?? 0);
    return { nextId: highest + 1, prevHash: row?.[2] ?? GENESIS_HASH, minTs: row?.[1] ?? '' };
  };
}

export function prepareAuditInsert(db: Database): Statement<RawAuditRow> {
  return db.prepare<RawAuditRow>(
    `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
}

/**
 * Appends a batch in one `BEGIN IMMEDIATE` transaction, all rows stamped `stamp` (or the last
 * row's time, if that is later: `ts` never decreases along `id`). Returns once the commit is
 * durable; throws, with nothing written, when it is not.
 */
export function prepareBatchAppend(db: Database): (stamp: string, events: readonly PendingEvent[]) => WrittenPlace[] {
  const readHead = prepareChainHead(db);
  const insert = prepareAuditInsert(db);
  const append = db.transaction((stamp: string, events: readonly PendingEvent[]): WrittenPlace[] => {
    const head = readHead();
    const ts = laterIso(stamp, head.minTs);
    let prevHash = head.prevHash;
    let id = head.nextId;
    const placed: WrittenPlace[] = [];
    for (const e of events) {
      const tuple = chainedTupleOf(id, ts, e);
      const hash = chainHash(prevHash, tuple);
      insert.run(...tuple, prevHash, hash);
      placed.push({ id, ts, prevHash, hash });
      prevHash = hash;
      id += 1;
    }
    return placed;
  });
  return (stamp, events) => append.immediate(stamp, events);
}

/** SQLite's error code (`SQLITE_FULL`, `SQLITE_READONLY`, …) of a thrown error; never its message. */
export function sqliteCode(error: unknown): string {
  const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'SQLITE_ERROR';
}
