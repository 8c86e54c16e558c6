import type { ReplicaRegistry } from '../../domain/replicas/replica-registry.js';

/**
 * The registry of one process alone on its database (SQLite): no siblings and no heartbeat to
 * keep, so everything unfinished found at start-up is its own earlier run's.
 */
export function createLoneReplica(id = 'local'): ReplicaRegistry {
  return {
    id,
    async beat() {},
    async liveSiblings() {
      return [];
    },
    async forgetStale() {
      return [];
    },
    async leave() {},
  };
}
