import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { buttonsOf } from '../../src/shell/slack-driver.js';
import { writeTestPolicy } from '../helpers/secrets-policy.js';
import { visibleText } from '../helpers/slack-text.js';
import {
  ALICE,
  APPROVALS,
  approvalMessages,
  auditOf,
  BOB,
  buttons,
  cancelCalls,
  DAVE,
  ephemeralTo,
  fileCancel,
  manualClock,
  SUPPORT,
} from './approvals-support.js';

const MIN = 60_000;

const homeOf = (bot: OfflineBot, user: string) => {
  const view = bot.slack.homeTabs.get(user);
  if (!view) throw new Error(`no Home tab published for ${user}`);
  return { id: `home-${user}`, view };
};
const fieldsText = (message: SlackMessage | undefined) => JSON.stringify(message?.blocks ?? []);

describe('withdrawing a cancel request', () => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());

  it('when the requester presses Withdraw in their confirmation, then the request closes, the channel message says so without buttons or expiry, it is audited, and a stale Approve does nothing', async () => {
    bot = await startOfflineBot();
    const { result, message, id } = await fileCancel(bot, ALICE, 'card-active-1');
    const confirmation = result.messages.find((m) => m.to === ALICE);
    expect(buttons(confirmation).map((b) => [b.actionId, b.value])).toEqual([['approval_withdraw', id]]);
    const stale = structuredClone(message) as SlackMessage;

    await bot.driver.click(ALICE, confirmation as SlackMessage, 'approval_withdraw');
    expect((await bot.approvals.get(id))?.state).toBe('withdrawn');
    expect(visibleText(confirmation)).toMatch(/You withdrew cancel request `CR-/);
    expect(buttons(confirmation)).toHaveLength(0);
    expect(message?.text).toMatch(/Withdrawn by <@U0AGENT01>/);
    expect(buttons(message)).toHaveLength(0);
    expect(fieldsText(message)).not.toContain('Expires');
    expect((await auditOf(bot, id)).map((r) => [r.actor, r.outcome])).toEqual([
      [ALICE, 'requested'],
      [ALICE, 'withdrawn'],
    ]);

    const late = await bot.driver.click(DAVE, stale, 'approval_approve');
    expect(late.messages.find((m) => m.to === DAVE)?.text).toMatch(
      /<@U0AGENT01> withdrew cancel request .*nothing to decide/,
    );
    expect(cancelCalls(bot)).toHaveLength(0);
    expect((await bot.approvals.get(id))?.state).toBe('withdrawn');
    // The card is free for a new request.
    expect((await fileCancel(bot, BOB, 'card-active-1')).request?.state).toBe('pending');
  });

  it('when the requester withdraws from their Home tab, then the tab says so and the channel message is updated; someone else pressing it is refused and audited', async () => {
    bot = await startOfflineBot();
    const { message, id } = await fileCancel(bot, ALICE, 'card-active-2');
    await bot.driver.openHome(ALICE);
    const tab = homeOf(bot, ALICE);
    expect(buttonsOf(tab.view.blocks as unknown[]).map((b) => [b.actionId, b.value])).toEqual([
      ['approval_withdraw', id],
    ]);

    await bot.driver.clickInView(BOB, tab, 'approval_withdraw');
    expect(JSON.stringify(homeOf(bot, BOB).view)).toMatch(/Only <@U0AGENT01>, who filed cancel request/);
    expect((await bot.approvals.get(id))?.state).toBe('pending');
    expect((await auditOf(bot, id)).map((r) => [r.actor, r.outcome])).toEqual([
      [ALICE, 'requested'],
      [BOB, 'refused'],
    ]);

    await bot.driver.clickInView(ALICE, tab, 'approval_withdraw');
    expect((await bot.approvals.get(id))?.state).toBe('withdrawn');
    const after = homeOf(bot, ALICE);
    expect(JSON.stringify(after.view)).toMatch(/You withdrew cancel request/);
    expect(buttonsOf(after.view.blocks as unknown[])).toHaveLength(0);
    expect(message?.text).toMatch(/Withdrawn by <@U0AGENT01>/);
  });
});

describe('the reminder at three quarters of the ttl', () => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());

  const remindersIn = (b: OfflineBot, message: SlackMessage | undefined) =>
    b.slack.messages.filter((m) => m.channel === APPROVALS && m.threadTs !== undefined && m.threadTs === message?.ts);

  it('when a request is still pending at three quarters of its ttl, then exactly one reminder mentioning the approvers is posted in its thread, however many sweeps run', async () => {
    const clock = manualClock();
    bot = await startOfflineBot({ now: clock.now });
    const { message, id } = await fileCancel(bot, ALICE, 'card-active-3');
    clock.advance(22 * MIN);
    await bot.bot.sweepApprovalsNow();
    expect(remindersIn(bot, message)).toHaveLength(0);

    clock.advance(30_000);
    await Promise.all([bot.bot.sweepApprovalsNow(), bot.bot.sweepApprovalsNow(), bot.bot.sweepApprovalsNow()]);
    await bot.bot.sweepApprovalsNow();
    const reminders = remindersIn(bot, message);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toMatch(
      /<@U0ONCALL1> <@U0ONCALL2>: cancel request `CR-.*` for card `card-active-3` is still waiting/,
    );
    expect(reminders[0]?.text).not.toContain('<@U0AGENT01>');
    expect((await bot.approvals.get(id))?.remindedAt).not.toBeNull();
    // The reminder is an approval event on record, once however many sweeps ran.
    expect((await auditOf(bot, id)).map((r) => [r.actor, r.outcome])).toEqual([
      [ALICE, 'requested'],
      ['cardops', 'reminded'],
    ]);

    clock.advance(8 * MIN);
    await bot.bot.sweepApprovalsNow();
    expect((await bot.approvals.get(id))?.state).toBe('expired');
    expect(remindersIn(bot, message)).toHaveLength(1);
    expect(fieldsText(message)).not.toContain('Expires');
    expect(message?.text).toMatch(/Expired/);
  });

  it('when a request is decided before three quarters of its ttl, then no reminder is posted and its message drops the expiry', async () => {
    const clock = manualClock();
    bot = await startOfflineBot({ now: clock.now });
    const { message } = await fileCancel(bot, ALICE, 'card-active-4');
    expect(fieldsText(message)).toContain('Expires');
    await bot.driver.click(DAVE, message as SlackMessage, 'approval_approve');
    expect(fieldsText(message)).not.toContain('Expires');
    clock.advance(25 * MIN);
    await bot.bot.sweepApprovalsNow();
    expect(remindersIn(bot, message)).toHaveLength(0);
  });
});

describe('limits per requester', () => {
  let bot: OfflineBot;
  let policyFile: string | undefined;
  afterEach(async () => {
    await bot?.close();
    if (policyFile) fs.rmSync(path.dirname(policyFile), { recursive: true, force: true });
  });

  it('when a requester has as many requests waiting as allowed, or has filed as many within the hour, then a new one is refused with when it frees up, audited, and nothing is posted', async () => {
    const clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
    policyFile = writeTestPolicy({ limits: { cancel_requests_live: 2, cancel_requests_per_hour: 3 } });
    bot = await startOfflineBot({ now: clock.now, policyFile });
    const first = await fileCancel(bot, ALICE, 'card-active-1');
    clock.advance(MIN);
    await fileCancel(bot, ALICE, 'card-active-2');
    const posted = approvalMessages(bot).length;

    const third = await bot.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-3 lost');
    const refusal = visibleText(third.messages.find((m) => m.to === ALICE));
    expect(refusal).toMatch(/You have 2 cancel requests waiting for an approver, the most allowed at once/);
    expect(refusal).toMatch(/The limit frees up when the soonest of them expires, .*2026-03-02 09:30 UTC/);
    expect(approvalMessages(bot)).toHaveLength(posted);
    expect(await bot.approvals.pendingForCard('card-active-3')).toBeUndefined();
    const limited = (await bot.audit.query({ actor: ALICE, outcome: 'limited' }, { limit: 5 })).rows;
    expect(limited.map((r) => [r.op, r.cardId])).toEqual([['cancel', 'card-active-3']]);

    // A request for a card that has one points at it, whoever asks and whatever their count.
    const same = await bot.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-1 again');
    expect(visibleText(same.messages.find((m) => m.to === ALICE))).toMatch(/already has a cancel request/);

    // Withdrawing one frees a place; the hour's count still holds.
    const confirmation = first.result.messages.find((m) => m.to === ALICE) as SlackMessage;
    await bot.driver.click(ALICE, confirmation, 'approval_withdraw');
    expect((await fileCancel(bot, ALICE, 'card-active-3')).request?.state).toBe('pending');
    const newest = ephemeralTo(bot, ALICE).at(-1) as SlackMessage;
    await bot.driver.click(ALICE, newest, 'approval_withdraw');
    const fourth = await bot.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-4 lost');
    expect(visibleText(fourth.messages.find((m) => m.to === ALICE))).toMatch(
      /You have filed 3 cancel requests within the last hour, the most allowed.*The limit resets as each turns an hour old: you may file again from .*2026-03-02 10:00 UTC/,
    );
    // Others are not held back by Alice's count.
    expect((await fileCancel(bot, BOB, 'card-active-4')).request?.requester).toBe(BOB);

    clock.advance(60 * MIN);
    expect((await fileCancel(bot, ALICE, 'card-active-5')).request?.state).toBe('pending');
  });
});
