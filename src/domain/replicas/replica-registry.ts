/**
 * The processes serving one Slack app over one database (SPEC §9). Each has an id, recorded with
 * every approval it claims and every issuer call it starts, and a heartbeat it renews every few
 * seconds. Unfinished work (an approval left `executing`, a `started` call with no outcome) is
 * closed as `unknown` only when its owner can no longer finish it: the owner is not a sibling
 * whose heartbeat is fresher than an issuer call can last.
 */
export interface ReplicaRegistry {
  /** This process's replica id. */
  readonly id: string;
  /** Records this replica as alive now, by the database's clock (at start, then periodically). */
  beat(): Promise<void>;
  /**
   * The other replicas whose last heartbeat is younger than `staleMs`: their unfinished work must
   * be left alone. Empty for a process alone on its database (SQLite).
   */
  liveSiblings(staleMs: number): Promise<string[]>;
  /**
   * Removes the heartbeats older than `staleMs` (replicas that stopped without leaving) and
   * returns their ids, each to exactly one caller: that caller closes their unfinished work.
   * Empty for a process alone on its database.
   */
  forgetStale(staleMs: number): Promise<string[]>;
  /** Removes this replica's heartbeat on a clean stop. */
  leave(): Promise<void>;
}
