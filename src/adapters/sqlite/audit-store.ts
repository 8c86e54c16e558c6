import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Statement } from 'better-sqlite3';
import type {
  AuditEventInput,
  AuditFilter,
  AuditPage,
  AuditRow,
  AuditStore,
  CountRecentQuery,
} from '../../domain/audit/audit-types.js';
import type { Logger } from '../../logger.js';
import { normalizeAuditEvent } from '../shared/audit-event.js';
import {
  AUDIT_COLUMNS,
  equalitiesOf,
  fixedConditionsOf,
  MAX_PAGE,
  type PendingEvent,
  type RawAuditRow,
  toAuditRow,
  verifyChain,
} from '../shared/audit-rows.js';
import { createGroupCommit, nextTurn } from '../shared/group-commit.js';
import { type AuditBatchWriter, AuditWriteError, inlineAuditWriter, threadAuditWriter } from './audit-writer.js';
import { type RangeScan, rangesJoin, scanRange, splitRanges } from './chain-scan.js';
import type { ScanMessage, ScanRequest } from './chain-scan-worker.js';
import type { Database } from './database.js';
import { spawnSiblingThread } from './sibling-thread.js';

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
  /** Logs of at least this many rows are verified on several threads (default 200,000; tests lower it). */
  verifyThreadsFrom?: number;
}

/** A second connection only where one can reach the same data with the same rights: a file opened read-write. */
function chooseWriter(db: Database, kind: 'thread' | 'inline'): AuditBatchWriter {
  const separate = kind === 'thread' && !db.memory && !db.readonly && db.name !== '' && db.name !== ':memory:';
  return separate ? threadAuditWriter(resolve(db.name)) : inlineAuditWriter(db);
}

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
  // With the writer thread the wait for the disk leaves the event loop free.
  const writer = chooseWriter(db, options.writer ?? 'thread');
  const commits = createGroupCommit({
    writeBatch: (events) => writer.write(now().toISOString(), events),
    codeOf: (error) => (error instanceof AuditWriteError ? error.code : 'SQLITE_ERROR'),
    logger,
  });

  function append(event: AuditEventInput): Promise<AuditRow> {
    let pending: PendingEvent;
    try {
      pending = normalizeAuditEvent(event);
    } catch (error) {
      return Promise.reject(error);
    }
    return commits.append(pending);
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
    for (const [key] of equalitiesOf(filter)) out[key] = filter[key];
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

  const chainSource = {
    async ends() {
      const [end, seq] = chainEnd.get() as [number | null, number | null];
      return { end: end ?? 0, seq: seq ?? 0 };
    },
    async chunk(afterId: number, end: number, size: number) {
      return chunk.all(afterId, end, size) as RawAuditRow[];
    },
    async laterRowWithHash(id: number, hash: string) {
      return laterRowWithHash.get(id, hash) !== undefined;
    },
    pause: nextTurn,
  };

  return {
    append,
    query,
    count,
    iterate,
    async verify(verifyOptions) {
      const { end, seq } = await chainSource.ends();
      // The fast pass says only "all of it holds"; anything else is found and named by the walk.
      if (seq <= end && (await holdsAtFirstPass(db, end, { threadsFrom: options.verifyThreadsFrom, ...verifyOptions })))
        return { checked: end, ok: true };
      return verifyChain(chainSource, verifyOptions);
    },
    countRecent,
    flush: () => commits.settle(),
    async close() {
      await commits.close();
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
  for (const [key, column] of equalitiesOf(filter)) where.push(`${column} = @${key}`);
  where.push(...fixedConditionsOf(filter));
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

export { toAuditRow };

/** Logs at least this long are scanned on several threads (a thread costs a few milliseconds to start). */
const THREADED_FROM = 200_000;

/**
 * The first pass of verify (chain-scan.ts): on threads, one id range each, when the database is a
 * file and the log is long; otherwise on this thread, yielding to the event loop between chunks.
 * False when anything does not hold, or a thread failed.
 */
export async function holdsAtFirstPass(
  db: Database,
  end: number,
  options: { chunkSize?: number; onProgress?: (checked: number) => void; threadsFrom?: number },
): Promise<boolean> {
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 5000));
  const file = db.memory || db.name === '' || db.name === ':memory:' ? undefined : resolve(db.name);
  const threads = file && end >= (options.threadsFrom ?? THREADED_FROM) ? Math.min(availableParallelism(), 4) : 1;
  const ranges = splitRanges(end, threads);
  const checked = ranges.map(() => 0);
  const progress = (i: number, rows: number) => {
    checked[i] = rows;
    options.onProgress?.(checked.reduce((a, b) => a + b, 0));
  };
  if (!file || threads === 1) {
    const scan = scanRange(db, 0, end, chunkSize);
    let step = scan.next();
    while (!step.done) {
      progress(0, step.value);
      await nextTurn();
      step = scan.next();
    }
    return rangesJoin([step.value], end);
  }
  const scans = await Promise.all(
    ranges.map(([from, to], i) => scanOnThread({ path: file, from, to, chunkSize }, (rows) => progress(i, rows))),
  );
  return scans.every((scan) => scan !== undefined) && rangesJoin(scans as RangeScan[], end);
}

/** One range scanned on its own thread; undefined if the thread failed (the caller then walks). */
function scanOnThread(range: ScanRequest, onRows: (rows: number) => void): Promise<RangeScan | undefined> {
  return new Promise((settle) => {
    const thread = spawnSiblingThread(import.meta.url, 'chain-scan-worker', range);
    let result: RangeScan | undefined;
    thread.on('message', (message: ScanMessage) => {
      if ('progress' in message) onRows(message.progress);
      else if ('done' in message) result = message.done;
    });
    thread.on('error', () => settle(undefined));
    thread.on('exit', () => settle(result));
  });
}
