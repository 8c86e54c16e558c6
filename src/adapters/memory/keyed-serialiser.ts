import type { KeyedLocks } from '../../domain/cards/keyed-locks.js';

/**
 * Runs tasks one at a time per key, in this process: the KeyedLocks of one process alone on its
 * database (SQLite). Replicas sharing PostgreSQL use its advisory locks instead.
 */
export function createKeyedSerialiser(): KeyedLocks {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(task, task);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      // Forget the key once nothing waits on it, so the map does not grow with every card.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}
