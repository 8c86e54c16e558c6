import { createHash } from 'node:crypto';
import type { ReplayIds } from '../../domain/deliveries/replay-ids.js';

/** 48 bits of the key's SHA-1, plus one so that 0 can mark an empty slot: exact in a double. */
function compactKey(key: string): number {
  return createHash('sha1').update(key).digest().readUIntBE(0, 6) + 1;
}

/**
 * Delivery ids remembered in this process: the ReplayIds of one process alone on its database
 * (SQLite). At most `maxIds` are kept; when full, the oldest go first.
 *
 * Everything is allocated once, at start, in typed arrays (about 3 MB for 50,000 ids): a
 * linear-probing hash table of compact keys (48 bits of SHA-1) with their expiries, and a ring of
 * the keys in the order they came. The heap therefore does not grow as ids arrive, however long
 * the process runs (a Map grew by about 3 MB while filling, in steps as it doubled). A false
 * "seen before" needs two of the ≤ 50,000 ids to share 48 bits: about 1 in 10⁵ over a full table.
 * Expiries are tenths of a second since the store was made: an id with a 100 ms ttl is kept at
 * most 100 ms too long.
 */
export function createMemoryReplayIds(options: { maxIds?: number; now?: () => number } = {}): ReplayIds {
  const maxIds = Math.max(1, Math.floor(options.maxIds ?? 50_000));
  const now = options.now ?? Date.now;
  const origin = now();
  const tenths = () => (now() - origin) / 100;

  // The table has at least twice as many slots as ids, a power of two: probes stay short.
  let size = 2;
  while (size < maxIds * 2) size *= 2;
  const mask = size - 1;
  const keys = new Float64Array(size); // 0 = empty
  const expiries = new Float64Array(size);
  const places = new Int32Array(size); // where in the ring the entry was last put
  const ring = new Float64Array(maxIds);
  let next = 0; // the ring slot to write next (holds the oldest entry once the ring is full)
  let filled = 0;

  const home = (key: number) => key % size;
  const find = (key: number): number => {
    for (let i = home(key); ; i = (i + 1) & mask) {
      if (keys[i] === key || keys[i] === 0) return i;
    }
  };
  /** Empties slot `i`, moving later entries of the same probe run back (no tombstones). */
  const remove = (start: number) => {
    let i = start;
    keys[i] = 0;
    for (let j = (i + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const k = home(keys[j] as number);
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (stays) continue;
      keys[i] = keys[j] as number;
      expiries[i] = expiries[j] as number;
      places[i] = places[j] as number;
      keys[j] = 0;
      i = j;
    }
  };

  return {
    async firstSeen(id, ttlMs) {
      const at = tenths();
      const key = compactKey(id);
      const slot = find(key);
      if (keys[slot] === key && (expiries[slot] as number) > at) return false;
      // New, or seen so long ago that it counts again: it goes to the ring's end.
      if (filled === maxIds) {
        // The oldest ring entry leaves, unless its key came again later (then a newer place holds it).
        const oldest = ring[next] as number;
        const its = find(oldest);
        if (keys[its] === oldest && places[its] === next) remove(its);
      } else filled += 1;
      const target = keys[slot] === key ? slot : find(key);
      keys[target] = key;
      expiries[target] = Math.ceil(at + ttlMs / 100);
      places[target] = next;
      ring[next] = key;
      next = (next + 1) % maxIds;
      return true;
    },
  };
}
