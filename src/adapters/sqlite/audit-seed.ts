import { AUDIT_OUTCOMES } from '../../domain/audit/audit-types.js';
import { type ChainedTuple, chainHash } from '../../domain/audit/hash-chain.js';
import { CARD_OPS } from '../../domain/ops.js';
import { laterIso, prepareAuditInsert, prepareChainHead } from './audit-append.js';
import type { Database } from './database.js';

export interface SeedAuditOptions {
  /** Time of the last seeded row; rows are spread evenly before it. Default: now. */
  end?: Date;
  /** Time covered by the seeded rows. Default: 90 days. */
  spanMs?: number;
  /** Distinct actors `U0SEED…`. Default 50. */
  actors?: number;
  /** Distinct cards `card-…`. Default 20,000. */
  cards?: number;
  /** Distinct channels `C0SEED…`. Default 10. */
  channels?: number;
  /** PRNG seed, for reproducible data. Default 1. */
  seed?: number;
}

export interface SeedAuditResult {
  firstId: number;
  lastId: number;
}

const OPS = [...CARD_OPS, 'audit', 'approval', 'command'];

/**
 * Appends `n` synthetic rows with a valid chain in one transaction, continuing any existing chain:
 * for benchmarks and tests only. Timestamps never go back past the current last row.
 */
export function seedAuditRows(db: Database, n: number, options: SeedAuditOptions = {}): SeedAuditResult {
  const end = (options.end ?? new Date()).getTime();
  const span = options.spanMs ?? 90 * 24 * 3600 * 1000;
  const actors = options.actors ?? 50;
  const cards = options.cards ?? 20_000;
  const channels = options.channels ?? 10;
  const random = mulberry32(options.seed ?? 1);
  const pick = (k: number) => Math.floor(random() * k);
  const readHead = prepareChainHead(db);
  const insert = prepareAuditInsert(db);

  return db
    .transaction((): SeedAuditResult => {
      const head = readHead();
      let prevHash = head.prevHash;
      let lastTs = head.minTs;
      const step = n > 1 ? span / (n - 1) : 0;
      for (let i = 0; i < n; i += 1) {
        const id = head.nextId + i;
        const stamp = new Date(Math.round(end - span + i * step)).toISOString();
        const ts = laterIso(stamp, lastTs);
        lastTs = ts;
        const op = OPS[pick(OPS.length)]!;
        const outcome = AUDIT_OUTCOMES[pick(AUDIT_OUTCOMES.length)]!;
        const tuple: ChainedTuple = [
          id,
          ts,
          `U0SEED${String(pick(actors)).padStart(4, '0')}`,
          'T0SEED',
          `C0SEED${String(pick(channels)).padStart(3, '0')}`,
          op,
          op === 'audit' || op === 'command' ? null : `card-${String(pick(cards)).padStart(6, '0')}`,
          outcome,
          pick(4) === 0 ? `seeded reason ${i}` : null,
          op === 'cancel' ? `CR-SEED${String(pick(1000)).padStart(4, '0')}` : null,
          outcome === 'ok' || outcome === 'failed' ? `trace-${i}` : null,
          outcome === 'failed' ? 'issuer answered 500' : null,
        ];
        const hash = chainHash(prevHash, tuple);
        insert.run(...tuple, prevHash, hash);
        prevHash = hash;
      }
      return { firstId: head.nextId, lastId: head.nextId + n - 1 };
    })
    .immediate();
}

/** A small seeded PRNG: the same seed gives the same rows. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
