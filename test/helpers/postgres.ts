import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject } from 'vitest';

/**
 * PostgreSQL for tests. The server is `CARDOPS_TEST_POSTGRES_URL`, else the one the libpq
 * variables name (PGHOST, PGPORT, PGUSER, PGPASSWORD), else postgres@127.0.0.1:5432 with trust
 * auth. Each test file makes its own database with a random name and drops it afterwards. When
 * no server answers, the PostgreSQL tests are skipped and the run says so once (postgres-setup.ts).
 */

export const POSTGRES_SKIP_LINE =
  'PostgreSQL tests skipped: no server at 127.0.0.1:5432 — start one (trust auth, user postgres) or set CARDOPS_TEST_POSTGRES_URL';

/** The server's URL, pointing at its maintenance database `postgres`. */
export function testServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CARDOPS_TEST_POSTGRES_URL) return env.CARDOPS_TEST_POSTGRES_URL;
  const url = new URL('postgres://127.0.0.1:5432/postgres');
  if (env.PGHOST && !env.PGHOST.startsWith('/')) url.hostname = env.PGHOST;
  if (env.PGPORT) url.port = env.PGPORT;
  url.username = env.PGUSER ?? 'postgres';
  if (env.PGPASSWORD) url.password = env.PGPASSWORD;
  return url.toString();
}

/** True when a server answers `SELECT 1` at `url` within two seconds. */
export async function probePostgres(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The server the global setup found, or undefined when the PostgreSQL tests must skip. */
export function postgresServer(): string | undefined {
  let url: string | undefined;
  try {
    url = inject('postgresServerUrl');
  } catch {
    url = undefined;
  }
  return url === '' || url === undefined ? undefined : url;
}

/** `describe` when a server answers, `describe.skip` otherwise (the run has said why, once). */
export const describeWithPostgres: typeof describe = (postgresServer() ? describe : describe.skip) as typeof describe;

export interface TestDatabase {
  /** postgres://… of the new database. */
  url: string;
  name: string;
  /** Ends every connection to it and drops it. */
  drop(): Promise<void>;
}

/** Creates an empty database with a random name on the test server. */
export async function createTestDatabase(server = postgresServer()): Promise<TestDatabase> {
  if (!server) throw new Error(POSTGRES_SKIP_LINE);
  const name = `cardops_test_${randomBytes(6).toString('hex')}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
