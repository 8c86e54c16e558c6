import type { Logger } from '../../logger.js';

export interface UserGroupResolverOptions {
  /** The members of one user group; wired to `usergroups.users.list({ usergroup })`. May throw. */
  listUsers: (groupId: string) => Promise<string[]>;
  /** How long a membership is fresh; after that it is still served while a refresh runs. */
  ttlMs?: number;
  /**
   * How long a lookup waits for a group's first load before answering without it (the load goes
   * on): slash-command middleware runs before the 3-second ack. Default 2000 ms.
   */
  firstLoadWaitMs?: number;
  /**
   * How long the last-known members are trusted while reads keep failing (USERGROUP_MAX_STALE,
   * default 15 min); after that the group counts as empty until Slack answers again (fail closed).
   */
  maxStaleMs?: number;
  logger: Pick<Logger, 'warn' | 'info' | 'error'>;
  now?: () => number;
}

export interface UserGroupResolver {
  /** The groups among `groupIds` that `userId` belongs to, as far as is known. Never throws. */
  groupsOf(userId: string, groupIds: readonly string[]): Promise<Set<string>>;
  /** Re-reads the given groups (default: every group asked about so far) and waits. Never throws. */
  refresh(groupIds?: readonly string[]): Promise<void>;
  /** Groups counted as empty now because their last good read is older than the stale limit. */
  staleGroups(): string[];
}

interface GroupEntry {
  /** The last membership Slack gave; empty until a load succeeds. */
  members: ReadonlySet<string>;
  /** Whether any attempt has finished: until then, callers wait for the first load. */
  attempted: boolean;
  /** The first load outlasted `firstLoadWaitMs`: later callers stop waiting for it. */
  waitedOut: boolean;
  /** When the last attempt, good or bad, finished: a failing group is not retried on every request. */
  checkedAt: number;
  /** False after a failed attempt: retried sooner than the TTL. */
  healthy: boolean;
  inFlight: Promise<void> | undefined;
  /** The Slack error code already logged for this group since its last success. */
  loggedError: string | undefined;
  /** When Slack last gave the members; undefined until then. */
  loadedAt: number | undefined;
  /** The stale limit passed and was logged: members count as none until the next success. */
  expired: boolean;
}

/** A failing group is retried after this long at most (or the TTL, if shorter). */
const FAILURE_RETRY_MS = 30_000;

/** True if the promise settles within `ms`; the timer never holds the process open. */
async function withinTime(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What Slack said: `error.data.error` for a Web API error, else a Node or client error code. */
export function slackErrorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const data = (error as { data?: unknown }).data;
    if (data && typeof data === 'object') {
      const code = (data as { error?: unknown }).error;
      if (typeof code === 'string' && code !== '') return code;
    }
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return 'unknown_error';
}

const HINTS: Record<string, string> = {
  plan_upgrade_required: 'user groups need a paid Slack plan; list these people under the role’s users instead',
  missing_scope: 'add the usergroups:read bot scope and reinstall the app',
  no_such_subteam: 'no such user group in this workspace; check the id in the policy',
  ratelimited: 'Slack rate limit reached; retrying later',
};

/**
 * Resolves Slack user-group membership for role checks, fast enough for middleware that runs
 * before the 3-second ack: memberships are cached per group, a stale one is served at once and
 * refreshed in the background, and when Slack fails the last good membership is used.
 */
export function createUserGroupResolver(options: UserGroupResolverOptions): UserGroupResolver {
  const { listUsers, logger } = options;
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const firstLoadWaitMs = options.firstLoadWaitMs ?? 2_000;
  const retryMs = Math.min(ttlMs, FAILURE_RETRY_MS);
  const maxStaleMs = options.maxStaleMs ?? 15 * 60_000;
  const none: ReadonlySet<string> = new Set();
  const groups = new Map<string, GroupEntry>();

  function load(groupId: string, entry: GroupEntry): Promise<void> {
    if (entry.inFlight) return entry.inFlight;
    const run = async () => {
      try {
        const users = await listUsers(groupId);
        entry.members = new Set(Array.isArray(users) ? users.filter((u) => typeof u === 'string') : []);
        entry.healthy = true;
        entry.loadedAt = now();
        entry.expired = false;
        if (entry.loggedError !== undefined) {
          logger.info(
            { usergroup: groupId, members: entry.members.size },
            'Slack user group %s readable again',
            groupId,
          );
          entry.loggedError = undefined;
        }
      } catch (error) {
        const code = slackErrorCode(error);
        entry.healthy = false;
        if (entry.loggedError !== code) {
          entry.loggedError = code;
          const hint = HINTS[code];
          logger.warn(
            { usergroup: groupId, slackError: code, keptMembers: entry.members.size },
            'Slack user group %s could not be read (%s)%s; using its last known members (%d)',
            groupId,
            code,
            hint ? `: ${hint}` : '',
            entry.members.size,
          );
        }
      } finally {
        entry.attempted = true;
        entry.checkedAt = now();
        entry.inFlight = undefined;
      }
    };
    entry.inFlight = run();
    return entry.inFlight;
  }

  function entryFor(groupId: string): GroupEntry {
    const existing = groups.get(groupId);
    if (existing) return existing;
    const entry: GroupEntry = {
      members: new Set(),
      attempted: false,
      waitedOut: false,
      checkedAt: 0,
      healthy: false,
      inFlight: undefined,
      loggedError: undefined,
      loadedAt: undefined,
      expired: false,
    };
    groups.set(groupId, entry);
    return entry;
  }

  /**
   * The membership to answer with: waits only for a group never loaded; a known one is answered
   * from the cache as it is now, and refreshed behind when stale.
   */
  async function membersOf(groupId: string): Promise<ReadonlySet<string>> {
    const entry = entryFor(groupId);
    if (!entry.attempted) {
      if (entry.waitedOut) return entry.members;
      // Concurrent first callers share the one in-flight load.
      const loaded = await withinTime(load(groupId, entry), firstLoadWaitMs);
      if (!loaded && !entry.waitedOut) {
        entry.waitedOut = true;
        entry.loggedError = 'timeout';
        logger.warn(
          { usergroup: groupId, slackError: 'timeout' },
          'Slack user group %s did not answer within %d ms; answering without it while it loads',
          groupId,
          firstLoadWaitMs,
        );
      }
      return entry.members;
    }
    const members = entry.members;
    const age = now() - entry.checkedAt;
    if (!entry.inFlight && age >= (entry.healthy ? ttlMs : retryMs)) {
      load(groupId, entry).catch(() => {});
    }
    return isExpired(groupId, entry) ? none : members;
  }

  /** Fail closed: members last read longer ago than the limit, with reads failing since, are no one. */
  function isExpired(groupId: string, entry: GroupEntry): boolean {
    if (entry.healthy || entry.loadedAt === undefined || now() - entry.loadedAt <= maxStaleMs) return false;
    if (!entry.expired) {
      entry.expired = true;
      logger.error(
        {
          usergroup: groupId,
          slackError: entry.loggedError,
          lastReadMinutesAgo: Math.round((now() - entry.loadedAt) / 60_000),
        },
        'Slack user group %s has not been readable for longer than USERGROUP_MAX_STALE; it counts as empty until Slack answers again',
        groupId,
      );
    }
    return true;
  }

  return {
    async groupsOf(userId, groupIds) {
      const unique = [...new Set(groupIds)];
      const memberships = await Promise.all(unique.map(membersOf));
      return new Set(unique.filter((_, i) => memberships[i]?.has(userId)));
    },
    staleGroups() {
      return [...groups].filter(([id, entry]) => isExpired(id, entry)).map(([id]) => id);
    },
    async refresh(groupIds) {
      const ids = groupIds ?? [...groups.keys()];
      await Promise.all([...new Set(ids)].map((groupId) => load(groupId, entryFor(groupId))));
    },
  };
}
