import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../src/sandbox/demo-cards.js';
import { type OfflineBot, type OfflineBotOptions, startOfflineBot } from '../../src/shell/offline-bot.js';
import { buttonsOf } from '../../src/shell/slack-driver.js';
import { writeTestPolicy } from '../helpers/secrets-policy.js';
import { standsAlone, visibleText } from '../helpers/slack-text.js';
import { manualClock } from './approvals-support.js';

const ALICE = 'U0AGENT01';
const BOB = 'U0AGENT02';
const CAROL = 'U0SENIOR1';
const DAVE = 'U0ONCALL1';
const SUPPORT = 'C0SUPPORT';
const APPROVALS = 'C0APPROVE';

const card = (id: string) => {
  const found = DEMO_CARDS.find((c) => c.id === id);
  if (!found) throw new Error(`no demo card ${id}`);
  return found;
};
const rightOf = (id: string) => ({ last4: card(id).pan.slice(-4), cvv: card(id).cvv });
/** Wrong values, different from the right ones whatever the demo data. */
const wrong = (digits: string) => [...digits].map((d) => String((Number(d) + 5) % 10)).join('');
const wrongCvvOf = (id: string) => ({ last4: rightOf(id).last4, cvv: wrong(rightOf(id).cvv) });

describe.each(['sovera', 'paycaddy'] as const)('activation checks are no CVV oracle (%s)', (provider) => {
  let bot: OfflineBot;
  let policyFile: string | undefined;
  afterEach(async () => {
    await bot?.close();
    if (policyFile) fs.rmSync(path.dirname(policyFile), { recursive: true, force: true });
    policyFile = undefined;
  });
  const start = (options: OfflineBotOptions = {}) => startOfflineBot({ provider, ...options });

  async function activate(user: string, cardId: string, typed: { last4: string; cvv: string }) {
    const asked = await bot.driver.command(user, SUPPORT, '/card', `activate ${cardId}`);
    const modal = bot.driver.openViewOf(user);
    if (!modal) return { asked, modal, answer: asked.messages.at(-1) };
    const submitted = await bot.driver.submitView(user, modal, typed);
    return { asked, modal, submitted, answer: submitted.messages.at(-1) };
  }
  const history = async (cardId: string) =>
    (await bot.driver.command(CAROL, SUPPORT, '/card', `history ${cardId}`)).messages.at(-1);
  /** What a person reads, with the card id and the person taken out. */
  const shape = (text: string, cardId: string) => text.replaceAll(cardId, '<card>').replace(/<@U[0-9A-Z]+>/g, '<who>');

  it('when an agent guesses the CVV of an already active card, then a right guess and a wrong one answer exactly alike, in the answer and in the history', async () => {
    const clock = manualClock();
    bot = await start({ now: clock.now });
    const right = await activate(ALICE, 'card-active-1', rightOf('card-active-1'));
    const wrongGuess = await activate(BOB, 'card-active-4', wrongCvvOf('card-active-4'));

    const rightText = visibleText(right.answer);
    expect(rightText).toMatch(/was \*not\* activated/);
    expect(rightText).not.toMatch(/already active|refused by the issuer/i);
    expect(shape(rightText, 'card-active-1')).toBe(shape(visibleText(wrongGuess.answer), 'card-active-4'));
    expect(bot.sandbox?.card('card-active-1')?.status).toBe('active');
    expect(bot.sandbox?.card('card-active-4')?.status).toBe('active');

    const rightHistory = visibleText(await history('card-active-1'));
    const wrongHistory = visibleText(await history('card-active-4'));
    expect(rightHistory).toMatch(/Card-in-hand check: not activated/);
    expect(shape(rightHistory, 'card-active-1')).toBe(shape(wrongHistory, 'card-active-4'));
    expect(rightHistory).not.toMatch(/trace id/);

    // The audit, for managers, keeps what happened.
    const outcomes = async (id: string) =>
      (await bot.audit.query({ cardId: id, op: 'activate' }, { limit: 10 })).rows.map((r) => r.outcome).reverse();
    expect(await outcomes('card-active-1')).toEqual(['matched', 'started', 'failed']);
    expect(await outcomes('card-active-4')).toEqual(['mismatched']);
  });

  it('when cardops itself activated the card, then a new activation opens no form, checks nothing and says so', async () => {
    bot = await start();
    await activate(ALICE, 'card-printed-1', rightOf('card-printed-1'));
    expect(bot.sandbox?.card('card-printed-1')?.status).toBe('active');
    const calls = bot.sandbox?.calls.length;
    const again = await activate(BOB, 'card-printed-1', rightOf('card-printed-1'));
    expect(again.modal).toBeUndefined();
    expect(visibleText(again.answer)).toMatch(/needs no activation: cardops activated it/);
    expect(bot.sandbox?.calls.length).toBe(calls);
  });

  it('when an agent reaches their checks of the hour across cards, then the approvers are alerted without any value, it is audited, and their next check waits until the hour has passed', async () => {
    const clock = manualClock(Date.parse('2026-03-02T10:00:00Z'));
    policyFile = writeTestPolicy({ limits: { activation_checks_per_hour: 2 } });
    bot = await start({ now: clock.now, policyFile });
    await activate(ALICE, 'card-printed-1', wrongCvvOf('card-printed-1'));
    clock.advance(20 * 60_000);
    const second = await activate(ALICE, 'card-active-1', rightOf('card-active-1'));
    expect(visibleText(second.answer)).toMatch(/That was your last check for now .* from \*11:00 UTC\*/);

    const alerts = bot.slack.messages.filter((m) => m.channel === APPROVALS && m.visibility === 'public');
    expect(alerts).toHaveLength(1);
    const alert = visibleText(alerts[0]);
    expect(alert).toMatch(/Activation checks paused.*<@U0AGENT01> has made 2 card-in-hand checks within an hour/);
    for (const id of ['card-printed-1', 'card-active-1']) {
      expect(alert).not.toMatch(standsAlone(rightOf(id).cvv));
      expect(alert).not.toMatch(standsAlone(rightOf(id).last4));
      expect(alert).not.toContain(card(id).pan);
    }
    const limited = (await bot.audit.query({ actor: ALICE, outcome: 'limited' }, { limit: 5 })).rows;
    expect(limited.map((r) => [r.op, r.cardId])).toEqual([['activate', null]]);

    const third = await activate(ALICE, 'card-active-2', rightOf('card-active-2'));
    expect(third.modal).toBeUndefined();
    expect(visibleText(third.answer)).toMatch(
      /You have made 2 card-in-hand checks within the last hour, the most allowed\. Nothing was checked\. You may check again from \*11:00 UTC\*/,
    );
    expect((await bot.audit.query({ actor: ALICE }, { limit: 1 })).rows[0]?.outcome).toBe('locked');
    // Another agent is not held back by Alice's budget.
    expect((await activate(BOB, 'card-active-2', wrongCvvOf('card-active-2'))).modal).toBeDefined();

    clock.advance(41 * 60_000);
    expect((await activate(ALICE, 'card-active-3', wrongCvvOf('card-active-3'))).modal).toBeDefined();
  });

  it('when a card reaches its checks over its life, then it is locked for everyone, the approvers are alerted, and an approver clears the lock from the Home tab', async () => {
    const clock = manualClock(Date.parse('2026-03-02T10:00:00Z'));
    policyFile = writeTestPolicy({ limits: { activation_checks_per_card: 2 } });
    bot = await start({ now: clock.now, policyFile });
    const id = 'card-printed-1';
    const first = await activate(ALICE, id, wrongCvvOf(id));
    expect(visibleText(first.answer)).toMatch(/1 more check locks its activation until an approver clears it/);
    clock.advance(2 * 60 * 60_000);
    const second = await activate(BOB, id, wrongCvvOf(id));
    expect(visibleText(second.answer)).toMatch(/now \*locked\*: it has had 2 card-in-hand checks/);
    const alerts = bot.slack.messages.filter((m) => m.channel === APPROVALS && m.visibility === 'public');
    expect(alerts.map((m) => visibleText(m))).toEqual([
      expect.stringMatching(/Activation locked.*card `card-printed-1` has had 2 card-in-hand checks/),
    ]);
    expect((await bot.audit.query({ cardId: id, outcome: 'limited' }, { limit: 5 })).rows).toHaveLength(1);

    clock.advance(24 * 60 * 60_000);
    const later = await activate(CAROL, id, rightOf(id));
    expect(later.modal).toBeUndefined();
    expect(visibleText(later.answer)).toMatch(/is locked: it has had 2 card-in-hand checks.*approver can clear/);

    // Agents see no Clear button; a forged click is refused and audited.
    await bot.driver.openHome(ALICE);
    expect(buttonsOf(bot.slack.homeTabs.get(ALICE)?.blocks as unknown[])).toHaveLength(0);
    await bot.driver.openHome(DAVE);
    const tab = { id: `home-${DAVE}`, view: bot.slack.homeTabs.get(DAVE) as Record<string, unknown> };
    expect(JSON.stringify(tab.view)).toContain('Card activations locked');
    expect(buttonsOf(tab.view.blocks as unknown[]).map((b) => [b.actionId, b.value])).toEqual([
      ['activation_clear_lock', id],
    ]);
    await bot.driver.clickInView(ALICE, tab, 'activation_clear_lock');
    expect(JSON.stringify(bot.slack.homeTabs.get(ALICE))).toMatch(/may clear an activation lock/);
    expect((await bot.audit.query({ actor: ALICE, outcome: 'denied' }, { limit: 1 })).rows[0]?.cardId).toBe(id);

    await bot.driver.clickInView(DAVE, tab, 'activation_clear_lock');
    expect(JSON.stringify(bot.slack.homeTabs.get(DAVE))).toMatch(/Activation lock of card `card-printed-1` cleared/);
    expect(buttonsOf(bot.slack.homeTabs.get(DAVE)?.blocks as unknown[])).toHaveLength(0);
    const cleared = (await bot.audit.query({ cardId: id, outcome: 'cleared' }, { limit: 5 })).rows;
    expect(cleared.map((r) => r.actor)).toEqual([DAVE]);

    const now = await activate(CAROL, id, rightOf(id));
    expect(visibleText(now.answer)).toMatch(/is now \*activated\*/);
    expect(bot.sandbox?.card(id)?.status).toBe('active');
  });
});
