import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { type DatabaseChoice, openStores, type Stores } from '../../src/adapters/stores.js';
import { createTestDatabase, postgresServer, type TestDatabase } from '../helpers/postgres.js';

/**
 * The engines the conformance suite runs the same tests against: SQLite always, PostgreSQL when a
 * server answers (else skipped, said once by the run). Each test gets an empty database; every
 * store a test opens is closed after it.
 */
export interface Engine {
  name: 'sqlite' | 'postgres';
  /** True when separate `open()` calls share everything (replay ids, locks, heartbeats), as replicas do. */
  shared: boolean;
  /** The stores on this test's database; each call is another connection (pool), like another replica. */
  open(options?: { replicaId?: string }): Promise<Stores>;
  /** Runs SQL on the test's database outside the stores (tampering, inspection). */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Lets the next `sql` calls edit and delete audit rows (the append-only guard off), to forge damage. */
  allowTampering(): Promise<void>;
  choice(): DatabaseChoice;
}

interface EngineSetup {
  engine: Engine;
  beforeAll(): Promise<void>;
  beforeEach(): Promise<void>;
  afterEach(): Promise<void>;
  afterAll(): Promise<void>;
}

function sqliteSetup(): EngineSetup {
  let dir = '';
  let path = '';
  const opened: Stores[] = [];
  const engine: Engine = {
    name: 'sqlite',
    shared: false,
    async open(options = {}) {
      const stores = await openStores({ engine: 'sqlite', path }, options);
      opened.push(stores);
      return stores;
    },
    async sql(text, values = []) {
      const db = new BetterSqlite3(path);
      try {
        const statement = db.prepare(text);
        if (statement.reader) return statement.all(...values) as Record<string, unknown>[];
        statement.run(...values);
        return [];
      } finally {
        db.close();
      }
    },
    async allowTampering() {
      await engine.sql('DROP TRIGGER IF EXISTS audit_no_update');
      await engine.sql('DROP TRIGGER IF EXISTS audit_no_delete');
    },
    choice: () => ({ engine: 'sqlite', path }),
  };
  return {
    engine,
    async beforeAll() {},
    async beforeEach() {
      dir = mkdtempSync(join(tmpdir(), 'cardops-conformance-'));
      path = join(dir, 'cardops.db');
    },
    async afterEach() {
      for (const stores of opened.splice(0)) await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async afterAll() {},
  };
}

function postgresSetup(): EngineSetup {
  let database: TestDatabase | undefined;
  const opened: Stores[] = [];
  const url = () => {
    if (!database) throw new Error('no test database');
    return database.url;
  };
  const engine: Engine = {
    name: 'postgres',
    shared: true,
    async open(options = {}) {
      const stores = await openStores({ engine: 'postgres', url: url() }, { poolMax: 8, ...options });
      opened.push(stores);
      return stores;
    },
    async sql(text, values = []) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async allowTampering() {
      await engine.sql('ALTER TABLE audit DISABLE TRIGGER USER');
    },
    choice: () => ({ engine: 'postgres', url: url() }),
  };
  return {
    engine,
    async beforeAll() {
      database = await createTestDatabase();
    },
    async beforeEach() {
      // An empty schema for each test; the stores migrate it again when opened.
      await engine.sql('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    },
    async afterEach() {
      for (const stores of opened.splice(0)) await stores.close();
    },
    async afterAll() {
      await database?.drop();
    },
  };
}

/** Runs `tests` once per engine, each in its own describe block named after the engine. */
export function describeEachEngine(title: string, tests: (engine: Engine) => void): void {
  const setups: [string, () => EngineSetup, boolean][] = [
    ['sqlite', sqliteSetup, true],
    ['postgres', postgresSetup, postgresServer() !== undefined],
  ];
  for (const [name, make, available] of setups) {
    (available ? describe : describe.skip)(`${title} [${name}]`, () => {
      const setup = make();
      beforeAll(() => setup.beforeAll(), 30_000);
      beforeEach(() => setup.beforeEach());
      afterEach(() => setup.afterEach());
      afterAll(() => setup.afterAll(), 30_000);
      tests(setup.engine);
    });
  }
}
