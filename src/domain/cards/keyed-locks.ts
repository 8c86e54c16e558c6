/**
 * Mutual exclusion by key, where a check and the write that records its result must not
 * interleave: the per-card activation check (SPEC §5: three failed checks lock the card). In one
 * process an in-memory queue per key is enough; replicas sharing a database hold a lock in it.
 */
export interface KeyedLocks {
  /**
   * Runs `task` while holding the lock on `key`: no other task with the same key, in this process
   * or in another replica on the same database, runs meanwhile. Tasks of one key run in turn.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}
