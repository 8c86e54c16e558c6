import { afterEach, describe, expect, it } from 'vitest';
import { LIMIT_REMOVAL_TTL_MS } from '../../src/domain/cards/limit-removal.js';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { allRows, CAROL, DAVE, testClock, textOf } from './audit-command-support.js';

/*
 * `/card set-limit <cardId> 0` removes the card's internal limit (PayCaddy keeps "no limit" as 0):
 * the requester is asked to confirm with a button only they see and only they can use, which
 * expires like a Reveal offer; only the confirmation calls the issuer, once.
 */

const SECURE = 'C0SECURE';
let bot: OfflineBot;
afterEach(async () => bot?.close());

const setLimitCalls = (b: OfflineBot) => b.sandbox?.calls.filter((c) => c.op === 'set-limit') ?? [];
const limitRows = (b: OfflineBot) => allRows(b).filter((r) => r.op === 'set-limit');

/** The text of the last answer posted to a response_url of `user` (a press on a copy of a message replaces the copy). */
function lastAnswerTo(b: OfflineBot, user: string): string {
  return String(b.slack.responsePosts.filter((p) => p.user === user).at(-1)?.body.text ?? '');
}

async function askRemoval(cardId = 'card-active-3'): Promise<SlackMessage> {
  const asked = await bot.driver.command(CAROL, SECURE, '/card', `set-limit ${cardId} 0`);
  const [message] = asked.messages;
  if (!message) throw new Error('no answer to set-limit 0');
  return message;
}

describe('removing a PayCaddy limit with set-limit 0', () => {
  it('when a senior sets a limit of 0, then they alone are asked to confirm and the issuer hears nothing yet', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    const message = await askRemoval();
    expect(message.visibility).toBe('ephemeral');
    expect(message.to).toBe(CAROL);
    expect(textOf(message)).toContain('no internal limit');
    expect(textOf(message)).toContain('Remove the limit');
    expect(textOf(message)).toContain('5 minutes');
    expect(setLimitCalls(bot)).toHaveLength(0);
    expect(bot.sandbox?.card('card-active-3')?.limit).toBe(500);
    const rows = limitRows(bot);
    expect(rows.map((r) => r.outcome)).toEqual(['asked']);
    expect(rows[0]?.approvalId).toMatch(/^LR-/);
    expect(rows[0]?.reason).toMatch(/^limit requested: 0 \(no limit: removes it\); waiting for the requester/);
  });

  it('when the requester confirms, then one set-limit call removes the limit, audited with the previous limit', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    const message = await askRemoval();
    // As it was on screen: a second press may come before the first one's answer replaced it.
    const onScreen = structuredClone(message);
    const confirmed = await bot.driver.click(CAROL, message, 'confirm_limit_removal');
    const answer = confirmed.messages.find((m) => m.to === CAROL);
    expect(answer?.visibility).toBe('ephemeral');
    expect(textOf(answer)).toMatch(/limit removed; the card has \*no internal limit\* now/);
    expect(setLimitCalls(bot)).toHaveLength(1);
    expect(bot.sandbox?.card('card-active-3')?.limit).toBe(0);
    const [asked] = limitRows(bot).filter((r) => r.outcome === 'asked');
    // One story under the confirmation's id: asked, the read of the limit it replaces, the set.
    const story = allRows(bot).filter((r) => r.approvalId === asked?.approvalId);
    expect(story.map((r) => [r.op, r.outcome, r.reason])).toEqual([
      ['set-limit', 'ok', 'limit requested: 0 (no limit: removes it); previous: 500; issuer confirmed: no limit'],
      ['set-limit', 'started', 'limit requested: 0 (no limit: removes it); previous: 500'],
      ['limit', 'ok', 'read before set-limit, to record the limit it replaces'],
      ['limit', 'started', 'read before set-limit, to record the limit it replaces'],
      ['set-limit', 'asked', asked?.reason],
    ]);

    // A second press makes no second call.
    await bot.driver.click(CAROL, onScreen, 'confirm_limit_removal');
    expect(lastAnswerTo(bot, CAROL)).toContain('already used');
    expect(setLimitCalls(bot)).toHaveLength(1);

    // The card now reads as having no internal limit (PayCaddy answers 0).
    const read = await bot.driver.command(CAROL, SECURE, '/card', 'limit card-active-3');
    expect(textOf(read.messages[0])).toContain('has *no internal limit*');
  });

  it('when someone else presses the confirmation, then it is refused to them, audited, and nothing is sent', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    const message = await askRemoval();
    const pressed = await bot.driver.click(DAVE, message, 'confirm_limit_removal');
    const refusal = pressed.messages.find((m) => m.to === DAVE);
    expect(refusal?.visibility).toBe('ephemeral');
    expect(textOf(refusal)).toContain('belongs to the person who asked');
    expect(setLimitCalls(bot)).toHaveLength(0);
    const denied = allRows(bot).find((r) => r.outcome === 'denied');
    expect(denied).toMatchObject({ actor: DAVE, op: 'set-limit', cardId: 'card-active-3' });
    // The requester's own confirmation still works afterwards.
    await bot.driver.click(CAROL, message, 'confirm_limit_removal');
    expect(setLimitCalls(bot)).toHaveLength(1);
  });

  it('when the confirmation is pressed after it expired, then the limit is untouched and the requester is told how to ask again', async () => {
    const clock = testClock('2026-12-04T09:00:00.000Z');
    bot = await startOfflineBot({ provider: 'paycaddy', now: clock.now });
    const message = await askRemoval();
    clock.advance(LIMIT_REMOVAL_TTL_MS + 1_000);
    const late = await bot.driver.click(CAROL, message, 'confirm_limit_removal');
    expect(textOf(late.messages.find((m) => m.to === CAROL))).toContain(
      'This confirmation expired, so card `card-active-3`',
    );
    expect(setLimitCalls(bot)).toHaveLength(0);
    expect(bot.sandbox?.card('card-active-3')?.limit).toBe(500);
    expect(limitRows(bot).map((r) => r.outcome)).toEqual(['expired', 'asked']);
  });

  it('when a forged confirmation id is pressed, then nothing is sent and the attempt is audited', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    const message = await askRemoval();
    const forged: SlackMessage = JSON.parse(
      JSON.stringify(message).replace(/LR-[A-Za-z0-9_-]{16}/, 'LR-AAAAAAAAAAAAAAAA'),
    );
    const pressed = await bot.driver.click(CAROL, forged, 'confirm_limit_removal');
    expect(pressed.status).toBe(200);
    expect(lastAnswerTo(bot, CAROL)).toContain('no longer valid');
    expect(setLimitCalls(bot)).toHaveLength(0);
    expect(limitRows(bot).map((r) => r.outcome)).toEqual(['invalid', 'asked']);
  });

  it('when 0 is chosen in the operation form, then the same confirmation is asked, and its press removes the limit', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    await bot.driver.command(CAROL, SECURE, '/card', '');
    const form = bot.driver.openViewOf(CAROL);
    if (!form) throw new Error('no operation form');
    const submitted = await bot.driver.submitView(CAROL, form, {
      op: 'set-limit',
      card_id: 'card-active-3',
      amount: '0',
    });
    expect(submitted.errors).toBeUndefined();
    const asked = bot.slack.visibleTo(CAROL, SECURE).at(-1);
    expect(asked?.visibility).toBe('ephemeral');
    expect(textOf(asked)).toContain('Remove the limit');
    expect(setLimitCalls(bot)).toHaveLength(0);
    await bot.driver.click(CAROL, asked as SlackMessage, 'confirm_limit_removal');
    expect(setLimitCalls(bot)).toHaveLength(1);
    expect(bot.sandbox?.card('card-active-3')?.limit).toBe(0);
  });

  it('when a limit other than 0 is set, then no confirmation is asked', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    const answer = await bot.driver.command(CAROL, SECURE, '/card', 'set-limit card-active-3 750');
    expect(textOf(answer.messages[0])).toContain('set to *750*');
    expect(setLimitCalls(bot)).toHaveLength(1);
  });

  it('when the issuer is Sovera, then set-limit 0 says not offered, with one audit row and no button', async () => {
    bot = await startOfflineBot({ provider: 'sovera' });
    const message = await askRemoval();
    expect(textOf(message)).toContain('`set-limit` is not offered by Sovera');
    expect(textOf(message)).not.toContain('Remove the limit');
    expect(limitRows(bot).map((r) => r.outcome)).toEqual(['invalid']);
    expect(bot.sandbox?.calls).toHaveLength(0);
  });
});
