import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../src/sandbox/demo-cards.js';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import { type OfflineBot, type OfflineBotOptions, startOfflineBot } from '../../src/shell/offline-bot.js';
import { writeTestPolicy } from '../helpers/secrets-policy.js';
import { visibleText } from '../helpers/slack-text.js';

const ALICE = 'U0AGENT01';
const CAROL = 'U0SENIOR1';
const SECURE = 'C0SECURE';
const NEW_PIN = '5820';
/** The PIN standing alone: not four digits inside a trace id, a uuid or a timestamp that happen to match. */
const PIN_ALONE = new RegExp(`(?<![0-9A-Za-z-])${NEW_PIN}(?![0-9A-Za-z-])`);

const card = (id: string) => {
  const found = DEMO_CARDS.find((c) => c.id === id);
  if (!found) throw new Error(`no demo card ${id}`);
  return found;
};
const PIN_BLOCKED = card('card-active-2');
const ACTIVE = card('card-active-1');
// A value standing on its own: not inside a longer number, a hex hash or a random url id.
const bounded = (value: string) => new RegExp(`(?<![0-9A-Za-z])${value}(?![0-9A-Za-z])`);

describe.each(['sovera', 'paycaddy'] as const)('/card unblock-pin and change-pin (%s)', (provider) => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());
  const start = (options: OfflineBotOptions = {}) => startOfflineBot({ provider, ...options });

  it('when a senior unblocks a blocked PIN, then it is confirmed without the PIN the issuer returned', async () => {
    bot = await start();
    const result = await bot.driver.command(CAROL, SECURE, '/card', `unblock-pin ${PIN_BLOCKED.id}`);
    const answer = result.messages[0];
    expect(answer?.to).toBe(CAROL);
    expect(visibleText(answer)).toMatch(/PIN unblocked/);
    expect(visibleText(answer)).toMatch(/sandbox/i);
    expect(JSON.stringify(bot.slack.responsePosts)).not.toMatch(bounded(PIN_BLOCKED.pin));
    expect(bot.sandbox?.card(PIN_BLOCKED.id)?.pinBlocked).toBe(false);
    const rows = (await bot.audit.query({ cardId: PIN_BLOCKED.id }, { limit: 5 })).rows.reverse();
    expect(rows.map((r) => [r.op, r.outcome])).toEqual([
      ['unblock-pin', 'started'],
      ['unblock-pin', 'ok'],
    ]);
    expect(JSON.stringify(rows.map((r) => [r.reason, r.error, r.traceId]))).not.toMatch(bounded(PIN_BLOCKED.pin));
  });

  it('when the PIN is not blocked, then the issuer refusal is shown, still without a PIN', async () => {
    bot = await start();
    const result = await bot.driver.command(CAROL, SECURE, '/card', `unblock-pin ${ACTIVE.id}`);
    expect(visibleText(result.messages[0])).toMatch(/refused by the issuer: PIN is not blocked/);
    expect((await bot.audit.query({ cardId: ACTIVE.id }, { limit: 5 })).rows[0]?.outcome).toBe('failed');
  });

  it('when a new PIN is weak or malformed, then the modal refuses it as a field error that never repeats it, and the issuer is not called', async () => {
    bot = await start();
    await bot.driver.command(CAROL, SECURE, '/card', `change-pin ${ACTIVE.id}`);
    const modal = bot.driver.openViewOf(CAROL);
    if (!modal) throw new Error('no modal');
    expect(modal.view.callback_id).toBe('card_change_pin');
    const refused = {
      '7777': /repeats one digit/,
      '1234': /run straight up/,
      '0123': /run straight up/,
      '6789': /run straight up/,
      '4321': /run straight down/,
      '9876': /run straight down/,
      '3210': /run straight down/,
      '12a4': /exactly 4 digits/,
      '123': /exactly 4 digits/,
    };
    for (const [pin, why] of Object.entries(refused)) {
      const submitted = await bot.driver.submitView(CAROL, modal, { new_pin: pin, confirm_pin: pin });
      expect(submitted.errors?.new_pin).toMatch(why);
      expect(JSON.stringify(submitted.errors)).not.toContain(pin);
      expect(modal.open).toBe(true);
    }
    const differ = await bot.driver.submitView(CAROL, modal, { new_pin: NEW_PIN, confirm_pin: '5821' });
    expect(differ.errors?.confirm_pin).toMatch(/differ/);
    expect(bot.sandbox?.calls).toHaveLength(0);
    const rows = (await bot.audit.query({ cardId: ACTIVE.id }, { limit: 20 })).rows;
    expect(new Set(rows.map((r) => `${r.op}/${r.outcome}`))).toEqual(new Set(['change-pin/invalid']));
    // Only the free-text columns: timestamps and hashes may hold any 3 or 4 digits by chance.
    const texts = JSON.stringify(rows.map((r) => [r.reason, r.error, r.traceId]));
    for (const pin of Object.keys(refused)) expect(texts).not.toMatch(bounded(pin));
  });

  it('when a good new PIN is submitted, then the issuer gets it, the asker is told without it, and the card answers with it afterwards', async () => {
    bot = await start();
    await bot.driver.command(CAROL, SECURE, '/card', `change-pin ${ACTIVE.id}`);
    const modal = bot.driver.openViewOf(CAROL);
    if (!modal) throw new Error('no modal');
    const submitted = await bot.driver.submitView(CAROL, modal, { new_pin: NEW_PIN, confirm_pin: NEW_PIN });
    expect(submitted.errors).toBeUndefined();
    expect(submitted.ack).toBeUndefined();
    const answer = submitted.messages.at(-1);
    expect(answer?.to).toBe(CAROL);
    expect(answer?.channel).toBe(SECURE);
    expect(visibleText(answer)).toMatch(/PIN changed/);
    expect(visibleText(answer)).not.toMatch(PIN_ALONE);
    expect(bot.sandbox?.calls.map((c) => c.op)).toEqual(['change-pin']);
    const rows = (await bot.audit.query({ cardId: ACTIVE.id }, { limit: 5 })).rows.reverse();
    expect(rows.map((r) => [r.op, r.outcome])).toEqual([
      ['change-pin', 'started'],
      ['change-pin', 'ok'],
    ]);
    expect(JSON.stringify(rows)).not.toMatch(PIN_ALONE);
    expect(JSON.stringify(bot.slack.responsePosts)).not.toMatch(PIN_ALONE);
    expect(JSON.stringify(bot.slack.calls)).not.toMatch(PIN_ALONE);

    const asked = await bot.driver.command(CAROL, SECURE, '/card', `pin ${ACTIVE.id}`);
    const offer = asked.messages[0] as SlackMessage;
    await bot.driver.click(CAROL, offer, 'reveal_secret');
    expect(visibleText(offer)).toMatch(PIN_ALONE);
  });

  it('when change-pin is chosen in the operation form where the bot is not a member, then the PIN form replaces it and the answer reaches the asker there', async () => {
    bot = await start({ policyFile: writeTestPolicy({ channels: { C0RANDOM: ['change-pin'] } }) });
    await bot.driver.command(CAROL, 'C0RANDOM', '/card', '');
    const form = bot.driver.openViewOf(CAROL);
    if (!form) throw new Error('no form');
    await bot.driver.submitView(CAROL, form, { op: 'change-pin', card_id: ACTIVE.id });
    expect(form.view.callback_id).toBe('card_change_pin');
    const done = await bot.driver.submitView(CAROL, form, { new_pin: NEW_PIN, confirm_pin: NEW_PIN });
    const answer = done.messages.at(-1);
    expect(answer?.channel).toBe('C0RANDOM');
    expect(answer?.via).toBe('response_url');
    expect(visibleText(answer)).toMatch(/PIN changed/);
  });

  it('when the PIN is typed on the command line, then it is refused and the PIN is not repeated or audited', async () => {
    bot = await start();
    const result = await bot.driver.command(CAROL, SECURE, '/card', `change-pin ${ACTIVE.id} ${NEW_PIN}`);
    expect(visibleText(result.messages[0])).toMatch(/private form/);
    expect(visibleText(result.messages[0])).not.toMatch(PIN_ALONE);
    expect(bot.driver.openViewOf(CAROL)).toBeUndefined();
    expect(JSON.stringify((await bot.audit.query({}, { limit: 5 })).rows)).not.toMatch(PIN_ALONE);
  });

  it('when an agent asks to change or unblock a PIN, then it is refused before any form', async () => {
    bot = await start();
    const change = await bot.driver.command(ALICE, SECURE, '/card', `change-pin ${ACTIVE.id}`);
    const unblock = await bot.driver.command(ALICE, SECURE, '/card', `unblock-pin ${PIN_BLOCKED.id}`);
    expect(bot.driver.openViewOf(ALICE)).toBeUndefined();
    for (const r of [change, unblock]) expect(visibleText(r.messages[0])).toMatch(/senior/);
    expect(bot.sandbox?.calls).toHaveLength(0);
  });

  it('when the issuer fails the PIN change, then the asker is told it failed, without the PIN', async () => {
    bot = await start();
    await bot.driver.command(CAROL, SECURE, '/card', 'change-pin card-fault-500');
    const modal = bot.driver.openViewOf(CAROL);
    if (!modal) throw new Error('no modal');
    const done = await bot.driver.submitView(CAROL, modal, { new_pin: NEW_PIN, confirm_pin: NEW_PIN });
    expect(visibleText(done.messages.at(-1))).toMatch(/issuer failed/);
    expect(visibleText(done.messages.at(-1))).not.toMatch(PIN_ALONE);
  });
});
