import { type Pool, pgCode } from './pool.js';

/**
 * /readyz's database part on PostgreSQL: one real write, rolled back. A row for a probe id is
 * inserted into `replicas` (a table the bot's role writes anyway; never `audit`, whose head lock
 * would queue the probe behind appends) inside a transaction with short lock and statement
 * timeouts, then rolled back. It fails when the server is unreachable, the database is gone, it is
 * read-only (a standby, `default_transaction_read_only`), the role lost its grants, or the table is
 * locked longer than `timeoutMs`. Concurrent probes share one attempt, so a hung server collects
 * one waiting probe, not one per load-balancer check. The caller bounds the wait as well (the pool
 * may have no free connection): see `createReadiness`.
 */
export function createPgWritableProbe(pool: Pool, replicaId: string, timeoutMs: number): () => Promise<void> {
  let inFlight: Promise<void> | undefined;
  const attempt = async () => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
        await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
        await client.query(
          `INSERT INTO replicas (id, started_at, beat_at) VALUES ($1, clock_timestamp(), clock_timestamp())`,
          [`readiness-probe:${replicaId}`],
        );
      } finally {
        await client.query('ROLLBACK').catch((error: Error) => {
          broken = error;
        });
      }
    } catch (error) {
      broken ??= error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // A connection whose probe failed may be half-broken: it is closed, not reused.
      client.release(broken);
    }
  };
  return () => {
    inFlight ??= attempt()
      .catch((error: unknown) => {
        throw new Error(`PostgreSQL refused a test write: ${describe(error)}`);
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

/** The server's own message (no secret: PostgreSQL never echoes a password) and its code. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message.split('\n')[0] : 'error';
  return `${message} (${pgCode(error)})`;
}
