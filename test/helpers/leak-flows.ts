import { expect, vi } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import type { OfflineBot } from '../../src/shell/offline-bot.js';
import { buttonsOf, type CommandResult } from '../../src/shell/slack-driver.js';
import { maskedPan, PLANTED, spacedPan, TYPED } from './planted-values.js';
import { visibleText } from './slack-text.js';

export const ALICE = 'U0AGENT01';
export const BOB = 'U0AGENT02';
export const CAROL = 'U0SENIOR1';
export const STRANGER = 'U0STRANGE';
export const DAVE = 'U0ONCALL1';
export const MALLORY = 'U0MANAGER';
export const SUPPORT = 'C0SUPPORT';
export const SECURE = 'C0SECURE';
export const RANDOM = 'C0RANDOM';

/** What a flow gets: the running bot, the sandbox behind the planted issuer, and short-hands. */
export interface LeakFlowContext {
  bot: OfflineBot;
  sandbox: Sandbox;
  provider: 'sovera' | 'paycaddy';
  command(user: string, channel: string, text: string): Promise<CommandResult>;
  /**
   * `/card <op> <cardId>` and a press of its Reveal button: the offer message (which the hide timer
   * later replaces) and what the press showed.
   */
  reveal(user: string, channel: string, op: string, cardId: string): Promise<{ offer: SlackMessage; shown: string }>;
  /** Submits the modal open for this user. */
  submit(user: string, values: Record<string, string>): Promise<CommandResult & { errors?: Record<string, string> }>;
}

/**
 * One thing people do with the bot, success or failure, run by the leak test at each log level.
 * Each flow checks that it did what it meant to, so a broken flow cannot pass the leak test by
 * doing nothing. Add entries here for new features (cancel approvals, /card-audit, …).
 */
export interface LeakFlow {
  name: string;
  run(ctx: LeakFlowContext): Promise<void>;
}

/**
 * The answer a command or submission produced: its newest new message. Hide timers run in the
 * background, so messages they replaced meanwhile are also among the changed ones.
 */
export const answerOf = (result: CommandResult) => result.messages.filter((m) => m.revision === 0).at(-1);
const last = (result: CommandResult) => visibleText(answerOf(result));

/** What a button press answered through its response_url first (before any hide timer replaced it). */
export function shownBy(bot: OfflineBot, pressed: CommandResult): string {
  const post = bot.slack.responsePosts.find((p) => p.url === pressed.responseUrl);
  return post
    ? visibleText({ text: String(post.body.text ?? ''), blocks: post.body.blocks as unknown[] | undefined })
    : '';
}

export const LEAK_FLOWS: LeakFlow[] = [
  {
    name: 'help, whoami and the help of someone with no role',
    async run({ command }) {
      expect(last(await command(ALICE, SUPPORT, 'help'))).toMatch(/What you may do/);
      expect(last(await command(CAROL, SECURE, 'whoami'))).toMatch(/senior/);
      expect(last(await command(STRANGER, SUPPORT, 'help'))).toMatch(/may not run any card operation/);
    },
  },
  {
    name: 'block and unblock, each twice (the second refused by the issuer)',
    async run({ command, sandbox }) {
      expect(last(await command(ALICE, SUPPORT, 'block card-active-1 lost wallet'))).toMatch(/blocked/);
      expect(last(await command(ALICE, SUPPORT, 'block card-active-1 again'))).toMatch(/refused/);
      expect(last(await command(ALICE, SUPPORT, 'unblock card-active-1 found it'))).toMatch(/unblocked/);
      expect(last(await command(ALICE, SUPPORT, 'unblock card-active-1'))).toMatch(/refused/);
      expect(sandbox.card('card-active-1')?.status).toBe('active');
    },
  },
  {
    name: 'limit and set-limit (PayCaddy only; Sovera says it is not offered)',
    async run({ command, provider }) {
      const shown = last(await command(ALICE, SUPPORT, 'limit card-active-3'));
      const set = last(await command(CAROL, SECURE, 'set-limit card-active-3 750'));
      if (provider === 'paycaddy') {
        expect(shown).toMatch(/500/);
        expect(set).toMatch(/750/);
      } else {
        expect(shown).toMatch(/not offered|does not/i);
        expect(set).toMatch(/not offered|does not/i);
      }
    },
  },
  {
    name: 'invalid input, a card number typed as a card id included',
    async run({ command, sandbox }) {
      const before = sandbox.calls.length;
      expect(last(await command(ALICE, SUPPORT, 'block'))).toMatch(/card id is needed/);
      expect(last(await command(ALICE, SUPPORT, 'frobnicate card-active-1'))).toMatch(/not a \/card operation/);
      expect(last(await command(CAROL, SECURE, 'set-limit card-active-3 lots'))).toMatch(/amount/);
      expect(last(await command(ALICE, SUPPORT, `block ${PLANTED.pan}`))).toMatch(/looks like a card number/);
      expect(last(await command(CAROL, SECURE, `change-pin card-active-5 ${TYPED.newPin}`))).toMatch(/private form/);
      expect(sandbox.calls.length).toBe(before);
    },
  },
  {
    name: 'denials: no role, wrong channel, direct message',
    async run({ command, sandbox }) {
      const before = sandbox.calls.length;
      expect(last(await command(STRANGER, SUPPORT, 'block card-active-1'))).toMatch(/role/);
      expect(last(await command(ALICE, SUPPORT, 'cvv card-active-1'))).toMatch(/senior/);
      expect(last(await command(CAROL, SUPPORT, 'pin card-active-1'))).toMatch(/not allowed in this channel/);
      expect(last(await command(ALICE, 'D0AGENT01', 'block card-active-1'))).toMatch(/not allowed/);
      expect(sandbox.calls.length).toBe(before);
    },
  },
  {
    name: 'the operation form, used to block a card',
    async run({ bot, command, submit, sandbox }) {
      await command(ALICE, SUPPORT, '');
      expect(bot.driver.openViewOf(ALICE)?.view.callback_id).toBe('card_operation');
      await submit(ALICE, { op: 'block', card_id: 'card-active-4', reason: 'through the form' });
      expect(sandbox.card('card-active-4')?.status).toBe('blocked');
    },
  },
  {
    name: 'activation with the right details read out',
    async run({ command, submit, sandbox }) {
      await command(ALICE, SUPPORT, 'activate card-printed-1');
      const done = await submit(ALICE, { last4: TYPED.last4, cvv: TYPED.cvv });
      expect(last(done)).toMatch(/activated/);
      expect(sandbox.card('card-printed-1')?.status).toBe('active');
    },
  },
  {
    name: 'activation: badly formed details, three mismatches, the lock, and a form submitted after it',
    async run({ bot, command, submit, sandbox }) {
      await command(BOB, SUPPORT, 'activate card-unprinted-1');
      const bobsForm = bot.driver.openViewOf(BOB);
      await command(ALICE, SUPPORT, 'activate card-unprinted-1');
      const malformed = await submit(ALICE, { last4: `${TYPED.wrongLast4}x`, cvv: '9' });
      expect(Object.keys(malformed.errors ?? {}).sort()).toEqual(['cvv', 'last4']);
      const wrongPairs = [
        { last4: TYPED.wrongLast4, cvv: TYPED.cvv },
        { last4: TYPED.last4, cvv: TYPED.wrongCvv },
        { last4: TYPED.wrongLast4, cvv: TYPED.wrongCvv },
      ];
      for (const [i, typed] of wrongPairs.entries()) {
        if (i > 0) await command(ALICE, SUPPORT, 'activate card-unprinted-1');
        expect(last(await submit(ALICE, typed))).toMatch(/do not match/);
      }
      expect(last(await command(ALICE, SUPPORT, 'activate card-unprinted-1'))).toMatch(/locked until/);
      if (!bobsForm) throw new Error('no modal for bob');
      const late = await bot.driver.submitView(BOB, bobsForm, { last4: TYPED.last4, cvv: TYPED.cvv });
      expect(late.errors?.last4).toMatch(/locked until/);
      expect(sandbox.card('card-unprinted-1')?.status).toBe('pendingAck');
    },
  },
  {
    name: 'reveals of PAN (whole and masked), CVV, expiry and PIN, each to its asker only',
    async run({ reveal, bot }) {
      const whole = await reveal(CAROL, SECURE, 'pan', 'card-active-5');
      expect(whole.shown).toContain(spacedPan(PLANTED.pan));
      expect(whole.offer.to).toBe(CAROL);
      const partial = await reveal(ALICE, SECURE, 'pan', 'card-active-5');
      expect(partial.shown).toContain(maskedPan(PLANTED.pan));
      expect(partial.shown).not.toContain(spacedPan(PLANTED.pan));
      expect((await reveal(CAROL, SECURE, 'cvv', 'card-active-5')).shown).toContain(PLANTED.cvv);
      expect((await reveal(ALICE, SUPPORT, 'expiry', 'card-active-5')).shown).toContain(PLANTED.expiry);
      expect((await reveal(CAROL, SECURE, 'pin', 'card-active-5')).shown).toContain(PLANTED.pin);
      expect(await bot.audit.count({ cardId: 'card-active-5', outcome: 'revealed' })).toBe(5);
    },
  },
  {
    name: 'reveal buttons pressed by someone else, forged, or pressed twice',
    async run({ bot, command, sandbox }) {
      const offer = answerOf(await command(CAROL, SECURE, 'cvv card-active-5')) as SlackMessage;
      const copy: SlackMessage = JSON.parse(JSON.stringify(offer));
      const before = sandbox.calls.length;
      const foreign = await bot.driver.click(ALICE, offer, 'reveal_secret');
      expect(visibleText(answerOf(foreign))).toMatch(/belongs to someone else/);
      const forged: SlackMessage = JSON.parse(JSON.stringify(offer));
      const button = (forged.blocks as { elements?: { value?: string }[] }[]).find((b) => b.elements)?.elements?.[0];
      if (button) button.value = 'forged-reveal-id-0000';
      await bot.driver.click(CAROL, forged, 'reveal_secret');
      expect(visibleText(forged)).toMatch(/no longer valid/);
      expect(sandbox.calls.length).toBe(before);
      expect(shownBy(bot, await bot.driver.click(CAROL, offer, 'reveal_secret'))).toContain(PLANTED.cvv);
      await bot.driver.click(CAROL, copy, 'reveal_secret');
      expect(visibleText(copy)).toMatch(/no longer valid/);
    },
  },
  {
    name: 'a shown secret is hidden after its time',
    async run({ reveal }) {
      const { offer, shown } = await reveal(CAROL, SECURE, 'expiry', 'card-active-5');
      expect(shown).toContain(PLANTED.expiry);
      await vi.waitFor(() => expect(visibleText(offer)).toMatch(/Hidden after/), { timeout: 5_000, interval: 10 });
      expect(visibleText(offer)).not.toContain(PLANTED.expiry);
    },
  },
  {
    name: 'the hourly reveal budget, spent and refused',
    async run({ bot, command }) {
      let refused = '';
      for (let i = 0; i < 40 && !refused; i++) {
        const offer = answerOf(await command(BOB, SUPPORT, 'expiry card-active-5'));
        if (!offer || buttonsOf(offer.blocks).length === 0) refused = visibleText(offer);
        else expect(shownBy(bot, await bot.driver.click(BOB, offer, 'reveal_secret'))).toContain(PLANTED.expiry);
      }
      expect(refused).toMatch(/Not shown/);
    },
  },
  {
    name: 'unblock-pin, then again (refused)',
    async run({ command, sandbox }) {
      expect(last(await command(CAROL, SECURE, 'unblock-pin card-active-2'))).toMatch(/PIN unblocked/);
      expect(last(await command(CAROL, SECURE, 'unblock-pin card-active-2'))).toMatch(/refused/);
      expect(sandbox.card('card-active-2')?.pinBlocked).toBe(false);
    },
  },
  {
    name: 'change-pin: weak, malformed, not confirmed, then a good one',
    async run({ command, submit, sandbox }) {
      await command(CAROL, SECURE, 'change-pin card-active-5');
      expect((await submit(CAROL, { new_pin: '1111', confirm_pin: '1111' })).errors?.new_pin).toMatch(/easy/);
      expect((await submit(CAROL, { new_pin: '9876', confirm_pin: '9876' })).errors?.new_pin).toMatch(/easy/);
      expect((await submit(CAROL, { new_pin: '29o6', confirm_pin: '29o6' })).errors?.new_pin).toMatch(/4 digits/);
      const differ = await submit(CAROL, { new_pin: TYPED.newPin, confirm_pin: TYPED.wrongLast4 });
      expect(differ.errors?.confirm_pin).toMatch(/differ/);
      const done = await submit(CAROL, { new_pin: TYPED.newPin, confirm_pin: TYPED.newPin });
      expect(last(done)).toMatch(/PIN changed/);
      expect(sandbox.calls.filter((c) => c.op === 'change-pin')).toHaveLength(1);
    },
  },
  {
    name: 'the operation form turned into the reveal, the activation check and the PIN form',
    async run({ bot, command, submit }) {
      await command(CAROL, SECURE, '');
      await submit(CAROL, { op: 'pan', card_id: 'card-active-3' });
      const offer = bot.slack.visibleTo(CAROL, SECURE).findLast((m) => buttonsOf(m.blocks).length > 0);
      if (!offer) throw new Error('no offer');
      expect(shownBy(bot, await bot.driver.click(CAROL, offer, 'reveal_secret'))).toContain(spacedPan(PLANTED.pan));

      await command(ALICE, SUPPORT, '');
      await submit(ALICE, { op: 'activate', card_id: 'card-active-3' });
      expect(last(await submit(ALICE, { last4: TYPED.last4, cvv: TYPED.cvv }))).toMatch(/refused|already/);

      await command(CAROL, SECURE, '');
      await submit(CAROL, { op: 'change-pin', card_id: 'card-active-3' });
      expect(last(await submit(CAROL, { new_pin: TYPED.newPin, confirm_pin: TYPED.newPin }))).toMatch(/PIN changed/);
    },
  },
  {
    name: 'where the bot is not a member: a reveal and an activation check',
    async run({ command, submit, reveal }) {
      const { offer, shown } = await reveal(CAROL, RANDOM, 'cvv', 'card-active-3');
      expect(offer.channel).toBe(RANDOM);
      expect(shown).toContain(PLANTED.cvv);
      await command(ALICE, RANDOM, 'activate card-active-3');
      const done = await submit(ALICE, { last4: TYPED.last4, cvv: TYPED.cvv });
      expect(answerOf(done)?.channel).toBe(RANDOM);
    },
  },
  {
    name: 'answers after a modal when the response_url is dead: the ephemeral post carries no secret',
    async run({ bot, command, submit }) {
      const asked = await command(ALICE, SUPPORT, 'activate card-active-3');
      bot.slack.breakResponseUrl(asked.responseUrl, 404);
      const done = await submit(ALICE, { last4: TYPED.wrongLast4, cvv: TYPED.wrongCvv });
      expect(answerOf(done)?.via).toBe('chat.postEphemeral');
      expect(last(done)).toMatch(/do not match/);
    },
  },
  {
    name: 'a modal that cannot be opened in time',
    async run({ bot, command }) {
      bot.slack.fail('views.open', { error: 'expired_trigger_id' });
      expect(last(await command(CAROL, SECURE, 'change-pin card-active-3'))).toMatch(/could not be opened/);
    },
  },
  {
    name: 'issuer faults on reveals and state changes: 500, malformed, HTML, the other dialect, no answer',
    async run({ command, submit, reveal }) {
      // Answers in the other dialect carry the planted secrets in an envelope the client does not expect.
      const faults: [string, string, RegExp][] = [
        ['cvv', 'card-fault-500', /issuer failed/],
        ['pin', 'card-fault-malformed', /unexpected format/],
        ['pan', 'card-fault-html', /unexpected format/],
        ['pan', 'card-fault-otherdialect', /unexpected format/],
        ['expiry', 'card-fault-otherdialect', /unexpected format/],
        ['cvv', 'card-fault-slow', /did not answer in time/],
      ];
      for (const [op, cardId, expected] of faults)
        expect((await reveal(CAROL, SECURE, op, cardId)).shown).toMatch(expected);
      await command(ALICE, SUPPORT, 'activate card-fault-500');
      expect(last(await submit(ALICE, { last4: TYPED.last4, cvv: TYPED.cvv }))).toMatch(/issuer failed/);
      await command(ALICE, SUPPORT, 'activate card-fault-otherdialect');
      expect(last(await submit(ALICE, { last4: TYPED.last4, cvv: TYPED.cvv }))).toMatch(/unexpected format/);
      expect(last(await command(ALICE, SUPPORT, 'block card-fault-malformed'))).toMatch(/unexpected format/);
      expect(last(await command(CAROL, SECURE, 'unblock-pin card-fault-html'))).toMatch(/unexpected format/);
      expect(last(await command(CAROL, SECURE, 'unblock-pin card-fault-otherdialect'))).toMatch(
        /unexpected format|refused/,
      );
      await command(CAROL, SECURE, 'change-pin card-fault-otherdialect');
      expect(last(await submit(CAROL, { new_pin: TYPED.newPin, confirm_pin: TYPED.newPin }))).toMatch(
        /unexpected format/,
      );
    },
  },
  {
    name: 'cancel: a request, refused self-approval and stranger, an approval; another rejected with a reason',
    async run({ bot, command, sandbox }) {
      const approvalIn = (cardId: string) =>
        bot.slack.messages.find(
          (m) => m.channel === 'C0APPROVE' && m.visibility === 'public' && m.text.includes(cardId),
        );
      expect(last(await command(ALICE, SUPPORT, 'cancel card-active-4 card kept by an ATM'))).toMatch(/CR-/);
      const request = approvalIn('card-active-4');
      if (!request) throw new Error('no approval request posted');
      await bot.driver.click(ALICE, request, 'approval_approve');
      await bot.driver.click(STRANGER, request, 'approval_approve');
      expect(sandbox.card('card-active-4')?.status).not.toBe('cancelled');
      await bot.driver.click(DAVE, request, 'approval_approve');
      expect(sandbox.card('card-active-4')?.status).toBe('cancelled');
      await bot.driver.openHome(DAVE);

      await command(BOB, SUPPORT, 'cancel card-active-5 duplicate card');
      const second = approvalIn('card-active-5');
      if (!second) throw new Error('no second approval request posted');
      await bot.driver.click(DAVE, second, 'approval_reject');
      const form = bot.driver.openViewOf(DAVE);
      if (!form) throw new Error('no reject form');
      await bot.driver.submitView(DAVE, form, { reason: 'customer changed their mind' });
      expect(sandbox.card('card-active-5')?.status).not.toBe('cancelled');
      expect(await bot.approvals.pendingForCard('card-active-5')).toBeUndefined();
    },
  },
  {
    name: '/card-audit: a query and its next page, an export, a verify, bad filters and a refused agent',
    async run({ bot }) {
      const audit = (user: string, text: string) => bot.driver.command(user, 'D0MANAGER', '/card-audit', text);
      const page = answerOf(await audit(MALLORY, ''));
      expect(visibleText(page)).toMatch(/U0AGENT01|alice/);
      if (page && buttonsOf(page.blocks).length > 0) await bot.driver.click(MALLORY, page, 0);
      expect(visibleText(answerOf(await audit(MALLORY, 'card:card-active-1 outcome:ok')))).toMatch(/card-active-1/);
      expect(visibleText(answerOf(await audit(MALLORY, 'since:yesterday')))).toMatch(/Usage|since/i);
      await audit(MALLORY, 'export');
      expect(bot.slack.uploads.size).toBeGreaterThan(0);
      expect(visibleText(answerOf(await audit(MALLORY, 'verify')))).toMatch(/hash chain of all \d+ rows recomputes/);
      expect(visibleText(answerOf(await audit(ALICE, '')))).toMatch(/not allowed|role/i);
    },
  },
  {
    name: 'the Home tab',
    async run({ bot }) {
      await bot.driver.openHome(ALICE);
    },
  },
  {
    name: 'shutdown hides whatever is still shown',
    async run({ bot }) {
      await bot.bot.hideRevealedNow();
      expect(bot.bot.deps.reveals.shown).toBe(0);
    },
  },
];
