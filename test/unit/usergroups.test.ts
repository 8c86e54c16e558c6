import { describe, expect, it } from 'vitest';
import { createUserGroupResolver, slackErrorCode } from '../../src/adapters/slack/usergroups.js';
import { createLogger } from '../../src/logger.js';

const GROUP = 'S0SUPPORT';
const OTHER = 'S0OTHERS';
const BOB = 'U0AGENT02';
const TTL = 5 * 60_000;

interface LogLine {
  level: number;
  msg: string;
  usergroup?: string;
  slackError?: string;
}

/** A real pino logger writing into an array, to read back what operators would see. */
function memoryLogger() {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as LogLine) },
  });
  return { logger, lines, warnings: () => lines.filter((line) => line.level === 40) };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The shape of a @slack/web-api platform error. */
function slackError(code: string): Error {
  return Object.assign(new Error(`An API error occurred: ${code}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error: code },
  });
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup(listUsers: (groupId: string) => Promise<string[]>, firstLoadWaitMs?: number, maxStaleMs?: number) {
  let time = 1_000_000;
  const calls: string[] = [];
  const log = memoryLogger();
  const resolver = createUserGroupResolver({
    listUsers: (groupId) => {
      calls.push(groupId);
      return listUsers(groupId);
    },
    ttlMs: TTL,
    ...(firstLoadWaitMs === undefined ? {} : { firstLoadWaitMs }),
    ...(maxStaleMs === undefined ? {} : { maxStaleMs }),
    logger: log.logger,
    now: () => time,
  });
  return {
    resolver,
    calls,
    ...log,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('createUserGroupResolver', () => {
  it('when Slack keeps failing past USERGROUP_MAX_STALE, then the group counts as empty, one error line says so, and a success restores it', async () => {
    let fail: string | undefined;
    const t = setup(
      async () => {
        if (fail) throw slackError(fail);
        return [BOB];
      },
      undefined,
      15 * 60_000,
    );
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set([GROUP]));
    fail = 'ratelimited';
    t.advance(14 * 60_000);
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set([GROUP]));
    await flush();
    expect(t.resolver.staleGroups()).toEqual([]);

    t.advance(2 * 60_000);
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set());
    await flush();
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set());
    expect(t.resolver.staleGroups()).toEqual([GROUP]);
    const errors = t.lines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ usergroup: GROUP, slackError: 'ratelimited' });
    expect(errors[0]?.msg).toContain('USERGROUP_MAX_STALE');

    fail = undefined;
    t.advance(60_000);
    await t.resolver.refresh([GROUP]);
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set([GROUP]));
    expect(t.resolver.staleGroups()).toEqual([]);
  });

  it('when many lookups happen within the TTL, then Slack is asked once per group', async () => {
    const t = setup(async (groupId) => (groupId === GROUP ? [BOB] : []));
    for (let i = 0; i < 10; i++) {
      expect(await t.resolver.groupsOf(BOB, [GROUP, OTHER])).toEqual(new Set([GROUP]));
      expect(await t.resolver.groupsOf('U0AGENT01', [GROUP])).toEqual(new Set());
      t.advance(TTL / 20);
    }
    expect(t.calls.sort()).toEqual([OTHER, GROUP]);
  });

  it('when no group is asked about, then nothing is fetched', async () => {
    const t = setup(async () => [BOB]);
    expect(await t.resolver.groupsOf(BOB, [])).toEqual(new Set());
    expect(t.calls).toEqual([]);
  });

  it('when concurrent first lookups arrive, then they share one in-flight call and all wait for it', async () => {
    const slack = deferred<string[]>();
    const t = setup(() => slack.promise);
    const answers = Promise.all([1, 2, 3, 4, 5].map(() => t.resolver.groupsOf(BOB, [GROUP])));
    await flush();
    expect(t.calls).toEqual([GROUP]);
    slack.resolve([BOB]);
    expect(await answers).toEqual(Array.from({ length: 5 }, () => new Set([GROUP])));
    expect(t.calls).toEqual([GROUP]);
  });

  it('when a first read hangs, then lookups answer without the group after the wait bound, once', async () => {
    const slack = deferred<string[]>();
    const t = setup(() => slack.promise, 200);
    const started = Date.now();
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(t.warnings()).toEqual([expect.objectContaining({ usergroup: GROUP, slackError: 'timeout' })]);

    // Later callers do not wait again, nor start a second call, while the first is in flight.
    let settled = false;
    const again = t.resolver.groupsOf(BOB, [GROUP]).finally(() => {
      settled = true;
    });
    await flush();
    expect(settled).toBe(true);
    expect(await again).toEqual(new Set());
    expect(t.calls).toEqual([GROUP]);
    expect(t.warnings()).toHaveLength(1);

    slack.resolve([BOB]);
    await flush();
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set([GROUP]));
    expect(t.calls).toEqual([GROUP]);
  });

  it('when the membership is stale, then it is served at once and refreshed in the background', async () => {
    let members = [BOB];
    const t = setup(async () => members);
    await t.resolver.groupsOf(BOB, [GROUP]);

    // Bob leaves the group. The first lookup after the TTL still sees the cached membership...
    members = [];
    t.advance(TTL);
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set([GROUP]));
    expect(t.calls).toEqual([GROUP, GROUP]);

    // ...and once the background refresh lands, the next lookup sees the new one, with no further call.
    await flush();
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set());
    expect(t.calls).toEqual([GROUP, GROUP]);
  });

  it('when a refresh is slow, then lookups do not wait for it', async () => {
    const slow = deferred<string[]>();
    let answer: () => Promise<string[]> = async () => [BOB];
    const t = setup(() => answer());
    await t.resolver.groupsOf(BOB, [GROUP]);
    answer = () => slow.promise;
    t.advance(TTL + 1);
    let settled = false;
    const lookup = t.resolver.groupsOf(BOB, [GROUP]).then((groups) => {
      settled = true;
      return groups;
    });
    await flush();
    expect(settled).toBe(true);
    expect(await lookup).toEqual(new Set([GROUP]));
    slow.resolve([]);
    await flush();
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set());
    expect(t.calls).toEqual([GROUP, GROUP]);
  });

  it('when Slack fails after a good read, then the last good membership is used and the failure logged once', async () => {
    let fail: string | undefined;
    // Within the stale limit throughout (the next test is about passing it).
    const t = setup(
      async () => {
        if (fail) throw slackError(fail);
        return [BOB];
      },
      undefined,
      24 * 3_600_000,
    );
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set([GROUP]));

    fail = 'ratelimited';
    for (let i = 0; i < 5; i++) {
      t.advance(TTL);
      expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set([GROUP]));
      await flush();
    }
    expect(t.calls).toHaveLength(6);
    expect(t.warnings()).toHaveLength(1);
    expect(t.warnings()[0]).toMatchObject({ usergroup: GROUP, slackError: 'ratelimited' });
    expect(t.warnings()[0]?.msg).toContain(GROUP);
    expect(t.warnings()[0]?.msg).toContain('ratelimited');

    // A different error is news: logged once too.
    fail = 'missing_scope';
    t.advance(TTL);
    await t.resolver.groupsOf(BOB, [GROUP]);
    await flush();
    t.advance(TTL);
    await t.resolver.groupsOf(BOB, [GROUP]);
    await flush();
    expect(t.warnings().map((line) => line.slackError)).toEqual(['ratelimited', 'missing_scope']);
    expect(t.warnings()[1]?.msg).toContain('usergroups:read');

    // A success, then the same failure again: logged again, and the recovery is noted.
    fail = undefined;
    t.advance(TTL);
    await t.resolver.groupsOf(BOB, [GROUP]);
    await flush();
    expect(t.lines.filter((line) => line.level === 30 && line.usergroup === GROUP)).toHaveLength(1);
    fail = 'ratelimited';
    t.advance(TTL);
    await t.resolver.groupsOf(BOB, [GROUP]);
    await flush();
    expect(t.warnings().map((line) => line.slackError)).toEqual(['ratelimited', 'missing_scope', 'ratelimited']);
  });

  it('when Slack fails on the first read, then the group is empty, nothing throws, and retries are spaced', async () => {
    const t = setup(async () => {
      throw slackError('plan_upgrade_required');
    });
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set());
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set());
    expect(t.calls).toHaveLength(1);
    expect(t.warnings()).toHaveLength(1);
    expect(t.warnings()[0]).toMatchObject({ usergroup: GROUP, slackError: 'plan_upgrade_required' });
    expect(t.warnings()[0]?.msg).toContain('paid Slack plan');

    // A failing group is retried sooner than a healthy one is refreshed, but not on every request.
    t.advance(30_000);
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set());
    await flush();
    expect(t.calls).toHaveLength(2);
    expect(t.warnings()).toHaveLength(1);
  });

  it('when listUsers throws synchronously or with a non-Slack error, then the resolver still answers', async () => {
    const t = setup((groupId) => {
      if (groupId === GROUP) throw new TypeError('boom');
      return Promise.reject('not even an error');
    });
    await expect(t.resolver.groupsOf(BOB, [GROUP, OTHER])).resolves.toEqual(new Set());
    await expect(t.resolver.refresh()).resolves.toBeUndefined();
    expect(t.warnings().map((line) => line.slackError)).toEqual(['unknown_error', 'unknown_error']);
  });

  it('when refresh is called, then the given or known groups are re-read and waited for', async () => {
    let members = [BOB];
    const t = setup(async () => members);
    await t.resolver.refresh([GROUP]);
    expect(t.calls).toEqual([GROUP]);
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set([GROUP]));
    expect(t.calls).toEqual([GROUP]);

    members = [];
    await t.resolver.refresh();
    expect(t.calls).toEqual([GROUP, GROUP]);
    expect(await t.resolver.groupsOf(BOB, [GROUP])).toEqual(new Set());
  });
});

describe('slackErrorCode', () => {
  it('when given a Web API error, a Node error or anything else, then it picks the most specific code', () => {
    expect(slackErrorCode(slackError('ratelimited'))).toBe('ratelimited');
    expect(slackErrorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(slackErrorCode(undefined)).toBe('unknown_error');
  });
});
