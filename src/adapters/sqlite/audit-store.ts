import { resolve } from 'node:path';
import type { Statement } from 'better-sqlite3';
import {
  AUDIT_OUTCOMES,
  type AuditEventInput,
  type AuditFilter,
  type AuditOutcome,
  type AuditPage,
  type AuditRow,
  type AuditStore,
  type CountRecentQuery,
  type VerifyResult,
} from '../../domain/audit/audit-types.js';
import { type ChainedTuple, chainHash, GENESIS_HASH } from '../../domain/audit/hash-chain.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { storableFreeText, storableId } from '../shared/stored-text.js';
import { AUDIT_COLUMNS, type PendingEvent, type RawAuditRow } from './audit-append.js';
import { type AuditBatchWriter, AuditWriteError, inlineAuditWriter, threadAuditWriter } from './audit-writer.js';
import type { Database } from './database.js';

export type { CountRecentQuery } from '../../domain/audit/audit-types.js';

export interface AuditStoreOptions {
  now?: () => Date;
  logger?: Logger;
  /**
   * Where appends are committed: `thread` (the default) on a writer thread with its own
   * connection, so the event loop never waits for the disk; `inline` on the caller's thread.
   * An in-memory or read-only database is always written inline.
   */
  writer?: 'thread' | 'inline';
}

/** A second connection only where one can reach the same data with the same rights: a file opened read-write. */
function chooseWriter(db: Database, kind: 'thread' | 'inline'): AuditBatchWriter {
  const separate = kind === 'thread' && !db.memory && !db.readonly && db.name !== '' && db.name !== ':memory:';
  return separate ? threadAuditWriter(resolve(db.name)) : inlineAuditWriter(db);
}

interface Waiter {
  event: PendingEvent;
  resolve: (row: AuditRow) => void;
  reject: (error: unknown) => void;
}

const EQUALITY_FILTERS = [
  ['actor', 'actor'],
  ['cardId', 'card_id'],
  ['op', 'op'],
  ['outcome', 'outcome'],
  ['channelId', 'channel_id'],
] as const satisfies readonly (readonly [keyof AuditFilter, string])[];

type BreakKind = NonNullable<VerifyResult['firstBroken']>['problem'];

// Taken at load: test suites that fake timers must not stall durable writes or long reads.
const realSetImmediate = globalThis.setImmediate;
const nextTurn = () => new Promise<void>((resolve) => realSetImmediate(resolve));

const OUTCOMES: ReadonlySet<string> = new Set(AUDIT_OUTCOMES);
const MAX_PAGE = 1000;

/**
 * The SQLite audit log: an append-only, hash-chained table (SPEC §7). Appends of one burst share
 * one durable commit. Invariant kept by every writer: `ts` never decreases along `id` (a row is
 * stamped no earlier than the row before it), so time filters become id ranges on `(column, id)`
 * indexes.
 */
export function createAuditStore(db: Database, options: AuditStoreOptions = {}): AuditStore {
  const now = options.now ?? (() => new Date());
  const logger = options.logger;

  // ---- append: group commit --------------------------------------------------------------
  // Appends queued while a batch is being written go together in the next one: under load each
  // commit (and its fsync) carries many rows, and with the writer thread the wait for the disk
  // leaves the event loop free.
  const writer = chooseWriter(db, options.writer ?? 'thread');
  let queue: Waiter[] = [];
  let scheduled = false;
  let inflight: Promise<void> | undefined;
  let closed = false;

  function schedule(): void {
    if (scheduled || inflight || queue.length === 0) return;
    scheduled = true;
    realSetImmediate(writeQueued);
  }

  function writeQueued(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    inflight = writer
      .write(
        now().toISOString(),
        batch.map((w) => w.event),
      )
      .then(
        (placed) => {
          for (const [i, w] of batch.entries()) w.resolve({ ...w.event, ...placed[i]! });
        },
        (error: unknown) => {
          // The transaction was rolled back: none of the batch is written. No row content in the error.
          const code = error instanceof AuditWriteError ? error.code : 'SQLITE_ERROR';
          logger?.error({ code, rows: batch.length }, 'audit append failed');
          for (const w of batch) w.reject(new AppError('AUDIT_UNAVAILABLE', `audit append failed (${code})`));
        },
      )
      .finally(() => {
        inflight = undefined;
        schedule();
      });
  }

  function append(event: AuditEventInput): Promise<AuditRow> {
    if (closed) return Promise.reject(new AppError('AUDIT_UNAVAILABLE', 'audit append after close'));
    let pending: PendingEvent;
    try {
      pending = normalize(event);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AuditRow>((resolve, reject) => {
      queue.push({ event: pending, resolve, reject });
      schedule();
    });
  }

  /** Resolves once every append issued so far has settled. */
  async function settle(): Promise<void> {
    while (queue.length > 0 || scheduled || inflight) await (inflight ?? nextTurn());
  }

  // ---- reads -------------------------------------------------------------------------------
  const firstIdFrom = db.prepare(FIRST_ID_FROM_SQL).pluck();
  const statements = new Map<string, Statement>();

  /** Prepared once per filter shape: which equalities, which id bounds, which use. */
  function statementFor(kind: AuditSqlKind, filter: AuditFilter, bounds: { lo: boolean; hi: boolean }): Statement {
    const sql = auditSelectSql(kind, filter, bounds);
    let statement = statements.get(sql);
    if (!statement) {
      statement = kind === 'count' ? db.prepare(sql).pluck() : db.prepare(sql).raw();
      statements.set(sql, statement);
    }
    return statement;
  }

  /** since/until as ids: `[lo, hi)`; `null` when nothing can match. Relies on ts never decreasing along id. */
  function idRange(filter: AuditFilter, before?: number): { lo?: number; hi?: number } | null {
    let lo: number | undefined;
    let hi: number | undefined = before;
    if (filter.since !== undefined) {
      lo = firstIdFrom.get(filter.since) as number | undefined;
      if (lo === undefined) return null;
    }
    if (filter.until !== undefined) {
      const untilId = firstIdFrom.get(filter.until) as number | undefined;
      if (untilId !== undefined) hi = hi === undefined ? untilId : Math.min(hi, untilId);
    }
    if (lo !== undefined && hi !== undefined && lo >= hi) return null;
    return { lo, hi };
  }

  function params(filter: AuditFilter, extra: Record<string, number | undefined>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key] of EQUALITY_FILTERS) {
      if (filter[key] !== undefined) out[key] = filter[key];
    }
    for (const [key, value] of Object.entries(extra)) {
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  async function query(filter: AuditFilter, options: { limit: number; before?: number }): Promise<AuditPage> {
    const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(options.limit)));
    const range = idRange(filter, options.before);
    if (!range) return { rows: [], nextCursor: undefined };
    const statement = statementFor('page', filter, { lo: range.lo !== undefined, hi: range.hi !== undefined });
    const raw = statement.all(params(filter, { lo: range.lo, hi: range.hi, limit: limit + 1 })) as RawAuditRow[];
    const more = raw.length > limit;
    const rows = (more ? raw.slice(0, limit) : raw).map(toAuditRow);
    return { rows, nextCursor: more ? rows[rows.length - 1]!.id : undefined };
  }

  async function count(filter: AuditFilter): Promise<number> {
    const range = idRange(filter);
    if (!range) return 0;
    const statement = statementFor('count', filter, { lo: range.lo !== undefined, hi: range.hi !== undefined });
    return statement.get(params(filter, { lo: range.lo, hi: range.hi })) as number;
  }

  const maxId = db.prepare('SELECT max(id) FROM audit').pluck();

  async function* iterate(filter: AuditFilter, batchSize = 1000): AsyncGenerator<AuditRow[]> {
    const size = Math.max(1, Math.floor(batchSize));
    const range = idRange(filter);
    if (!range) return;
    // A snapshot: rows appended while the caller consumes are not part of this run.
    const top = ((maxId.get() as number | null) ?? 0) + 1;
    const hi = range.hi === undefined ? top : Math.min(range.hi, top);
    let lo = range.lo ?? 0;
    const statement = statementFor('batch', filter, { lo: true, hi: true });
    for (;;) {
      const raw = statement.all(params(filter, { lo, hi, limit: size })) as RawAuditRow[];
      if (raw.length === 0) return;
      yield raw.map(toAuditRow);
      if (raw.length < size) return;
      lo = raw[raw.length - 1]![0] + 1;
      await nextTurn();
    }
  }

  const recentStatements = new Map<string, Statement>();

  async function countRecent(q: CountRecentQuery): Promise<number> {
    if (q.ops.length === 0 || q.outcomes.length === 0) return 0;
    const lo = firstIdFrom.get(q.since) as number | undefined;
    if (lo === undefined) return 0;
    const sql = countRecentSql(q);
    let statement = recentStatements.get(sql);
    if (!statement) {
      statement = db.prepare(sql).pluck();
      recentStatements.set(sql, statement);
    }
    const args: unknown[] = [lo];
    if (q.actor !== undefined) args.push(q.actor);
    if (q.cardId !== undefined) args.push(q.cardId);
    return statement.get(...args, ...q.ops, ...q.outcomes) as number;
  }

  // ---- verify ------------------------------------------------------------------------------
  const chainEnd = db
    .prepare("SELECT (SELECT max(id) FROM audit), (SELECT seq FROM sqlite_sequence WHERE name = 'audit')")
    .raw();
  const chunk = db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`).raw();
  const laterRowWithHash = db.prepare('SELECT id FROM audit WHERE id > ? AND hash = ? LIMIT 1').pluck();

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
   */
  async function verify(
    options: { chunkSize?: number; onProgress?: (checked: number) => void } = {},
  ): Promise<VerifyResult> {
    const size = Math.max(1, Math.floor(options.chunkSize ?? 5000));
    const [endRaw, seqRaw] = chainEnd.get() as [number | null, number | null];
    const end = endRaw ?? 0;
    const seq = seqRaw ?? 0;
    let prevHash = GENESIS_HASH;
    let prevId = 0;
    let prevTs = '';
    let checked = 0;
    for (;;) {
      const rows = chunk.all(prevId, end, size) as RawAuditRow[];
      for (const row of rows) {
        const id = row[0];
        const storedPrev = row[12];
        const storedHash = row[13];
        let problem: BreakKind | undefined;
        if (chainHash(storedPrev, row.slice(0, 12) as ChainedTuple) !== storedHash) {
          problem = laterRowWithHash.get(id, storedPrev) !== undefined ? 'reordered' : 'edited';
        } else if (id !== prevId + 1) {
          // Ids are handed out without gaps (sqlite_sequence + 1, rolled back with a failed batch).
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
      if (rows.length < size) break;
      await nextTurn();
    }
    if (seq > end) return { checked, ok: false, firstBroken: { id: seq + 1, problem: 'deleted-before' } };
    return { checked, ok: true };
  }

  return {
    append,
    query,
    count,
    iterate,
    verify,
    countRecent,
    flush: settle,
    async close() {
      closed = true;
      await settle();
      await writer.close();
    },
  };
}

export type AuditSqlKind = 'page' | 'count' | 'batch';

/** The first row at or after a time; ts never decreases along id, so its id bounds a time range. */
export const FIRST_ID_FROM_SQL = 'SELECT id FROM audit WHERE ts >= ? ORDER BY ts, id LIMIT 1';

/**
 * The SQL of one filter shape: equalities on the given fields plus `id >= @lo` / `id < @hi`.
 * `page` is newest first with `@limit`, `batch` oldest first with `@limit`, `count` counts.
 */
export function auditSelectSql(kind: AuditSqlKind, filter: AuditFilter, bounds: { lo: boolean; hi: boolean }): string {
  const where: string[] = [];
  for (const [key, column] of EQUALITY_FILTERS) {
    if (filter[key] !== undefined) where.push(`${column} = @${key}`);
  }
  if (bounds.lo) where.push('id >= @lo');
  if (bounds.hi) where.push('id < @hi');
  const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  if (kind === 'count') return `SELECT count(*) FROM audit${clause}`;
  return `SELECT ${AUDIT_COLUMNS} FROM audit${clause} ORDER BY id ${kind === 'page' ? 'DESC' : 'ASC'} LIMIT @limit`;
}

/** The SQL of countRecent: positional `lo`, then actor, card, ops, outcomes as present. */
export function countRecentSql(q: Pick<CountRecentQuery, 'actor' | 'cardId' | 'ops' | 'outcomes'>): string {
  const where = ['id >= ?'];
  if (q.actor !== undefined) where.push('actor = ?');
  if (q.cardId !== undefined) where.push('card_id = ?');
  where.push(`op IN (${q.ops.map(() => '?').join(', ')})`, `outcome IN (${q.outcomes.map(() => '?').join(', ')})`);
  return `SELECT count(*) FROM audit WHERE ${where.join(' AND ')}`;
}

function normalize(event: AuditEventInput): PendingEvent {
  if (typeof event.actor !== 'string' || event.actor === '') throw new TypeError('audit event without actor');
  if (typeof event.op !== 'string' || event.op === '') throw new TypeError('audit event without op');
  if (!OUTCOMES.has(event.outcome)) throw new TypeError(`audit event with unknown outcome ${String(event.outcome)}`);
  return {
    actor: storableId(event.actor)!,
    teamId: storableId(event.teamId),
    channelId: storableId(event.channelId),
    op: storableId(event.op)!,
    cardId: storableId(event.cardId),
    outcome: event.outcome,
    reason: storableFreeText(event.reason),
    approvalId: storableId(event.approvalId),
    traceId: storableId(event.traceId),
    error: storableFreeText(event.error),
  };
}

export function toAuditRow(raw: RawAuditRow): AuditRow {
  return {
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
}
