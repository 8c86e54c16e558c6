/**
 * Runs tasks one at a time per key (in this process): used where a check and the write that
 * records its result must not interleave, such as the per-card activation lock.
 */
export interface KeyedSerialiser {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export function createKeyedSerialiser(): KeyedSerialiser {
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
