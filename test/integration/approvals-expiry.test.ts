import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import {
  ALICE,
  approvalMessages,
  auditOf,
  buttons,
  cancelCalls,
  DAVE,
  ERIN,
  ephemeralTo,
  fileCancel,
  manualClock,
} from './approvals-support.js';

const TTL_MS = 30 * 60_000;

describe('expiry of cancel requests', () => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());

  it('when Approve is clicked after the ttl but before any sweep, then it is refused as expired and nothing reaches the issuer', async () => {
    const clock = manualClock();
    bot = await startOfflineBot({ now: clock.now });
    const { message, id } = await fileCancel(bot, ALICE, 'card-active-1');
    const stale = { ...message!, blocks: structuredClone(message!.blocks) };
    clock.advance(TTL_MS + 1);
    const click = await bot.driver.click(DAVE, stale, 'approval_approve');
    expect(click.messages.find((m) => m.to === DAVE)?.text).toMatch(/expired/);
    expect(cancelCalls(bot)).toHaveLength(0);
    // The click found it overdue, so it was expired at once: message updated, audited, requester told.
    expect((await bot.approvals.get(id))?.state).toBe('expired');
    expect(buttons(message)).toHaveLength(0);
    expect(message?.text).toMatch(/Expired/);
    expect((await auditOf(bot, id)).map((r) => r.outcome)).toEqual(['requested', 'expired']);
    expect(ephemeralTo(bot, ALICE).at(-1)?.text).toMatch(/expired/);
    // Reject after expiry: the same ephemeral answer, and no form.
    const reject = await bot.driver.click(ERIN, stale, 'approval_reject');
    expect(reject.messages.find((m) => m.to === ERIN)?.text).toMatch(/expired/);
    expect(bot.slack.views.filter((v) => v.user === ERIN)).toEqual([]);
    expect((await bot.approvals.get(id))?.state).toBe('expired');
  });

  it('when the ttl passes, then the sweep expires the request, updates its message, audits it and keeps the row', async () => {
    const clock = manualClock();
    bot = await startOfflineBot({ now: clock.now });
    const first = await fileCancel(bot, ALICE, 'card-active-1');
    clock.advance(10 * 60_000);
    const second = await fileCancel(bot, ALICE, 'card-active-2');
    clock.advance(TTL_MS - 10 * 60_000);
    await bot.bot.sweepApprovalsNow();
    await bot.bot.idle();
    expect((await bot.approvals.get(first.id))?.state).toBe('expired');
    expect((await bot.approvals.get(second.id))?.state).toBe('pending');
    expect(first.message?.text).toMatch(/Expired/);
    expect(buttons(first.message)).toHaveLength(0);
    expect(buttons(second.message)).toHaveLength(2);
    const expired = (await auditOf(bot, first.id)).at(-1);
    expect(expired?.outcome).toBe('expired');
    expect(expired?.actor).toBe('cardops');
    // A second sweep finds nothing more to do.
    await bot.bot.sweepApprovalsNow();
    expect((await auditOf(bot, first.id)).filter((r) => r.outcome === 'expired')).toHaveLength(1);
    // History is kept, and the card may be requested again.
    expect(bot.db.prepare('SELECT count(*) AS n FROM approvals').get()).toEqual({ n: 2 });
    const again = await fileCancel(bot, ALICE, 'card-active-1');
    expect(again.id).not.toBe(first.id);
    expect(approvalMessages(bot)).toHaveLength(3);
  });

  it('when a new request finds the card’s old request overdue but unswept, then the old one is expired and the new one filed', async () => {
    const clock = manualClock();
    bot = await startOfflineBot({ now: clock.now });
    const old = await fileCancel(bot, ALICE, 'card-active-3');
    clock.advance(TTL_MS + 1000);
    const fresh = await fileCancel(bot, ALICE, 'card-active-3', 'still lost');
    expect(fresh.id).not.toBe(old.id);
    expect((await bot.approvals.get(old.id))?.state).toBe('expired');
    expect(old.message?.text).toMatch(/Expired/);
    expect((await auditOf(bot, old.id)).map((r) => r.outcome)).toEqual(['requested', 'expired']);
  });
});
