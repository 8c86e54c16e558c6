import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { ALICE, CAROL, DAVE, fileCancel, MALLORY, STRANGER, SUPPORT } from './approvals-support.js';

const SECURE = 'C0SECURE';
const RANDOM = 'C0RANDOM';
const PAN = '4929871234560914'; // Luhn-valid

/** What one user was shown by one `/card` command, as one text. */
async function ask(bot: OfflineBot, user: string, channel: string, text: string): Promise<string> {
  const result = await bot.driver.command(user, channel, '/card', text);
  return result.messages
    .filter((m) => m.to === user)
    .map((m) => m.text)
    .join('\n');
}

function homeOf(bot: OfflineBot, user: string): string {
  return JSON.stringify(bot.slack.homeTabs.get(user) ?? {});
}

describe('help, whoami and the Home tab know every role', () => {
  let bot: OfflineBot;
  afterEach(async () => {
    await bot?.close();
  });

  it('when an agent asks for help, then their ops are listed and neither /card-audit nor approving', async () => {
    bot = await startOfflineBot();
    const help = await ask(bot, ALICE, SUPPORT, 'help');
    expect(help).toContain('/card block');
    expect(help).not.toContain('/card-audit');
    expect(help).not.toMatch(/approve or reject/);
    // Elsewhere: the secure channel allows alice's ops too.
    expect(help).toMatch(/You may also run card operations in <#C0SECURE>/);
  });

  it('when an approver asks for help, then approving in the approvals channel and on the Home tab is listed', async () => {
    bot = await startOfflineBot();
    const help = await ask(bot, DAVE, SUPPORT, 'help');
    expect(help).toMatch(/You may not run any card operation in <#C0SUPPORT>/);
    expect(help).toMatch(
      /approve or reject cancel requests with their buttons in <#C0APPROVE> and on the cardops Home tab/,
    );
    expect(help).not.toContain('/card-audit');
    const whoami = await ask(bot, DAVE, SUPPORT, 'whoami');
    expect(whoami).toContain('`approver`');
    expect(whoami).toMatch(/approve or reject cancel requests/);
  });

  it('when a manager asks for help, then /card-audit is listed, with export and verify', async () => {
    bot = await startOfflineBot();
    const help = await ask(bot, MALLORY, SUPPORT, 'help');
    expect(help).toContain('/card-audit [filters]');
    expect(help).toContain('/card-audit verify');
    expect(help).not.toMatch(/approve or reject/);
  });

  it('when someone is refused in one channel, then they are told the channels where they may run it', async () => {
    bot = await startOfflineBot();
    const refused = await ask(bot, ALICE, RANDOM, 'block card-active-1');
    expect(refused).toContain('`block` is not allowed in this channel. You may run it in <#C0SUPPORT>, <#C0SECURE>.');
    expect(refused).toMatch(/This was recorded in the audit log; ask your team lead, if you need this\.$/m);
    const help = await ask(bot, ALICE, RANDOM, 'help');
    expect(help).toMatch(/You may run card operations in <#C0SUPPORT>, <#C0SECURE>/);
    expect((await bot.audit.query({}, { limit: 5 })).rows.find((r) => r.op === 'block')).toMatchObject({
      outcome: 'denied',
      actor: ALICE,
    });
    expect(bot.sandbox?.calls).toHaveLength(0);
  });

  it('when each role opens the Home tab, then it offers only what that viewer may do', async () => {
    bot = await startOfflineBot();
    await fileCancel(bot, ALICE, 'card-active-1');
    for (const user of [ALICE, DAVE, MALLORY, STRANGER]) await bot.driver.openHome(user);

    const agent = homeOf(bot, ALICE);
    expect(agent).toContain('Your recent cancel requests');
    expect(agent).not.toContain('waiting for a decision');
    expect(agent).not.toContain('/card-audit');

    const approver = homeOf(bot, DAVE);
    expect(approver).toContain('Cancel requests waiting for a decision');
    // Dave may not file cancels anywhere: filing one is not offered to him.
    expect(approver).not.toContain('/card cancel');

    const manager = homeOf(bot, MALLORY);
    expect(manager).toContain('/card-audit [filters]');
    expect(manager).not.toContain('/card cancel');
    expect(manager).not.toContain('waiting for a decision');

    const stranger = homeOf(bot, STRANGER);
    expect(stranger).toContain('You hold no cardops role');
    expect(stranger).not.toContain('/card cancel');
  });
});

describe('operations the issuer does not offer', () => {
  let bot: OfflineBot;
  afterEach(async () => {
    await bot?.close();
  });

  it('when the issuer is Sovera, then limits are not listed nor in the form, and asking answers "not offered by Sovera" with a denied row and no started row', async () => {
    bot = await startOfflineBot({ provider: 'sovera' });
    const help = await ask(bot, CAROL, SECURE, 'help');
    expect(help).not.toContain('/card limit');
    expect(help).not.toContain('/card set-limit');
    expect(help).toContain('/card pan');

    await bot.driver.command(CAROL, SECURE, '/card', '');
    const form = JSON.stringify(bot.driver.openViewOf(CAROL)?.view.blocks);
    expect(form).toContain('"value":"pan"');
    expect(form).not.toContain('"value":"limit"');
    expect(form).not.toContain('"value":"set-limit"');
    expect(form).not.toContain('set-limit only');

    for (const text of ['limit card-active-3', 'set-limit card-active-3 500']) {
      const answer = await ask(bot, CAROL, SECURE, text);
      expect(answer).toMatch(/`(set-)?limit` is not offered by Sovera, the issuer cardops is connected to/);
      expect(answer).toMatch(/This was recorded in the audit log; ask the operator, if the issuer should offer it\./);
    }
    const rows = (await bot.audit.query({}, { limit: 50 })).rows.filter(
      (r) => r.op === 'limit' || r.op === 'set-limit',
    );
    expect(rows.map((r) => [r.op, r.outcome])).toEqual([
      ['set-limit', 'invalid'],
      ['limit', 'invalid'],
    ]);
    expect(rows[0]?.error).toBe('NOT_OFFERED: issuer sovera (set-limit): not offered');
    expect(bot.sandbox?.calls).toHaveLength(0);
  });

  it('when the issuer is PayCaddy, then limits are listed and a too-large amount says it is too large', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    const help = await ask(bot, CAROL, SECURE, 'help');
    expect(help).toContain('/card limit ');
    expect(help).toContain('/card set-limit ');
    expect(await ask(bot, CAROL, SECURE, 'set-limit card-active-3 99999999999')).toMatch(
      /That amount is too large: a limit is at most 1,000,000,000\./,
    );
    expect(await ask(bot, CAROL, SECURE, 'set-limit card-active-3 1000000001')).toMatch(/too large/);
    expect(bot.sandbox?.calls).toHaveLength(0);
  });
});

/** `npm run shell` with no options, fed a script: its whole output. */
function shellDefault(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/shell/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    child.stdin.end(script);
  });
}

describe('the shell by default', () => {
  it('when npm run shell starts with no options, then it offers what npm start with its default provider (sandbox) offers: limits too', async () => {
    const out = await shellDefault('as U0SENIOR1\nin C0SECURE\n/card help\n/card limit card-active-3\n');
    expect(out).toMatch(/as npm start with CARD_API_PROVIDER=sandbox/);
    expect(out).toContain('/card set-limit');
    expect(out).toMatch(/Card `card-active-3`: internal monthly limit|no internal monthly limit/);
    expect(out).not.toMatch(/not offered/);
  }, 30_000);
});

describe('one voice', () => {
  let bot: OfflineBot;
  afterEach(async () => {
    await bot?.close();
  });

  it('when an op is misspelt or typed after the card id, then the answer asks "did you mean", audited, nothing sent', async () => {
    bot = await startOfflineBot();
    expect(await ask(bot, ALICE, SUPPORT, 'card-active-1 block')).toContain('Did you mean /card block card-active-1?');
    expect(await ask(bot, ALICE, SUPPORT, 'blokc card-active-1 lost')).toContain(
      'Did you mean /card block card-active-1 lost?',
    );
    expect(await ask(bot, ALICE, SUPPORT, 'card-active-1 history')).toContain(
      'Did you mean /card history card-active-1?',
    );
    // A card number typed first is never echoed back.
    const pan = await ask(bot, ALICE, SUPPORT, `${PAN} block`);
    expect(pan).toMatch(/looks like a card number/);
    expect(pan).not.toContain(PAN);
    const rows = (await bot.audit.query({}, { limit: 10 })).rows;
    expect(rows.filter((r) => r.outcome === 'invalid')).toHaveLength(4);
    expect(bot.sandbox?.calls).toHaveLength(0);
  });

  it('when a card id is malformed, then it is echoed back, escaped for Slack', async () => {
    bot = await startOfflineBot();
    const answer = await ask(bot, ALICE, SUPPORT, 'block card<b>&1');
    expect(answer).toContain('"card&lt;b&gt;&amp;1" is not a valid card id');
    expect(bot.sandbox?.calls).toHaveLength(0);
  });

  it('when a block is refused by the issuer, then the answer says "Blocking card … was refused", never "block of card"', async () => {
    bot = await startOfflineBot();
    await ask(bot, ALICE, SUPPORT, 'block card-active-2');
    const again = await ask(bot, ALICE, SUPPORT, 'block card-active-2');
    expect(again).toMatch(/Blocking card `card-active-2` was refused by the issuer: /);
    expect(again).not.toMatch(/block of card/);
  });

  it('when a reason typed in the form holds a card number, then the answer says it was masked', async () => {
    bot = await startOfflineBot();
    await bot.driver.command(ALICE, SUPPORT, '/card', '');
    const view = bot.driver.openViewOf(ALICE);
    if (!view) throw new Error('no form');
    await bot.driver.submitView(ALICE, view, {
      op: 'block',
      card_id: 'card-active-1',
      reason: `customer read out ${PAN.replace(/(\d{4})/g, '$1 ')}`,
    });
    await bot.bot.idle();
    const shown = bot.slack.messages.filter((m) => m.to === ALICE).map((m) => m.text);
    expect(shown.join('\n')).toMatch(/It was masked before it was stored or shown to anyone/);
    expect(shown.join('\n')).toMatch(/is now \*blocked\*/);
    expect(JSON.stringify(bot.slack.messages)).not.toContain(PAN.slice(0, 12).replace(/(\d{4})/g, '$1 '));
  });

  it('when an approver rejects with a card number in the reason, then they are told it was masked', async () => {
    bot = await startOfflineBot();
    const { message } = await fileCancel(bot, ALICE, 'card-active-3');
    await bot.driver.click(DAVE, message!, 'approval_reject');
    const form = bot.driver.openViewOf(DAVE);
    if (!form) throw new Error('no reject form');
    expect(JSON.stringify(form.view)).not.toContain('(optional)');
    await bot.driver.submitView(DAVE, form, { reason: `wrong card, use ${PAN}` });
    await bot.bot.idle();
    const answer = JSON.stringify(bot.slack.views.filter((v) => v.user === DAVE).at(-1)?.view);
    expect(answer).toMatch(/It was masked before it was stored or shown to anyone/);
    expect(answer).toMatch(/Rejected by/);
    expect(JSON.stringify(bot.slack.messages)).not.toContain(PAN);
  });

  it('when a cancel is chosen in the form without a reason, then the form asks for it, required, never marked optional', async () => {
    bot = await startOfflineBot();
    await bot.driver.command(ALICE, SUPPORT, '/card', '');
    const view = bot.driver.openViewOf(ALICE);
    if (!view) throw new Error('no form');
    const first = await bot.driver.submitView(ALICE, view, { op: 'cancel', card_id: 'card-active-4' });
    expect(first.errors).toBeUndefined();
    const reason = (view.view.blocks as { block_id?: string; optional?: boolean }[]).find(
      (b) => b.block_id === 'reason',
    );
    expect(reason?.optional).toBeFalsy();
    expect(JSON.stringify(view.view)).toContain('"initial_value":"card-active-4"');
    expect(await bot.audit.count({ outcome: 'invalid' })).toBe(0);
    await bot.driver.submitView(ALICE, view, {
      op: 'cancel',
      card_id: 'card-active-4',
      reason: 'stolen',
    });
    await bot.bot.idle();
    expect((await bot.approvals.pendingForCard('card-active-4'))?.reason).toBe('stolen');
  });

  it('when a Reveal button is pressed after it expired, then it says it expired and how to ask again', async () => {
    let clock = Date.parse('2026-03-01T10:00:00Z');
    bot = await startOfflineBot({ now: () => new Date(clock) });
    const asked = await bot.driver.command(CAROL, SECURE, '/card', 'pin card-active-1');
    const offer = asked.messages[0];
    if (!offer) throw new Error('no offer');
    expect(offer.text).toMatch(/Press Reveal to fetch the PIN of card `card-active-1` from the issuer/);
    expect(offer.text).not.toMatch(/is ready/);
    clock += 6 * 60_000;
    await bot.driver.click(CAROL, offer, 'reveal_secret');
    await bot.bot.idle();
    const shown = JSON.stringify(bot.slack.messages.filter((m) => m.to === CAROL));
    expect(shown).toMatch(
      /This Reveal button has expired, so nothing was shown\. Run `\/card pin card-active-1` again/,
    );
    expect(bot.sandbox?.calls).toHaveLength(0);
  });
});
