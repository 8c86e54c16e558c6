import pg from 'pg';
import type { Logger } from '../../logger.js';

/**
 * The connection pool every PostgreSQL adapter of one process shares. 64-bit integers (ids,
 * counts) are read as numbers: audit ids stay far below 2^53.
 */
export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const int8AsNumber = (value: string) => Number(value);

/** Type parsers for this adapter's queries only: the process-wide pg defaults are left alone. */
export const PG_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 && format !== 'binary') return int8AsNumber;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function createPool(url: string, options: { logger?: Logger; max?: number } = {}): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 16,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    types: PG_TYPES,
    application_name: 'cardops',
  });
  // An idle connection that breaks (a server restart, a network cut) must not crash the process:
  // the pool drops it and the next query opens a fresh one.
  pool.on('error', (error) => {
    options.logger?.warn({ code: pgCode(error) }, 'a PostgreSQL connection failed; it was dropped from the pool');
  });
  return pool;
}

/** A short code for logs and errors: the SQLSTATE (`PG_40001`) or the socket error (`ECONNREFUSED`); never a message. */
export function pgCode(error: unknown): string {
  const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `PG_${code}`;
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
  return 'PG_ERROR';
}

/** Runs `work` in one transaction on one pooled connection; rolled back if it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    }
  } finally {
    // A connection whose rollback failed is in an unknown state: it is closed, not reused.
    client.release(broken);
  }
}
