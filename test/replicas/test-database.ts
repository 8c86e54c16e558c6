import crypto from 'node:crypto';
import pg from 'pg';

/**
 * A PostgreSQL database of its own for one test file, created with a random name and dropped
 * after. Without a server at 127.0.0.1:5432 the file is skipped with one line saying how to run
 * it, unless CARDOPS_REQUIRE_POSTGRES=1 (CI), where a missing server is a failure.
 */

export const ADMIN_URL = process.env.CARDOPS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PostgresTestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function answers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
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

export async function postgresOrSkip(what: string) {
  const available = await answers();
  if (!available) {
    if (process.env.CARDOPS_REQUIRE_POSTGRES === '1') {
      throw new Error(`${what}: PostgreSQL does not answer at ${ADMIN_URL} and CARDOPS_REQUIRE_POSTGRES=1`);
    }
    console.log(
      `skipped ${what}: no PostgreSQL at 127.0.0.1:5432 (start one with trust auth for user postgres, or set CARDOPS_TEST_POSTGRES_URL, to run them)`,
    );
  }
  return {
    available,
    async createDatabase(prefix: string): Promise<PostgresTestDatabase> {
      const name = `cardops_${prefix}_${crypto.randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(ADMIN_URL);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        async drop() {
          const client = new pg.Client({ connectionString: ADMIN_URL });
          await client.connect();
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
}
