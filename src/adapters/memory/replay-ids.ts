import type { ReplayIds } from '../../domain/deliveries/replay-ids.js';

/**
 * Delivery ids remembered in this process: the ReplayIds of one process alone on its database
 * (SQLite). At most `maxIds` are kept; when full, the oldest go first.
 */
export function createMemoryReplayIds(options: { maxIds?: number; now?: () => number } = {}): ReplayIds {
  const maxIds = options.maxIds ?? 50_000;
  const now = options.now ?? Date.now;
  // Insertion order is expiry order when every id has the same ttl: the oldest entries are first.
  const seen = new Map<string, number>();

  const forgetOld = (at: number) => {
    for (const [key, expires] of seen) {
      if (expires > at && seen.size < maxIds) break;
      seen.delete(key);
    }
  };

  return {
    async firstSeen(key, ttlMs) {
      const at = now();
      forgetOld(at);
      const expires = seen.get(key);
      if (expires !== undefined && expires > at) return false;
      seen.set(key, at + ttlMs);
      return true;
    },
  };
}
