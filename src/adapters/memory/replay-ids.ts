import { createHash } from 'node:crypto';
import type { ReplayIds } from '../../domain/deliveries/replay-ids.js';

/**
 * 48 bits of the key's SHA-1 as a number, and the expiry in tenths of a second since this store
 * was made (a small integer for years, never a boxed number):
 * a remembered id then costs about 40 bytes of heap instead of about 150 for the key string, its
 * concatenation and a boxed expiry, so the full table (50,000 ids) stays under 3 MB. A false
 * "seen before" needs two of the ≤ 50,000 ids to share 48 bits: about 1 in 10⁵ over a full table.
 */
function compactKey(key: string): number {
  return createHash('sha1').update(key).digest().readUIntBE(0, 6);
}

/**
 * Delivery ids remembered in this process: the ReplayIds of one process alone on its database
 * (SQLite). At most `maxIds` are kept; when full, the oldest go first.
 */
export function createMemoryReplayIds(options: { maxIds?: number; now?: () => number } = {}): ReplayIds {
  const maxIds = options.maxIds ?? 50_000;
  const now = options.now ?? Date.now;
  // Insertion order is expiry order when every id has the same ttl: the oldest entries are first.
  // Key: compactKey(id); value: expiry in tenths of a second since `origin`, rounded up. Whole
  // seconds would keep a 100 ms id for up to a second: tenths keep it at most 100 ms too long.
  const seen = new Map<number, number>();
  const origin = now();
  const tenths = () => (now() - origin) / 100;

  const forgetOld = (at: number) => {
    for (const [key, expires] of seen) {
      if (expires > at && seen.size < maxIds) break;
      seen.delete(key);
    }
  };

  return {
    async firstSeen(key, ttlMs) {
      const at = tenths();
      forgetOld(at);
      const compact = compactKey(key);
      const expires = seen.get(compact);
      if (expires !== undefined && expires > at) return false;
      seen.delete(compact);
      seen.set(compact, Math.ceil(at + ttlMs / 100));
      return true;
    },
  };
}
