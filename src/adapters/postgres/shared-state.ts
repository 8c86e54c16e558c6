import type { KeyedLocks } from '../../domain/cards/keyed-locks.js';
import {
  judgeClaim,
  type RevealOffer,
  type RevealOffersStore,
  type RevealOp,
} from '../../domain/cards/reveal-offers.js';
import type { ReplayIds } from '../../domain/deliveries/replay-ids.js';
import type { ReplicaRegistry } from '../../domain/replicas/replica-registry.js';
import { createKeyedSerialiser } from '../memory/keyed-serialiser.js';
import type { Pool } from './pool.js';

/** How often expired replay ids are deleted (each replica; the deletes are idempotent). */
const PRUNE_EVERY_MS = 60_000;

/**
 * Replay ids as rows: the first INSERT of a key wins; a key whose row has expired is taken again.
 * Expired rows are pruned at most once a minute per replica.
 */
export function createPgReplayIds(pool: Pool, options: { now?: () => number } = {}): ReplayIds {
  const now = options.now ?? Date.now;
  let lastPrune = 0;
  return {
    async firstSeen(key, ttlMs) {
      const result = await pool.query(
        `INSERT INTO replay_ids (key, expires_at) VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
           WHERE replay_ids.expires_at <= clock_timestamp()`,
        [key, ttlMs],
      );
      const at = now();
      if (at - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = at;
        pool.query('DELETE FROM replay_ids WHERE expires_at < clock_timestamp()').catch(() => {
          // The next prune tries again; a stale row only delays nothing (it is expired).
        });
      }
      return result.rowCount === 1;
    },
  };
}

/**
 * Locks held across replicas: a session advisory lock (on a 64-bit hash of the key) on a
 * connection kept for the whole task. Tasks of one process queue per key first, so a busy card
 * holds one connection, not one per waiting submission. A connection lost mid-task releases the
 * lock in the database; the task itself is not interrupted.
 */
export function createPgKeyedLocks(pool: Pool): KeyedLocks {
  const local = createKeyedSerialiser();
  return {
    run(key, task) {
      return local.run(key, async () => {
        const client = await pool.connect();
        let broken: Error | undefined;
        try {
          await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
          try {
            return await task();
          } finally {
            await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch((error: Error) => {
              broken = error;
            });
          }
        } finally {
          // A connection that could not unlock is closed, which releases the lock.
          client.release(broken);
        }
      });
    },
  };
}

/** Heartbeats in the `replicas` table, by the database's clock. */
export function createPgReplicaRegistry(pool: Pool, id: string): ReplicaRegistry {
  return {
    id,
    async beat() {
      await pool.query(
        `INSERT INTO replicas (id, started_at, beat_at) VALUES ($1, clock_timestamp(), clock_timestamp())
         ON CONFLICT (id) DO UPDATE SET beat_at = clock_timestamp()`,
        [id],
      );
    },
    async liveSiblings(staleMs) {
      const result = await pool.query<{ id: string }>(
        `SELECT id FROM replicas WHERE id <> $1 AND beat_at > clock_timestamp() - $2 * interval '1 millisecond'
         ORDER BY id`,
        [id, staleMs],
      );
      return result.rows.map((row) => row.id);
    },
    async forgetStale(staleMs) {
      const result = await pool.query<{ id: string }>(
        `DELETE FROM replicas WHERE id <> $1 AND beat_at <= clock_timestamp() - $2 * interval '1 millisecond'
         RETURNING id`,
        [id, staleMs],
      );
      return result.rows.map((row) => row.id).sort();
    },
    async leave() {
      await pool.query('DELETE FROM replicas WHERE id = $1', [id]);
    },
  };
}

interface OfferRecord {
  user_id: string;
  op: RevealOp;
  card_id: string;
  channel_id: string;
  team_id: string | null;
  expires_at: number;
}

function toOffer(record: OfferRecord): RevealOffer {
  return {
    userId: record.user_id,
    op: record.op,
    cardId: record.card_id,
    channelId: record.channel_id,
    teamId: record.team_id,
    expiresAt: Number(record.expires_at),
  };
}

/** Reveal offers as rows shared by every replica; the owner's claim is one DELETE … RETURNING. */
export function createPgRevealOffers(pool: Pool): RevealOffersStore {
  return {
    async save(id, offer, { nowMs, keepMs }) {
      await pool.query('DELETE FROM reveal_offers WHERE expires_at <= $1', [nowMs - keepMs]);
      await pool.query(
        `INSERT INTO reveal_offers (id, user_id, op, card_id, channel_id, team_id, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, offer.userId, offer.op, offer.cardId, offer.channelId, offer.teamId, offer.expiresAt],
      );
    },
    async claim(id, userId, nowMs) {
      const taken = await pool.query<OfferRecord>(
        'DELETE FROM reveal_offers WHERE id = $1 AND user_id = $2 RETURNING *',
        [id, userId],
      );
      if (taken.rows[0]) return judgeClaim(toOffer(taken.rows[0]), userId, nowMs);
      const other = await pool.query<OfferRecord>('SELECT * FROM reveal_offers WHERE id = $1', [id]);
      return judgeClaim(other.rows[0] ? toOffer(other.rows[0]) : undefined, userId, nowMs);
    },
  };
}
