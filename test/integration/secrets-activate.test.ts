import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../src/sandbox/demo-cards.js';
import { type OfflineBot, type OfflineBotOptions, startOfflineBot } from '../../src/shell/offline-bot.js';
import { writeTestPolicy } from '../helpers/secrets-policy.js';
import { visibleText } from '../helpers/slack-text.js';

const ALICE = 'U0AGENT01';
const STRANGER = 'U0STRANGE';
const SUPPORT = 'C0SUPPORT';

const PRINTED = DEMO_CARDS.find((c) => c.id === 'card-printed-1') ?? DEMO_CARDS[0];
if (!PRINTED) throw new Error('no demo cards');
const RIGHT = { last4: PRINTED.pan.slice(-4), cvv: PRINTED.cvv };
/** Wrong values, different from the right ones whatever the demo data. */
const wrong = (digits: string) => [...digits].map((d) => String((Number(d) + 5) % 10)).join('');

describe.each(['sovera', 'paycaddy'] as const)('/card activate (%s)', (provider) => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());
  const start = (options: OfflineBotOptions = {}) => startOfflineBot({ provider, ...options });

  /** `/card activate <card>` then the modal submitted with these values; returns what the asker saw. */
  async function activate(user: string, channel: string, cardId: string, typed: { last4: string; cvv: string }) {
    const asked = await bot.driver.command(user, channel, '/card', `activate ${cardId}`);
    const modal = bot.driver.openViewOf(user);
    if (!modal) return { asked, submitted: undefined, answer: asked.messages.at(-1) };
    const submitted = await bot.driver.submitView(user, modal, typed);
    return { asked, modal, submitted, answer: submitted.messages.at(-1) };
  }

  const typedValuesAppearIn = (text: string, typed: { last4: string; cvv: string }) =>
    new RegExp(`(?<![0-9A-Za-z])(${typed.last4}|${typed.cvv})(?![0-9A-Za-z])`).test(text);

  it('when the cardholder reads the right last 4 digits and CVV, then the card is activated and the audit shows the check, never the values', async () => {
    bot = await start();
    const { asked, modal, submitted, answer } = await activate(ALICE, SUPPORT, PRINTED.id, RIGHT);
    expect(asked.ack).toBeUndefined();
    expect(modal?.view.callback_id).toBe('card_activate');
    expect(typedValuesAppearIn(JSON.stringify(modal?.view), RIGHT)).toBe(false);
    expect(submitted?.errors).toBeUndefined();
    expect(answer?.visibility).toBe('ephemeral');
    expect(answer?.to).toBe(ALICE);
    expect(answer?.channel).toBe(SUPPORT);
    expect(visibleText(answer)).toMatch(/is now \*activated\*/);
    expect(visibleText(answer)).toMatch(/sandbox/i);
    expect(typedValuesAppearIn(visibleText(answer), RIGHT)).toBe(false);
    expect(bot.sandbox?.card(PRINTED.id)?.status).toBe('active');
    expect(bot.sandbox?.calls.map((c) => c.op)).toEqual(['pan', 'cvv', 'activate']);

    const rows = (await bot.audit.query({ cardId: PRINTED.id }, { limit: 20 })).rows.reverse();
    expect(rows.map((r) => [r.op, r.outcome])).toEqual([
      ['pan', 'started'],
      ['pan', 'ok'],
      ['cvv', 'started'],
      ['cvv', 'ok'],
      ['activate', 'matched'],
      ['activate', 'started'],
      ['activate', 'ok'],
    ]);
    expect(typedValuesAppearIn(JSON.stringify(rows), RIGHT)).toBe(false);
    expect(JSON.stringify(rows)).not.toContain(PRINTED.pan);
  });

  it('when the last 4 digits or the CVV are wrong, then the card stays inactive and the answer does not say which', async () => {
    bot = await start();
    const wrongLast4 = await activate(ALICE, SUPPORT, PRINTED.id, { last4: wrong(RIGHT.last4), cvv: RIGHT.cvv });
    const wrongCvv = await activate(ALICE, SUPPORT, PRINTED.id, { last4: RIGHT.last4, cvv: wrong(RIGHT.cvv) });
    for (const { answer } of [wrongLast4, wrongCvv]) {
      expect(answer?.to).toBe(ALICE);
      expect(visibleText(answer)).toMatch(/do not match/);
      expect(visibleText(answer)).not.toMatch(/cvv|last 4|digits|card number/i);
    }
    const text = (m: typeof wrongCvv.answer) => visibleText(m).replace(/\d+ more failed checks? locks?/g, '');
    expect(text(wrongLast4.answer)).toBe(text(wrongCvv.answer));
    expect(visibleText(wrongCvv.answer)).toMatch(/1 more failed check locks/);
    expect(bot.sandbox?.card(PRINTED.id)?.status).toBe('pendingAck');
    expect(bot.sandbox?.calls.filter((c) => c.op === 'activate')).toHaveLength(0);
    expect(await bot.audit.count({ cardId: PRINTED.id, op: 'activate', outcome: 'mismatched' })).toBe(2);
  });

  it('when three checks fail within an hour, then activation is locked for an hour, even with the right details, and every attempt is audited', async () => {
    let clock = Date.parse('2026-03-01T10:00:00Z');
    bot = await start({ now: () => new Date(clock) });
    const bad = { last4: wrong(RIGHT.last4), cvv: wrong(RIGHT.cvv) };
    await activate(ALICE, SUPPORT, PRINTED.id, bad);
    clock += 10 * 60_000;
    await activate(ALICE, SUPPORT, PRINTED.id, bad);
    clock += 10 * 60_000;
    const third = await activate(ALICE, SUPPORT, PRINTED.id, bad);
    expect(visibleText(third.answer)).toMatch(/now locked until \*11:20 UTC\*/);

    const fourth = await bot.driver.command(ALICE, SUPPORT, '/card', `activate ${PRINTED.id}`);
    expect(bot.driver.openViewOf(ALICE)).toBeUndefined();
    expect(visibleText(fourth.messages[0])).toMatch(/locked until \*11:20 UTC\*/);

    clock += 30 * 60_000;
    const late = await activate(ALICE, SUPPORT, PRINTED.id, RIGHT);
    expect(late.modal).toBeUndefined();
    expect(bot.sandbox?.card(PRINTED.id)?.status).toBe('pendingAck');

    const outcomes = (await bot.audit.query({ cardId: PRINTED.id, op: 'activate' }, { limit: 20 })).rows.map(
      (r) => r.outcome,
    );
    expect(outcomes.reverse()).toEqual(['mismatched', 'mismatched', 'mismatched', 'locked', 'locked']);

    // An hour after the third failure, the card can be activated.
    clock += 31 * 60_000;
    const after = await activate(ALICE, SUPPORT, PRINTED.id, RIGHT);
    expect(visibleText(after.answer)).toMatch(/activated/);
    expect(bot.sandbox?.card(PRINTED.id)?.status).toBe('active');
  });

  it('when many wrong checks are submitted at once, then only three are compared and the rest meet the lock', async () => {
    bot = await start();
    const bad = { last4: wrong(RIGHT.last4), cvv: wrong(RIGHT.cvv) };
    const modals = [];
    for (let i = 0; i < 8; i += 1) {
      await bot.driver.command(ALICE, SUPPORT, '/card', `activate ${PRINTED.id}`);
      const modal = bot.driver.openViewOf(ALICE);
      if (!modal) throw new Error('no modal');
      modals.push(modal);
    }
    await Promise.all(modals.map((modal) => bot.driver.submitView(ALICE, modal, bad)));
    const outcomes = (await bot.audit.query({ cardId: PRINTED.id, op: 'activate' }, { limit: 20 })).rows
      .map((r) => r.outcome)
      .sort();
    expect(outcomes).toEqual([...Array(5).fill('locked'), ...Array(3).fill('mismatched')]);
    expect(bot.sandbox?.card(PRINTED.id)?.status).toBe('pendingAck');
    const reads = bot.sandbox?.calls.filter((c) => c.cardId === PRINTED.id && (c.op === 'pan' || c.op === 'cvv')) ?? [];
    expect(reads).toHaveLength(6);
  });

  it('when a form is submitted after the lock began elsewhere, then it is refused as a field error that repeats nothing typed', async () => {
    bot = await start();
    const bad = { last4: wrong(RIGHT.last4), cvv: wrong(RIGHT.cvv) };
    await bot.driver.command(ALICE, SUPPORT, '/card', `activate ${PRINTED.id}`);
    const waiting = bot.driver.openViewOf(ALICE);
    if (!waiting) throw new Error('no modal');
    for (let i = 0; i < 3; i++) await activate('U0AGENT02', SUPPORT, PRINTED.id, bad);
    const submitted = await bot.driver.submitView(ALICE, waiting, RIGHT);
    expect(submitted.errors?.last4).toMatch(/locked until/);
    expect(typedValuesAppearIn(JSON.stringify(submitted.errors), RIGHT)).toBe(false);
    expect(bot.sandbox?.calls.filter((c) => c.op === 'activate')).toHaveLength(0);
    expect((await bot.audit.query({ actor: ALICE }, { limit: 5 })).rows[0]?.outcome).toBe('locked');
  });

  it('when the typed details are badly formed, then the modal shows field errors without echoing them and the issuer is not called', async () => {
    bot = await start();
    const typed = { last4: '12a4', cvv: '98' };
    await bot.driver.command(ALICE, SUPPORT, '/card', `activate ${PRINTED.id}`);
    const modal = bot.driver.openViewOf(ALICE);
    if (!modal) throw new Error('no modal');
    const submitted = await bot.driver.submitView(ALICE, modal, typed);
    expect(Object.keys(submitted.errors ?? {}).sort()).toEqual(['cvv', 'last4']);
    expect(JSON.stringify(submitted.errors)).not.toMatch(/12a4|98/);
    expect(bot.sandbox?.calls).toHaveLength(0);
    expect((await bot.audit.query({}, { limit: 5 })).rows.map((r) => r.outcome)).toEqual(['invalid']);
  });

  it('when the command is typed where the bot is not a member, then the result still reaches the asker there', async () => {
    bot = await start({ policyFile: writeTestPolicy({ channels: { C0RANDOM: ['activate'] } }) });
    const { answer } = await activate(ALICE, 'C0RANDOM', PRINTED.id, RIGHT);
    expect(answer?.channel).toBe('C0RANDOM');
    expect(answer?.to).toBe(ALICE);
    expect(answer?.via).toBe('response_url');
    expect(visibleText(answer)).toMatch(/activated/);
  });

  it('when activate is chosen in the operation form, then the form turns into the check and the result comes in the channel', async () => {
    bot = await start();
    await bot.driver.command(ALICE, SUPPORT, '/card', '');
    const form = bot.driver.openViewOf(ALICE);
    if (!form) throw new Error('no form');
    const picked = await bot.driver.submitView(ALICE, form, { op: 'activate', card_id: PRINTED.id });
    expect(picked.errors).toBeUndefined();
    expect(form.view.callback_id).toBe('card_activate');
    const done = await bot.driver.submitView(ALICE, form, RIGHT);
    expect(visibleText(done.messages.at(-1))).toMatch(/activated/);
    expect(done.messages.at(-1)?.channel).toBe(SUPPORT);
    expect(bot.sandbox?.card(PRINTED.id)?.status).toBe('active');
  });

  it('when the issuer fails while the details are read, then the answer says so and nothing is activated or matched', async () => {
    bot = await start();
    const { answer } = await activate(ALICE, SUPPORT, 'card-fault-500', RIGHT);
    expect(visibleText(answer)).toMatch(/issuer failed/);
    const outcomes = (await bot.audit.query({ cardId: 'card-fault-500' }, { limit: 10 })).rows.map((r) => r.outcome);
    expect(outcomes.reverse()).toEqual(['started', 'failed']);
  });

  it('when the plastic is not printed yet, then the matching check is followed by the issuer refusing', async () => {
    bot = await start();
    const unprinted = DEMO_CARDS.find((c) => c.id === 'card-unprinted-1');
    if (!unprinted) throw new Error('no unprinted card');
    const { answer } = await activate(ALICE, SUPPORT, unprinted.id, {
      last4: unprinted.pan.slice(-4),
      cvv: unprinted.cvv,
    });
    expect(visibleText(answer)).toMatch(/not been printed/);
    expect(
      (await bot.audit.query({ cardId: unprinted.id, op: 'activate' }, { limit: 5 })).rows.map((r) => r.outcome),
    ).toEqual(['failed', 'started', 'matched']);
  });

  it('when the modal cannot be opened in time, then the asker is told to run it again', async () => {
    bot = await start();
    bot.slack.fail('views.open', { error: 'expired_trigger_id' });
    const asked = await bot.driver.command(ALICE, SUPPORT, '/card', `activate ${PRINTED.id}`);
    expect(visibleText(asked.messages[0])).toMatch(/could not be opened in time/);
  });

  it('when a person without the role asks, then no modal opens and the refusal is audited', async () => {
    bot = await start();
    const asked = await bot.driver.command(STRANGER, SUPPORT, '/card', `activate ${PRINTED.id}`);
    expect(bot.driver.openViewOf(STRANGER)).toBeUndefined();
    expect(visibleText(asked.messages[0])).toMatch(/role/);
    expect((await bot.audit.query({}, { limit: 5 })).rows.map((r) => r.outcome)).toEqual(['denied']);
  });
});
