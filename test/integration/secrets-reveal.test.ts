import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CARDS } from '../../src/sandbox/demo-cards.js';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import { type OfflineBot, type OfflineBotOptions, startOfflineBot } from '../../src/shell/offline-bot.js';
import { buttonsOf } from '../../src/shell/slack-driver.js';
import { writeTestPolicy } from '../helpers/secrets-policy.js';
import { standsAlone, visibleText } from '../helpers/slack-text.js';

const ALICE = 'U0AGENT01';
const CAROL = 'U0SENIOR1';
const STRANGER = 'U0STRANGE';
const SECURE = 'C0SECURE';

const card = (id: string) => {
  const found = DEMO_CARDS.find((c) => c.id === id);
  if (!found) throw new Error(`no demo card ${id}`);
  return found;
};
const ACTIVE = card('card-active-1');
const spaced = (pan: string) => pan.match(/.{1,4}/g)?.join(' ') ?? pan;
const masked = (pan: string) => `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`;

/** Every form in which a card's secrets could show up. */
const secretsOf = (c: typeof ACTIVE) => [c.pan, spaced(c.pan), c.cvv, c.pin, c.expDate];

describe.each(['sovera', 'paycaddy'] as const)('/card pan, cvv, expiry, pin (%s)', (provider) => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());
  const start = (options: OfflineBotOptions = {}) => startOfflineBot({ provider, ...options });

  /** `/card <op> <card>` then a press of its Reveal button; returns the offer and what the press did. */
  async function reveal(user: string, channel: string, op: string, cardId: string) {
    const asked = await bot.driver.command(user, channel, '/card', `${op} ${cardId}`);
    const offer = asked.messages[0];
    if (!offer) throw new Error('no answer to the command');
    const pressed = await bot.driver.click(user, offer, 'reveal_secret');
    return { asked, offer, pressed };
  }

  it('when a senior asks for a PAN, then the answer holds only a Reveal button, and the press shows the whole PAN to them alone, audited without it', async () => {
    bot = await start();
    const asked = await bot.driver.command(CAROL, SECURE, '/card', `pan ${ACTIVE.id}`);
    const offer = asked.messages[0] as SlackMessage;
    expect(offer.visibility).toBe('ephemeral');
    expect(offer.to).toBe(CAROL);
    expect(visibleText(offer)).toContain('Press Reveal to fetch');
    expect(visibleText(offer)).toMatch(/sandbox/i);
    for (const secret of secretsOf(ACTIVE)) expect(JSON.stringify(offer)).not.toMatch(standsAlone(secret));
    expect(bot.sandbox?.calls).toHaveLength(0);
    const [button] = buttonsOf(offer.blocks);
    expect(button?.text).toBe('Reveal');
    expect(button?.value).not.toContain(ACTIVE.id);

    await bot.driver.click(CAROL, offer, 'reveal_secret');
    expect(offer.revision).toBe(1);
    expect(offer.visibility).toBe('ephemeral');
    expect(visibleText(offer)).toContain(spaced(ACTIVE.pan));
    expect(offer.text).not.toContain(ACTIVE.pan.slice(-4));
    expect(visibleText(offer)).toMatch(/sandbox/i);
    expect(bot.sandbox?.calls.map((c) => c.op)).toEqual(['pan']);

    const rows = (await bot.audit.query({ cardId: ACTIVE.id }, { limit: 10 })).rows.reverse();
    expect(rows.map((r) => [r.op, r.outcome])).toEqual([
      ['pan', 'started'],
      ['pan', 'ok'],
      ['pan', 'revealed'],
    ]);
    expect(rows[2]?.actor).toBe(CAROL);
    expect(JSON.stringify(rows)).not.toMatch(standsAlone(ACTIVE.pan.slice(-4)));
    // The only road the PAN took: a response_url post to the person who pressed.
    const carrying = bot.slack.responsePosts.filter((p) => JSON.stringify(p.body).includes(spaced(ACTIVE.pan)));
    expect(carrying.map((p) => [p.user, p.body.response_type, p.body.replace_original])).toEqual([
      [CAROL, 'ephemeral', true],
    ]);
    expect(JSON.stringify(bot.slack.calls)).not.toMatch(standsAlone(ACTIVE.pan.slice(-4)));
  });

  it('when the CVV, expiry and PIN are revealed, then each shows its own value', async () => {
    bot = await start();
    const expected = { cvv: ACTIVE.cvv, expiry: ACTIVE.expDate, pin: ACTIVE.pin };
    for (const [op, value] of Object.entries(expected)) {
      const { offer } = await reveal(CAROL, SECURE, op, ACTIVE.id);
      expect(visibleText(offer)).toContain(`\`${value}\``);
      expect(offer.to).toBe(CAROL);
    }
    expect(await bot.audit.count({ actor: CAROL, outcome: 'revealed' })).toBe(3);
    expect(bot.sandbox?.calls.map((c) => c.op)).toEqual(['cvv', 'expiry', 'pin']);
  });

  it('when someone without reveal.full_pan sees a PAN, then it is masked to the first 6 and last 4 digits', async () => {
    bot = await start({ policyFile: writeTestPolicy({ operations: { pan: ['agent', 'senior'] } }) });
    const { offer } = await reveal(ALICE, SECURE, 'pan', ACTIVE.id);
    expect(visibleText(offer)).toContain(masked(ACTIVE.pan));
    expect(visibleText(offer)).not.toContain(spaced(ACTIVE.pan));
    expect(JSON.stringify(bot.slack.responsePosts)).not.toContain(ACTIVE.pan);
    expect(await bot.audit.count({ actor: ALICE, outcome: 'revealed', op: 'pan' })).toBe(1);
  });

  it('when the display time passes, then the shown secret is replaced by a hidden notice', async () => {
    bot = await start({ revealHideMs: 20 });
    const { offer } = await reveal(CAROL, SECURE, 'pin', ACTIVE.id);
    expect(visibleText(offer)).toContain(ACTIVE.pin);
    await vi.waitFor(() => expect(offer.revision).toBe(2), { timeout: 5_000, interval: 10 });
    expect(visibleText(offer)).toContain('Hidden after');
    expect(visibleText(offer)).toContain(`/card pin ${ACTIVE.id}`);
    expect(visibleText(offer)).not.toContain(ACTIVE.pin);
    expect(bot.bot.deps.reveals.shown).toBe(0);
  });

  it('when the bot shuts down with secrets on screen, then hideRevealedNow hides them all first', async () => {
    bot = await start({ revealHideMs: 60_000 });
    const first = await reveal(CAROL, SECURE, 'cvv', ACTIVE.id);
    const second = await reveal(CAROL, SECURE, 'expiry', ACTIVE.id);
    expect(bot.bot.deps.reveals.shown).toBe(2);
    await bot.bot.hideRevealedNow();
    for (const { offer } of [first, second]) {
      expect(offer.revision).toBe(2);
      expect(visibleText(offer)).toMatch(/Hidden: cardops is restarting/);
    }
    expect(visibleText(first.offer)).not.toContain(ACTIVE.cvv);
    expect(bot.bot.deps.reveals.shown).toBe(0);
  });

  it('when the hourly reveal budget is spent, then further reveals are refused, audited as limited, and reach no issuer', async () => {
    bot = await start({ policyFile: writeTestPolicy({ revealsPerHour: 2 }) });
    await reveal(CAROL, SECURE, 'cvv', ACTIVE.id);
    // An offer taken while budget was left, pressed once it is spent, is refused at the press.
    const early = await bot.driver.command(CAROL, SECURE, '/card', `pin ${ACTIVE.id}`);
    await reveal(CAROL, SECURE, 'expiry', ACTIVE.id);
    const callsBefore = bot.sandbox?.calls.length;

    const refused = await bot.driver.command(CAROL, SECURE, '/card', `pan ${ACTIVE.id}`);
    expect(visibleText(refused.messages[0])).toMatch(/Not shown: you have seen 2 secrets/);
    expect(buttonsOf(refused.messages[0]?.blocks)).toHaveLength(0);
    const offer = early.messages[0] as SlackMessage;
    await bot.driver.click(CAROL, offer, 'reveal_secret');
    expect(visibleText(offer)).toMatch(/Not shown/);
    expect(visibleText(offer)).not.toContain(ACTIVE.pin);

    expect(bot.sandbox?.calls.length).toBe(callsBefore);
    const limited = (await bot.audit.query({ actor: CAROL, outcome: 'limited' }, { limit: 10 })).rows;
    expect(limited.map((r) => r.op).sort()).toEqual(['pan', 'pin']);
    // Another person's budget is their own.
    const { offer: alices } = await reveal(ALICE, SECURE, 'expiry', ACTIVE.id);
    expect(visibleText(alices)).toContain(ACTIVE.expDate);
  });

  it('when someone presses a Reveal button offered to another person, then nothing is shown and it is audited as denied', async () => {
    bot = await start();
    const asked = await bot.driver.command(CAROL, SECURE, '/card', `pin ${ACTIVE.id}`);
    const offer = asked.messages[0] as SlackMessage;
    const pressed = await bot.driver.click(ALICE, offer, 'reveal_secret');
    expect(offer.revision).toBe(0);
    const told = pressed.messages.find((m) => m.to === ALICE);
    expect(visibleText(told)).toMatch(/belongs to someone else/);
    expect(JSON.stringify(bot.slack.messages)).not.toContain(`\`${ACTIVE.pin}\``);
    expect(bot.sandbox?.calls).toHaveLength(0);
    const [row] = (await bot.audit.query({ actor: ALICE }, { limit: 5 })).rows;
    expect([row?.op, row?.outcome]).toEqual(['pin', 'denied']);
    // The owner can still use it.
    await bot.driver.click(CAROL, offer, 'reveal_secret');
    expect(visibleText(offer)).toContain(ACTIVE.pin);
  });

  it('when a Reveal button value is forged, pressed twice or pressed too late, then nothing is shown and the issuer is not called', async () => {
    let clock = Date.parse('2026-03-01T10:00:00Z');
    bot = await start({ now: () => new Date(clock) });
    const asked = await bot.driver.command(CAROL, SECURE, '/card', `cvv ${ACTIVE.id}`);
    const offer = asked.messages[0] as SlackMessage;
    const forged: SlackMessage = JSON.parse(JSON.stringify(offer));
    const button = (forged.blocks as { elements?: { value?: string }[] }[]).find((b) => b.elements)?.elements?.[0];
    if (button) button.value = 'AAAAAAAAAAAAAAAAAAAAAAAA';
    await bot.driver.click(CAROL, forged, 'reveal_secret');
    expect(visibleText(forged)).toMatch(/no longer valid/);

    clock += 6 * 60_000;
    await bot.driver.click(CAROL, offer, 'reveal_secret');
    expect(visibleText(offer)).toMatch(/has expired, so nothing was shown/);
    expect(visibleText(offer)).toContain(`/card cvv ${ACTIVE.id}`);

    const again = await bot.driver.command(CAROL, SECURE, '/card', `cvv ${ACTIVE.id}`);
    const fresh = again.messages[0] as SlackMessage;
    const copy: SlackMessage = JSON.parse(JSON.stringify(fresh));
    await bot.driver.click(CAROL, fresh, 'reveal_secret');
    expect(visibleText(fresh)).toContain(ACTIVE.cvv);
    await bot.driver.click(CAROL, copy, 'reveal_secret');
    expect(visibleText(copy)).toMatch(/no longer valid/);
    expect(bot.sandbox?.calls.map((c) => c.op)).toEqual(['cvv']);
    expect(await bot.audit.count({ outcome: 'revealed' })).toBe(1);
  });

  it('when a person may not see PINs, then the command is refused before any offer, audited as denied', async () => {
    bot = await start();
    const asked = await bot.driver.command(ALICE, SECURE, '/card', `pin ${ACTIVE.id}`);
    expect(buttonsOf(asked.messages[0]?.blocks)).toHaveLength(0);
    expect(visibleText(asked.messages[0])).toMatch(/senior/);
    const stranger = await bot.driver.command(STRANGER, SECURE, '/card', `pan ${ACTIVE.id}`);
    expect(buttonsOf(stranger.messages[0]?.blocks)).toHaveLength(0);
    expect((await bot.audit.query({}, { limit: 10 })).rows.map((r) => r.outcome)).toEqual(['denied', 'denied']);
    expect(bot.sandbox?.calls).toHaveLength(0);
  });

  it('when the policy no longer allows the op at press time, then the press is refused and audited', async () => {
    bot = await start();
    const asked = await bot.driver.command(CAROL, SECURE, '/card', `pan ${ACTIVE.id}`);
    const offer = asked.messages[0] as SlackMessage;
    const policy = bot.bot.deps.policy.current();
    const spy = vi
      .spyOn(bot.bot.deps.policy, 'current')
      .mockReturnValue({ ...policy, operations: { ...policy.operations, pan: [] } });
    await bot.driver.click(CAROL, offer, 'reveal_secret');
    spy.mockRestore();
    expect(visibleText(offer)).toMatch(/Nobody may see card numbers/);
    expect(bot.sandbox?.calls).toHaveLength(0);
    expect((await bot.audit.query({ actor: CAROL }, { limit: 5 })).rows[0]?.outcome).toBe('denied');
  });

  it('when the issuer fails a reveal, then the press says so with the trace id and nothing is audited as revealed', async () => {
    bot = await start();
    const { offer } = await reveal(CAROL, SECURE, 'cvv', 'card-fault-500');
    expect(visibleText(offer)).toMatch(/issuer failed/);
    if (provider === 'sovera') expect(visibleText(offer)).toMatch(/trace id/);
    const rows = (await bot.audit.query({ cardId: 'card-fault-500' }, { limit: 10 })).rows.reverse();
    expect(rows.map((r) => r.outcome)).toEqual(['started', 'failed']);
    expect(bot.bot.deps.reveals.shown).toBe(0);
  });

  it('when the reveal is asked where the bot is not a member, then offer and secret still reach the asker there', async () => {
    bot = await start({ policyFile: writeTestPolicy({ channels: { C0RANDOM: ['*'] } }) });
    const { offer } = await reveal(CAROL, 'C0RANDOM', 'expiry', ACTIVE.id);
    expect(offer.channel).toBe('C0RANDOM');
    expect(offer.to).toBe(CAROL);
    expect(visibleText(offer)).toContain(ACTIVE.expDate);
    expect(bot.slack.calls.filter((c) => c.method.startsWith('chat.'))).toHaveLength(0);
  });

  it('when the PIN is asked through the operation form, then the offer and the secret come in the channel of the command', async () => {
    bot = await start();
    await bot.driver.command(CAROL, SECURE, '/card', '');
    const form = bot.driver.openViewOf(CAROL);
    if (!form) throw new Error('no form');
    const submitted = await bot.driver.submitView(CAROL, form, { op: 'pin', card_id: ACTIVE.id });
    expect(submitted.errors).toBeUndefined();
    const offer = bot.slack.visibleTo(CAROL, SECURE).find((m) => buttonsOf(m.blocks).length > 0) as SlackMessage;
    expect(offer.visibility).toBe('ephemeral');
    await bot.driver.click(CAROL, offer, 'reveal_secret');
    expect(visibleText(offer)).toContain(ACTIVE.pin);
  });
});
