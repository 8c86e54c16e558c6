import type {
  AuditEventInput,
  AuditFilter,
  AuditPage,
  AuditRow,
  AuditStore,
  CountRecentQuery,
  VerifyResult,
} from '../../domain/audit/audit-types.js';
import { chainHash, GENESIS_HASH } from '../../domain/audit/hash-chain.js';
import type { Logger } from '../../logger.js';
import { normalizeAuditEvent } from '../shared/audit-event.js';
import {
  AUDIT_COLUMNS,
  type ChainSource,
  chainedTupleOf,
  equalitiesOf,
  fixedConditionsOf,
  laterIso,
  MAX_PAGE,
  type PendingEvent,
  type RawAuditRow,
  toAuditRow,
  verifyChain,
  type WrittenPlace,
} from '../shared/audit-rows.js';
import { createGroupCommit, nextTurn } from '../shared/group-commit.js';
import { type Pool, pgCode } from './pool.js';

export interface PgAuditStoreOptions {
  /** This replica's id, written beside each row (not hashed): recovery spares a live owner's calls. */
  replica: string;
  logger?: Logger;
  /** Rows per range of verify's first pass in the database (default SERVER_CHECK_RANGE); tests make it small. */
  verifyRange?: number;
  /** Ranges checked at once, each on its own pooled connection (default SERVER_CHECK_PARALLEL). */
  verifyParallel?: number;
}

/** The database clock as the audit stores it: ISO-8601 UTC with milliseconds, like JavaScript's toISOString. */
const DB_NOW_ISO = `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Locks the chain head (every replica's appends queue here, so commit order is id order) and
 * reads the clock after the lock is held, in one round trip with BEGIN.
 */
const BEGIN_AND_LOCK_HEAD = `BEGIN;
WITH head AS (SELECT last_id, last_hash, last_ts FROM audit_head WHERE one FOR UPDATE)
SELECT last_id::float8 AS last_id, last_hash, last_ts, ${DB_NOW_ISO} AS now FROM head`;

const INSERT_BATCH = `WITH placed AS (
  INSERT INTO audit (${AUDIT_COLUMNS}, replica)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
)
UPDATE audit_head SET last_id = $16, last_hash = $17, last_ts = $18 WHERE one`;

/**
 * The PostgreSQL audit log: the same append-only, hash-chained rows as on SQLite, written by any
 * number of replicas. Each append transaction locks the one-row chain head, so the chain is one
 * gap-free sequence in commit order; a replica's concurrent appends share that transaction (group
 * commit); `append` resolves after COMMIT. Rows are stamped with the database's clock (never
 * earlier than the row before), so replicas with skewed clocks still write one ordered log.
 */
export function createPgAuditStore(pool: Pool, options: PgAuditStoreOptions): AuditStore {
  const { replica, logger } = options;

  async function writeBatch(events: PendingEvent[]): Promise<WrittenPlace[]> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      try {
        const results = (await client.query(BEGIN_AND_LOCK_HEAD)) as unknown as { rows: HeadRow[] }[];
        const head = results[1]?.rows[0];
        if (!head) throw Object.assign(new Error('audit chain head missing'), { code: 'XX001' });
        const ts = laterIso(head.now, head.last_ts);
        let prevHash = head.last_hash;
        let id = head.last_id + 1;
        const columns: (string | number | null)[][] = Array.from({ length: 15 }, () => []);
        const placed: WrittenPlace[] = [];
        for (const e of events) {
          const tuple = chainedTupleOf(id, ts, e);
          const hash = chainHash(prevHash, tuple);
          const row = [...tuple, prevHash, hash, replica];
          for (let c = 0; c < 15; c += 1) columns[c]!.push(row[c]!);
          placed.push({ id, ts, prevHash, hash, replica });
          prevHash = hash;
          id += 1;
        }
        await client.query(INSERT_BATCH, [...columns, id - 1, prevHash, ts]);
        await client.query('COMMIT');
        return placed;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  const commits = createGroupCommit({ writeBatch, codeOf: pgCode, logger });

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
  async function rows(text: string, values: unknown[]): Promise<RawAuditRow[]> {
    const result = await pool.query({ text, values, rowMode: 'array' });
    return result.rows as RawAuditRow[];
  }

  async function firstIdFrom(ts: string): Promise<number | undefined> {
    const result = await pool.query({ text: FIRST_ID_FROM_PG, values: [ts], rowMode: 'array' });
    return result.rows[0]?.[0] as number | undefined;
  }

  /** since/until as ids: `[lo, hi)`; `null` when nothing can match. Relies on ts never decreasing along id. */
  async function idRange(filter: AuditFilter, before?: number): Promise<{ lo?: number; hi?: number } | null> {
    let lo: number | undefined;
    let hi: number | undefined = before;
    if (filter.since !== undefined) {
      lo = await firstIdFrom(filter.since);
      if (lo === undefined) return null;
    }
    if (filter.until !== undefined) {
      const untilId = await firstIdFrom(filter.until);
      if (untilId !== undefined) hi = hi === undefined ? untilId : Math.min(hi, untilId);
    }
    if (lo !== undefined && hi !== undefined && lo >= hi) return null;
    return { lo, hi };
  }

  async function query(filter: AuditFilter, opts: { limit: number; before?: number }): Promise<AuditPage> {
    const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(opts.limit)));
    const range = await idRange(filter, opts.before);
    if (!range) return { rows: [], nextCursor: undefined };
    const { text, values } = pgAuditSelect('page', filter, { ...range, limit: limit + 1 });
    const raw = await rows(text, values);
    const more = raw.length > limit;
    const page = (more ? raw.slice(0, limit) : raw).map(toAuditRow);
    return { rows: page, nextCursor: more ? page[page.length - 1]!.id : undefined };
  }

  async function count(filter: AuditFilter): Promise<number> {
    const range = await idRange(filter);
    if (!range) return 0;
    const { text, values } = pgAuditSelect('count', filter, range);
    const result = await pool.query({ text, values, rowMode: 'array' });
    return Number(result.rows[0]?.[0] ?? 0);
  }

  async function* iterate(filter: AuditFilter, batchSize = 1000): AsyncGenerator<AuditRow[]> {
    const size = Math.max(1, Math.floor(batchSize));
    const range = await idRange(filter);
    if (!range) return;
    // A snapshot: rows appended while the caller consumes are not part of this run.
    const top = (await lastId()) + 1;
    const hi = range.hi === undefined ? top : Math.min(range.hi, top);
    let lo = range.lo ?? 0;
    for (;;) {
      const { text, values } = pgAuditSelect('batch', filter, { lo, hi, limit: size });
      const raw = await rows(text, values);
      if (raw.length === 0) return;
      yield raw.map(toAuditRow);
      if (raw.length < size) return;
      lo = raw[raw.length - 1]![0] + 1;
    }
  }

  async function lastId(): Promise<number> {
    const result = await pool.query({ text: 'SELECT last_id FROM audit_head WHERE one', rowMode: 'array' });
    return Number(result.rows[0]?.[0] ?? 0);
  }

  async function countRecent(q: CountRecentQuery): Promise<number> {
    if (q.ops.length === 0 || q.outcomes.length === 0) return 0;
    const lo = await firstIdFrom(q.since);
    if (lo === undefined) return 0;
    const { text, values } = pgCountRecent(q, lo);
    const result = await pool.query({ text, values, rowMode: 'array' });
    return Number(result.rows[0]?.[0] ?? 0);
  }

  /**
   * The chain recomputed inside PostgreSQL: the same canonical text (`[id,"ts",…]`, the fields as
   * JSON), the same SHA-256, the same link, id and time checks. Each range also reads the row just
   * before it, so its first link is checked against the stored row and the ranges do not depend on
   * one another: SERVER_CHECK_PARALLEL of them run at once, each on its own connection (one
   * PostgreSQL process, so one core, each). Resolves to the result when the whole log holds;
   * undefined when anything is suspect (then the JavaScript walk decides, so a difference in
   * canonical text could only send a sound log to the slow path, never pass a broken one).
   */
  async function serverSideCheck(
    source: ChainSource,
    onProgress: ((checked: number) => void) | undefined,
  ): Promise<VerifyResult | undefined> {
    const { end, seq } = await source.ends();
    if (seq > end) return undefined;
    const range = Math.max(1, Math.floor(options.verifyRange ?? SERVER_CHECK_RANGE));
    const parallel = Math.max(1, Math.floor(options.verifyParallel ?? SERVER_CHECK_PARALLEL));
    let next = 0;
    let checked = 0;
    let suspect = false;
    const worker = async () => {
      while (!suspect && next < end) {
        const lo = next;
        const hi = Math.min(end, lo + range);
        next = hi;
        const result = await pool.query({ text: SERVER_CHECK_SQL, values: [lo, hi, GENESIS_HASH], rowMode: 'array' });
        const [firstSuspect, n] = (result.rows[0] ?? [null, 0]) as [number | null, number];
        if (firstSuspect !== null || Number(n) !== hi - lo) {
          suspect = true;
          return;
        }
        checked += Number(n);
        onProgress?.(checked);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return suspect ? undefined : { checked, ok: true };
  }

  return {
    append,
    query,
    count,
    iterate,
    countRecent,
    verify: async (verifyOptions = {}) => {
      const chainSource: ChainSource = {
        async ends() {
          const result = await pool.query({
            text: 'SELECT (SELECT max(id) FROM audit), last_id FROM audit_head WHERE one',
            rowMode: 'array',
          });
          const [end, seq] = (result.rows[0] ?? [null, null]) as [number | null, number | null];
          return { end: Number(end ?? 0), seq: Number(seq ?? 0) };
        },
        chunk: (afterId, end, size) =>
          rows(`SELECT ${AUDIT_COLUMNS} FROM audit WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3`, [
            afterId,
            end,
            size,
          ]),
        async laterRowWithHash(id, hash) {
          const result = await pool.query('SELECT 1 FROM audit WHERE id > $1 AND hash = $2 LIMIT 1', [id, hash]);
          return (result.rowCount ?? 0) > 0;
        },
        pause: nextTurn,
      };
      // First pass in the database (hashes and links computed there, range by range); only a log it
      // finds suspect is walked in JavaScript, which classifies the first problem exactly as on SQLite.
      const quick = await serverSideCheck(chainSource, verifyOptions.onProgress);
      if (quick !== undefined) return quick;
      return verifyChain(chainSource, { chunkSize: 20_000, ...verifyOptions });
    },
    flush: () => commits.settle(),
    close: () => commits.close(),
  };
}

const SERVER_CHECK_RANGE = 100_000;
/** Ranges checked at once (connections of the pool held meanwhile). */
const SERVER_CHECK_PARALLEL = 4;
/** `[id,"ts",…]` as JSON.stringify writes it: one to_json of the text fields (no spaces, nulls as null). */
const CANONICAL = `'[' || id || ',' || substr(to_json(ARRAY[${['ts', 'actor', 'team_id', 'channel_id', 'op', 'card_id', 'outcome', 'reason', 'approval_id', 'trace_id', 'error'].join(', ')}])::text, 2)`;
/**
 * One id range ($1, $2], read with row $1 so that the first link is checked against it: the first
 * suspect row and the number of rows in the range (ids are unique, so $2 − $1 rows means none is
 * missing). A missing row $1 leaves the first link to $3
 * (the genesis hash), which fails for any range but the first. Ranges this size stay below
 * PostgreSQL's JIT threshold, so no query pays for compiling its expressions.
 */
const SERVER_CHECK_SQL = `WITH c AS (
  SELECT id, ts, hash, prev_hash,
    encode(sha256(convert_to(prev_hash || ${CANONICAL}, 'UTF8')), 'hex') AS computed,
    lag(hash) OVER w AS before_hash, lag(ts) OVER w AS before_ts
  FROM audit WHERE id >= $1 AND id <= $2
  WINDOW w AS (ORDER BY id)
)
SELECT min(id) FILTER (WHERE computed <> hash OR prev_hash <> coalesce(before_hash, $3)
    OR ts < coalesce(before_ts, '')),
  count(*)
FROM c WHERE id > $1`;

interface HeadRow {
  last_id: number;
  last_hash: string;
  last_ts: string;
  now: string;
}

/** The first row at or after a time; ts never decreases along id, so its id bounds a time range. */
export const FIRST_ID_FROM_PG = 'SELECT id FROM audit WHERE ts >= $1 ORDER BY ts, id LIMIT 1';

/**
 * The SQL of one filter shape, as on SQLite: equalities on the given fields plus `id >= lo` /
 * `id < hi`. `page` is newest first, `batch` oldest first, both with a limit; `count` counts.
 */
export function pgAuditSelect(
  kind: 'page' | 'count' | 'batch',
  filter: AuditFilter,
  bounds: { lo?: number | undefined; hi?: number | undefined; limit?: number },
): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  for (const [key, column] of equalitiesOf(filter)) {
    values.push(filter[key]);
    where.push(`${column} = $${values.length}`);
  }
  where.push(...fixedConditionsOf(filter));
  if (bounds.lo !== undefined) {
    values.push(bounds.lo);
    where.push(`id >= $${values.length}`);
  }
  if (bounds.hi !== undefined) {
    values.push(bounds.hi);
    where.push(`id < $${values.length}`);
  }
  const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  if (kind === 'count') return { text: `SELECT count(*) FROM audit${clause}`, values };
  values.push(bounds.limit ?? MAX_PAGE);
  const order = kind === 'page' ? 'DESC' : 'ASC';
  return {
    text: `SELECT ${AUDIT_COLUMNS}, replica FROM audit${clause} ORDER BY id ${order} LIMIT $${values.length}`,
    values,
  };
}

/** countRecent's SQL: rows from id `lo`, for the actor and/or card, of the ops and outcomes. */
export function pgCountRecent(q: CountRecentQuery, lo: number): { text: string; values: unknown[] } {
  const values: unknown[] = [lo];
  const where = ['id >= $1'];
  if (q.actor !== undefined) {
    values.push(q.actor);
    where.push(`actor = $${values.length}`);
  }
  if (q.cardId !== undefined) {
    values.push(q.cardId);
    where.push(`card_id = $${values.length}`);
  }
  values.push([...q.ops]);
  where.push(`op = ANY($${values.length}::text[])`);
  values.push([...q.outcomes]);
  where.push(`outcome = ANY($${values.length}::text[])`);
  return { text: `SELECT count(*) FROM audit WHERE ${where.join(' AND ')}`, values };
}
