import {
  judgeClaim,
  type RevealOffer,
  type RevealOffersStore,
  type RevealOp,
} from '../../domain/cards/reveal-offers.js';
import type { Database } from './database.js';

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
    expiresAt: record.expires_at,
  };
}

/**
 * Reveal offers in the SQLite file, so that every connection to it (and a restart within an
 * offer's five minutes) finds them. The owner's claim is one DELETE … RETURNING: whichever click
 * deletes the row shows the value, any other finds nothing.
 */
export function createRevealOffersStore(db: Database): RevealOffersStore {
  const sweep = db.prepare<[number]>('DELETE FROM reveal_offers WHERE expires_at <= ?');
  const insert = db.prepare(
    `INSERT INTO reveal_offers (id, user_id, op, card_id, channel_id, team_id, expires_at)
     VALUES (@id, @userId, @op, @cardId, @channelId, @teamId, @expiresAt)`,
  );
  const take = db.prepare<[string, string], OfferRecord>(
    'DELETE FROM reveal_offers WHERE id = ? AND user_id = ? RETURNING *',
  );
  const peek = db.prepare<[string], OfferRecord>('SELECT * FROM reveal_offers WHERE id = ?');

  return {
    async save(id, offer, { nowMs, keepMs }) {
      sweep.run(nowMs - keepMs);
      insert.run({ id, ...offer });
    },
    async claim(id, userId, nowMs) {
      const taken = take.get(id, userId);
      if (taken) return judgeClaim(toOffer(taken), userId, nowMs);
      const other = peek.get(id);
      return judgeClaim(other ? toOffer(other) : undefined, userId, nowMs);
    },
  };
}
