import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ApprovalsStore } from '../domain/approvals/approval-types.js';
import type { AuditStore } from '../domain/audit/audit-types.js';
import type { KeyedLocks } from '../domain/cards/keyed-locks.js';
import type { RevealOffersStore } from '../domain/cards/reveal-offers.js';
import type { ReplayIds } from '../domain/deliveries/replay-ids.js';
import type { ReplicaRegistry } from '../domain/replicas/replica-registry.js';
import type { Logger } from '../logger.js';
import { DATABASE_PROBE_TIMEOUT_MS } from '../service/readiness.js';
import { databaseWritable } from '../service/sqlite-writable.js';
import { createKeyedSerialiser } from './memory/keyed-serialiser.js';
import { createMemoryReplayIds } from './memory/replay-ids.js';
import { createLoneReplica } from './memory/replica-registry.js';
import { createPgApprovalsStore } from './postgres/approvals-store.js';
import { createPgAuditStore } from './postgres/audit-store.js';
import { migratePostgres } from './postgres/migrations.js';
import { createPool } from './postgres/pool.js';
import {
  createPgKeyedLocks,
  createPgReplayIds,
  createPgReplicaRegistry,
  createPgRevealOffers,
} from './postgres/shared-state.js';
import { createPgWritableProbe } from './postgres/writable-probe.js';
import { createApprovalsStore } from './sqlite/approvals-store.js';
import { createAuditStore } from './sqlite/audit-store.js';
import { closeDatabase, openDatabase } from './sqlite/database.js';
import { createRevealOffersStore } from './sqlite/reveal-offers-store.js';

/** Every store port, for one engine. */
export interface Stores {
  engine: 'sqlite' | 'postgres';
  audit: AuditStore;
  approvals: ApprovalsStore;
  revealOffers: RevealOffersStore;
  replayIds: ReplayIds;
  cardLocks: KeyedLocks;
  replicas: ReplicaRegistry;
  /**
   * /readyz's database part: resolves when the database takes writes, throws saying why not.
   * SQLite: the file, its folder and the disk (no lock taken); PostgreSQL: a write rolled back.
   */
  writable(): Promise<void>;
  /** Settles pending audit appends, then closes the database or the pool. */
  close(): Promise<void>;
}

export type DatabaseChoice = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };

/** A replica id unique to this process start: host, pid and a random tail (never reused after a restart). */
export function newReplicaId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * Opens the chosen engine, brings its schema up to date (a newer schema is refused with
 * CONFIG_INVALID) and returns every port. SQLite: one process alone on its file; the replay ids,
 * the card locks and the registry are in-process. PostgreSQL: all of them shared with the
 * replicas on the same database. Throws when the database cannot be opened.
 */
export async function openStores(
  choice: DatabaseChoice,
  options: { logger?: Logger; replicaId?: string; poolMax?: number } = {},
): Promise<Stores> {
  const logger = options.logger;
  if (choice.engine === 'sqlite') {
    const db = openDatabase(choice.path, logger ? { logger } : {});
    const audit = createAuditStore(db, logger ? { logger } : {});
    return {
      engine: 'sqlite',
      audit,
      approvals: createApprovalsStore(db),
      revealOffers: createRevealOffersStore(db),
      replayIds: createMemoryReplayIds(),
      cardLocks: createKeyedSerialiser(),
      replicas: createLoneReplica(options.replicaId),
      writable: async () => databaseWritable(choice.path),
      async close() {
        await audit.close();
        closeDatabase(db);
      },
    };
  }
  const replica = options.replicaId ?? newReplicaId();
  const pool = createPool(choice.url, {
    ...(logger ? { logger } : {}),
    ...(options.poolMax ? { max: options.poolMax } : {}),
  });
  try {
    await migratePostgres(pool, logger ? { logger } : {});
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const audit = createPgAuditStore(pool, { replica, ...(logger ? { logger } : {}) });
  return {
    engine: 'postgres',
    audit,
    approvals: createPgApprovalsStore(pool, { replica }),
    revealOffers: createPgRevealOffers(pool),
    replayIds: createPgReplayIds(pool),
    cardLocks: createPgKeyedLocks(pool),
    replicas: createPgReplicaRegistry(pool, replica),
    writable: createPgWritableProbe(pool, replica, DATABASE_PROBE_TIMEOUT_MS),
    async close() {
      await audit.close();
      await pool.end();
    },
  };
}
