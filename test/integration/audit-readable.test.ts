import { afterEach, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { startFakeIssuer } from '../helpers/fake-issuer.js';
import { fileCancel } from './approvals-support.js';
import {
  ALICE,
  allRows,
  CAROL,
  DAVE,
  eventIdsOf,
  MANAGER,
  STRANGER,
  testClock,
  textOf,
} from './audit-command-support.js';

let bot: OfflineBot;
afterEach(async () => bot?.close());

describe('the audit says what happened, readably', () => {
  it('when a limit is set, then the started row records the requested limit and the ok row the previous one and the value the issuer confirmed', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    await bot.driver.command(CAROL, 'C0SECURE', '/card', 'set-limit card-active-1 750');
    await bot.driver.command(CAROL, 'C0SECURE', '/card', 'set-limit card-active-1 900');
    const rows = allRows(bot).filter((r) => r.op === 'set-limit' || r.op === 'limit');
    const read = 'read before set-limit, to record the limit it replaces';
    expect(rows.map((r) => [r.op, r.outcome, r.reason])).toEqual([
      ['set-limit', 'ok', 'limit requested: 900; previous: 750; issuer confirmed: 900'],
      ['set-limit', 'started', 'limit requested: 900; previous: 750'],
      ['limit', 'ok', read],
      ['limit', 'started', read],
      ['set-limit', 'ok', 'limit requested: 750; previous: no limit; issuer confirmed: 750'],
      ['set-limit', 'started', 'limit requested: 750; previous: no limit'],
      ['limit', 'ok', read],
      ['limit', 'started', read],
    ]);
    // The previous limit is read with the dialect's limit read, an audited call of its own, before the set.
    expect(bot.sandbox?.calls.map((c) => c.op)).toEqual(['limit', 'set-limit', 'limit', 'set-limit']);
  });

  it('when the previous limit cannot be read, then the set still goes ahead and the row says it was not readable', async () => {
    const issuer = await startFakeIssuer({
      'GET /v1/ChangeLimitIWL/card-x1': { status: 503, raw: '', contentType: 'text/plain' },
      'POST /v1/ChangeLimitIWL': { status: 200, body: { cardId: 'card-x1', limit: 300 } },
    });
    try {
      bot = await startOfflineBot({ provider: 'paycaddy', issuerBaseUrl: issuer.url });
      const answer = await bot.driver.command(CAROL, 'C0SECURE', '/card', 'set-limit card-x1 300');
      expect(answer.messages[0]?.text).toContain('set to *300*');
      const rows = allRows(bot);
      expect(rows.map((r) => [r.op, r.outcome, r.reason])).toEqual([
        ['set-limit', 'ok', 'limit requested: 300; previous: not readable (ISSUER_FAILURE); issuer confirmed: 300'],
        ['set-limit', 'started', 'limit requested: 300; previous: not readable (ISSUER_FAILURE)'],
        ['limit', 'failed', 'read before set-limit, to record the limit it replaces'],
        ['limit', 'started', 'read before set-limit, to record the limit it replaces'],
      ]);
      expect(issuer.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    } finally {
      await bot?.close();
      await issuer.close();
    }
  });

  it('when the set itself fails, then its row still records the previous limit beside the error', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    await bot.driver.command(CAROL, 'C0SECURE', '/card', 'set-limit card-fault-500 750');
    const failed = allRows(bot).find((r) => r.op === 'set-limit' && r.outcome === 'failed');
    expect(failed?.reason).toBe('limit requested: 750; previous: not readable (ISSUER_FAILURE)');
    expect(failed?.error).toMatch(/^ISSUER_FAILURE: /);
  });

  it('when an op the issuer does not offer is asked for, then one invalid row is written and no started row', async () => {
    bot = await startOfflineBot({ provider: 'sovera' });
    const answer = await bot.driver.command(CAROL, 'C0SECURE', '/card', 'limit card-active-1');
    expect(answer.messages[0]?.text).toContain('`limit` is not offered by Sovera');
    const rows = allRows(bot);
    expect(rows.map((r) => [r.op, r.outcome])).toEqual([['limit', 'invalid']]);
    expect(rows[0]?.error).toBe('NOT_OFFERED: issuer sovera (limit): not offered');
    expect(bot.sandbox?.calls).toHaveLength(0);
  });

  it('when requests are refused before the issuer (policy, bad input), then each has its one row and none a started row', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    await bot.driver.command(STRANGER, 'C0SUPPORT', '/card', 'block card-active-1');
    await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card;DROP');
    await bot.driver.command(CAROL, 'C0SECURE', '/card', 'set-limit card-active-1 -5');
    expect(allRows(bot).map((r) => r.outcome)).toEqual(['invalid', 'invalid', 'denied']);
    expect(bot.sandbox?.calls).toHaveLength(0);
  });

  it('when a manager filters op:approval, then every approval event of cancel requests is found, and the usage says what it finds', async () => {
    const clock = testClock('2026-12-04T09:00:00.000Z');
    bot = await startOfflineBot({ now: clock.now });
    // Requested then approved; requested then rejected; requested then withdrawn; requested, reminded, expired.
    const approved = await fileCancel(bot, ALICE, 'card-active-1');
    await bot.driver.click(DAVE, approved.message as SlackMessage, 'approval_approve');
    const rejected = await fileCancel(bot, ALICE, 'card-active-2');
    await bot.driver.click(DAVE, rejected.message as SlackMessage, 'approval_reject');
    const form = bot.driver.openViewOf(DAVE);
    if (!form) throw new Error('no reject form');
    await bot.driver.submitView(DAVE, form, { reason: 'customer found it' });
    const withdrawn = await fileCancel(bot, ALICE, 'card-active-4');
    const confirmation = withdrawn.result.messages.find((m) => m.to === ALICE);
    await bot.driver.click(ALICE, confirmation as SlackMessage, 'approval_withdraw');
    await fileCancel(bot, ALICE, 'card-active-5');
    clock.advance(23 * 60_000);
    await bot.bot.sweepApprovalsNow();
    clock.advance(8 * 60_000);
    await bot.bot.sweepApprovalsNow();

    const approvalRows = allRows(bot).filter(
      (r) => r.op === 'cancel' && r.approvalId && !['started', 'ok'].includes(r.outcome),
    );
    expect(new Set(approvalRows.map((r) => r.outcome))).toEqual(
      new Set(['requested', 'approved', 'rejected', 'withdrawn', 'reminded', 'expired']),
    );
    const answer = await bot.driver.command(MANAGER, 'C0SECURE', '/card-audit', 'op:approval');
    expect(eventIdsOf(answer.messages.at(-1))).toEqual(approvalRows.map((r) => r.id));

    const usage = await bot.driver.command(MANAGER, 'C0SECURE', '/card-audit', 'op:nonsense');
    expect(textOf(usage.messages.at(-1))).toMatch(/op:approval finds cancel requests and what became of them/);
  });

  it('when a request is denied for its channel, then the stored reason is plain text, without Slack markup', async () => {
    bot = await startOfflineBot();
    const answer = await bot.driver.command(CAROL, 'C0SUPPORT', '/card', 'pan card-active-1');
    expect(answer.messages.at(-1)?.text).toContain('<#C0SECURE>');
    const denied = allRows(bot).find((r) => r.outcome === 'denied');
    expect(denied?.reason).toContain('#C0SECURE');
    expect(denied?.reason).not.toContain('<#');
  });

  it('when the issuer refuses, then its refusal text is kept in the error', async () => {
    bot = await startOfflineBot();
    await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'unblock card-active-1');
    const failed = allRows(bot).find((r) => r.op === 'unblock' && r.outcome === 'failed');
    expect(failed?.error).toBe('STATE_CONFLICT: issuer sovera (unblock): HTTP 400 (issuer: Card is already unblocked)');
  });
});
