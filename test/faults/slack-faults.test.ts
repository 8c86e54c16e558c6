import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../src/shell/fake-slack.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { type CapturedLog, captureLog } from '../helpers/capture-log.js';
import { freePort } from '../helpers/child-bot.js';

/**
 * Slack faults through the real App (SLACK-NOTES): rate limits with Retry-After, the bot not in
 * the channel, a channel gone, a revoked token, a dead response_url, the Web API unreachable.
 * Each time: nothing is lost from the audit, the asker is told whatever can still reach them,
 * and the bot keeps serving others (answers to others travel by response_url, not the Web API).
 */

const ALICE = 'U0AGENT01';
const BOB = 'U0AGENT02';
const CAROL = 'U0SENIOR1';
const SUPPORT = 'C0SUPPORT';
const APPROVALS = 'C0APPROVE';

/** Records when each Web API call reached the fake, to check a retry waited for Retry-After. */
function timeCalls(bot: OfflineBot): Map<RecordedCall, number> {
  const times = new Map<RecordedCall, number>();
  const calls = bot.slack.calls;
  const push = calls.push.bind(calls);
  calls.push = (...items: RecordedCall[]) => {
    for (const item of items) times.set(item, Date.now());
    return push(...items);
  };
  return times;
}

/** A slash command whose response_url answers `status`, delivered as the driver would; waits until the app is idle. */
async function commandWithDeadResponseUrl(
  bot: OfflineBot,
  user: string,
  channel: string,
  text: string,
  status: number,
) {
  const responseUrl = bot.slack.newResponseUrl(user, channel);
  bot.slack.breakResponseUrl(responseUrl, status);
  const result = await bot.driver.deliverRaw({
    kind: 'command',
    body: {
      token: 'legacy-verification-token',
      team_id: bot.slack.teamId,
      team_domain: 'cardops-test',
      channel_id: channel,
      channel_name: 'support',
      user_id: user,
      user_name: user,
      command: '/card',
      text,
      api_app_id: 'A0CARDOPS',
      response_url: responseUrl,
      trigger_id: bot.slack.newTriggerId(user, channel),
    },
  });
  await bot.bot.idle();
  return { result, responseUrl };
}

const auditOf = async (bot: OfflineBot, cardId: string) =>
  (await bot.audit.query({ cardId }, { limit: 20 })).rows.reverse().map((r) => [r.actor, r.op, r.outcome]);

async function expectServesOthers(bot: OfflineBot, cardId: string) {
  const other = await bot.driver.command(BOB, SUPPORT, '/card', `block ${cardId} while Slack misbehaves`);
  expect(other.messages.find((m) => m.to === BOB)?.text).toContain('is now *blocked*');
  expect(await auditOf(bot, cardId)).toEqual([
    [BOB, 'block', 'started'],
    [BOB, 'block', 'ok'],
  ]);
}

describe('Slack faults', () => {
  let bot: OfflineBot | undefined;
  let log: CapturedLog;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('when chat.postMessage is rate limited with Retry-After, then the retry waits that long, the request is posted, and others are served meanwhile', async () => {
    bot = await startOfflineBot({ webApiRetries: 2 });
    const times = timeCalls(bot);
    bot.slack.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfter: 1 });

    const pending = bot.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-4 card reported stolen');
    // While the client waits out the rate limit, another agent is answered (response_url, not the Web API).
    const deadline = Date.now() + 5_000;
    while (!bot.slack.calls.some((c) => c.method === 'chat.postMessage') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const blockedMeanwhile = bot.driver.command(BOB, SUPPORT, '/card', 'block card-active-5 meanwhile');
    const bobAnswer = await Promise.race([
      (async () => {
        for (;;) {
          const found = bot?.slack.messages.find((m) => m.to === BOB);
          if (found) return found;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })(),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 4_000)),
    ]);
    expect(bobAnswer?.text).toContain('is now *blocked*');
    expect(bot.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);

    const [result] = await Promise.all([pending, blockedMeanwhile]);
    const posts = bot.slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(posts).toHaveLength(2);
    const waited = (times.get(posts[1]!) ?? 0) - (times.get(posts[0]!) ?? 0);
    expect(waited).toBeGreaterThanOrEqual(1_000);

    expect(result.messages.find((m) => m.to === ALICE)?.text).toMatch(
      /Cancel request `CR-\w+` for card `card-active-4` is waiting/,
    );
    expect(bot.slack.messages.filter((m) => m.channel === APPROVALS && m.visibility === 'public')).toHaveLength(1);
    expect((await bot.approvals.pendingForCard('card-active-4'))?.state).toBe('pending');
    expect(await auditOf(bot, 'card-active-4')).toEqual([[ALICE, 'cancel', 'requested']]);
    expect(await bot.audit.verify()).toMatchObject({ ok: true });
  });

  it.each([
    ['not_in_channel', /not a member of <#C0APPROVE>/],
    ['channel_not_found', /no longer exists/],
    ['invalid_auth', /Slack refused to post it to <#C0APPROVE> \(`invalid_auth`\)/],
  ] as const)(
    'when posting the approval request fails with %s, then the request is voided, the asker told why, and the audit keeps both rows',
    async (error, says) => {
      bot = await startOfflineBot();
      bot.slack.fail('chat.postMessage', { error });
      const result = await bot.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-4 card reported stolen');

      const told = result.messages.filter((m) => m.to === ALICE);
      expect(told).toHaveLength(1);
      expect(told[0]?.visibility).toBe('ephemeral');
      expect(told[0]?.text).toMatch(says);
      expect(told[0]?.text).toContain('No request is pending');
      expect(await bot.approvals.pendingForCard('card-active-4')).toBeUndefined();
      expect(bot.slack.messages.filter((m) => m.visibility === 'public')).toEqual([]);
      expect(await auditOf(bot, 'card-active-4')).toEqual([
        [ALICE, 'cancel', 'requested'],
        [ALICE, 'cancel', 'failed'],
      ]);
      expect(bot.sandbox?.calls).toEqual([]);
      await expectServesOthers(bot, 'card-active-5');
      // With the channel back, the same card can be requested again: the voided request blocks nothing.
      const again = await bot.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-4 card reported stolen');
      expect(again.messages.find((m) => m.to === ALICE)?.text).toMatch(/is waiting for an approver/);
      expect(await bot.audit.verify()).toMatchObject({ ok: true });
    },
  );

  it('when the token is revoked (invalid_auth on views.open), then the asker is told the form could not open, and typed commands still work', async () => {
    bot = await startOfflineBot();
    bot.slack.fail('views.open', { error: 'invalid_auth' });
    const result = await bot.driver.command(ALICE, SUPPORT, '/card', '');
    expect(result.messages.find((m) => m.to === ALICE)?.text).toMatch(/form could not be opened/);
    expect(bot.slack.views).toEqual([]);
    await expectServesOthers(bot, 'card-active-5');
  });

  it('when the response_url answers 404, then the operation is still done once and fully audited, and the bot serves the next person', async () => {
    log = captureLog();
    bot = await startOfflineBot({ logLevel: 'warn', logDestination: log.stream });
    const { result, responseUrl } = await commandWithDeadResponseUrl(
      bot,
      ALICE,
      SUPPORT,
      'block card-active-1 lost wallet',
      404,
    );
    expect(result.status).toBe(200);
    expect(await auditOf(bot, 'card-active-1')).toEqual([
      [ALICE, 'block', 'started'],
      [ALICE, 'block', 'ok'],
    ]);
    expect(bot.sandbox?.calls.filter((c) => c.cardId === 'card-active-1').map((c) => c.op)).toEqual(['block']);
    expect(bot.sandbox?.card('card-active-1')?.status).toBe('blocked');
    // The answer still reaches the asker, ephemerally, and is never posted publicly instead.
    expect(bot.slack.messages.filter((m) => m.visibility === 'public')).toEqual([]);
    const fallback = bot.slack.messages.filter((m) => m.via === 'chat.postEphemeral');
    expect(fallback.map((m) => [m.to, m.channel])).toEqual([[ALICE, SUPPORT]]);
    expect(fallback[0]?.text).toContain('blocked');
    // The failure is logged, without the response_url (a credential).
    expect(log.text()).toContain('response_url');
    expect(log.text()).not.toContain(responseUrl);
    await expectServesOthers(bot, 'card-active-5');
  });

  it('when the response_url of a secret reveal answers 404, then the secret goes nowhere else and the reveal stays audited', async () => {
    bot = await startOfflineBot();
    const offer = await bot.driver.command(CAROL, 'C0SECURE', '/card', 'cvv card-active-1');
    const offered = offer.messages.find((m) => m.to === CAROL);
    expect(offered).toBeDefined();
    // Every response_url Slack hands out from now on is dead, the click's included.
    const fresh = bot.slack.newResponseUrl.bind(bot.slack);
    bot.slack.newResponseUrl = (user, channel, source) => {
      const url = fresh(user, channel, source);
      bot?.slack.breakResponseUrl(url, 404);
      return url;
    };
    const before = bot.slack.messages.length;
    const click = await bot.driver.click(CAROL, offered!, 0);
    expect(click.status).toBe(200);
    // A secret has one road, the asker's response_url: no DM, no channel post, no other ephemeral.
    expect(bot.slack.messages.slice(before).filter((m) => m.text.includes('123'))).toEqual([]);
    expect(JSON.stringify(bot.slack.calls)).not.toContain('"123"');
    expect(bot.slack.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'conversations.open')).toEqual(
      [],
    );
    const rows = await auditOf(bot, 'card-active-1');
    // Audited before it is shown ("no row, no showing"): a reveal lost on the way still counts as one.
    expect(rows).toEqual([
      [CAROL, 'cvv', 'started'],
      [CAROL, 'cvv', 'ok'],
      [CAROL, 'cvv', 'revealed'],
    ]);
    expect(JSON.stringify((await bot.audit.query({}, { limit: 100 })).rows)).not.toMatch(/\b123\b/);
    bot.slack.newResponseUrl = fresh;
    await expectServesOthers(bot, 'card-active-5');
  });

  it('when the Web API is unreachable, then typed operations still work, the form and approvals say they could not reach Slack, and all is audited', async () => {
    const deadPort = await freePort();
    bot = await startOfflineBot({ slackApiUrl: `http://127.0.0.1:${deadPort}/api/` });

    const blocked = await bot.driver.command(ALICE, SUPPORT, '/card', 'block card-active-1 lost wallet');
    expect(blocked.messages.find((m) => m.to === ALICE)?.text).toContain('is now *blocked*');

    const form = await bot.driver.command(ALICE, SUPPORT, '/card', '');
    expect(form.messages.find((m) => m.to === ALICE)?.text).toMatch(/form could not be opened/);

    const cancel = await bot.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-4 card reported stolen');
    expect(cancel.messages.find((m) => m.to === ALICE)?.text).toMatch(/could not be posted for approval/);
    expect(await bot.approvals.pendingForCard('card-active-4')).toBeUndefined();

    expect(await auditOf(bot, 'card-active-1')).toEqual([
      [ALICE, 'block', 'started'],
      [ALICE, 'block', 'ok'],
    ]);
    expect(await auditOf(bot, 'card-active-4')).toEqual([
      [ALICE, 'cancel', 'requested'],
      [ALICE, 'cancel', 'failed'],
    ]);
    expect(await bot.audit.verify()).toMatchObject({ ok: true });
  });
});
