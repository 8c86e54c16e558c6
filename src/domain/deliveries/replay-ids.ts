/**
 * The delivery ids seen lately, shared by every process that serves the Slack app: a delivery
 * replayed to any replica is caught (SPEC §9). One process on SQLite keeps them in memory; a
 * shared database keeps them as rows. Callers pass a digest of Slack's id, never the id itself:
 * a trigger_id is a secret and reaches no database row (see drop-replays.ts).
 */
export interface ReplayIds {
  /**
   * Records `key` for `ttlMs`. True for its first delivery, false when it was recorded before and
   * has not yet expired (a replay). Exactly one of several concurrent callers with one key gets true.
   */
  firstSeen(key: string, ttlMs: number): Promise<boolean>;
}
