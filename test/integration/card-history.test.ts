import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { visibleText } from '../helpers/slack-text.js';

const ALICE = 'U0AGENT01';
const CAROL = 'U0SENIOR1';
const STRANGER = 'U0STRANGE';
const SUPPORT = 'C0SUPPORT';
const RANDOM = 'C0RANDOM';

describe.each(['sovera', 'paycaddy'] as const)('/card history (%s)', (provider) => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());

  const ask = async (user: string, channel: string, text: string) => {
    const result = await bot.driver.command(user, channel, '/card', text);
    const mine = result.messages.filter((m) => m.to === user && m.visibility === 'ephemeral');
    expect(mine).toHaveLength(1);
    return visibleText(mine[0]);
  };
  /** The listed operations, from the message's text (visibleText repeats it from the blocks). */
  const entriesShown = (user: string) =>
    (bot.slack.messages.filter((m) => m.to === user && m.visibility === 'ephemeral').at(-1)?.text ?? '')
      .split('\n')
      .filter((l) => l.startsWith('•'));

  it('when an agent asks for a card history, then they see the last operations with outcome, who and trace id, newest first, without any issuer call', async () => {
    bot = await startOfflineBot({ provider });
    await ask(ALICE, SUPPORT, 'block card-active-1 lost wallet');
    await ask(ALICE, SUPPORT, 'unblock card-active-1 found it');
    await ask(ALICE, SUPPORT, 'unblock card-active-1 twice');
    await ask(CAROL, SUPPORT, 'cancel card-active-1 stolen after all');
    const issuerCalls = bot.sandbox?.calls.length;

    const text = await ask(ALICE, SUPPORT, 'history card-active-1');
    expect(bot.sandbox?.calls.length).toBe(issuerCalls);
    const lines = entriesShown(ALICE);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/Unblocking was refused by the issuer · by <@U0AGENT01>/);
    expect(lines[1]).toMatch(/\*Unblocked\*.*by <@U0AGENT01>/);
    expect(lines[2]).toMatch(/\*Blocked\*.*by <@U0AGENT01>/);
    const okRows = (await bot.audit.query({ cardId: 'card-active-1', outcome: 'ok' }, { limit: 10 })).rows;
    if (provider === 'sovera') {
      for (const row of okRows) expect(text).toContain(row.traceId ?? 'a trace id');
    }
    expect(text).toMatch(/Cancel request `CR-[0-9A-Z]{8}` by <@U0SENIOR1> is waiting for an approver/);
    expect(text).toMatch(/the issuer was not asked/);
    expect(text).not.toMatch(/lost wallet|found it/);
    const looked = (await bot.audit.query({ op: 'history' }, { limit: 5 })).rows;
    expect(looked.map((r) => [r.actor, r.cardId, r.outcome])).toEqual([[ALICE, 'card-active-1', 'queried']]);
  });

  it('when a card has had more than ten operations, then only the newest ten are shown and older ones are pointed to', async () => {
    bot = await startOfflineBot({ provider });
    for (let i = 0; i < 6; i++) {
      await ask(ALICE, SUPPORT, 'block card-active-2');
      await ask(ALICE, SUPPORT, 'unblock card-active-2');
    }
    const text = await ask(ALICE, SUPPORT, 'history card-active-2');
    expect(entriesShown(ALICE)).toHaveLength(10);
    expect(text).toContain('/card-audit card:card-active-2');
  });

  it('when nothing was ever done to the card, then the history says so', async () => {
    bot = await startOfflineBot({ provider });
    expect(await ask(ALICE, SUPPORT, 'history card-active-3')).toMatch(/no record of changing card `card-active-3`/);
  });

  it('when someone without the role, or in a channel that does not allow it, asks for history, then it is refused and audited as denied', async () => {
    bot = await startOfflineBot({ provider });
    expect(await ask(STRANGER, SUPPORT, 'history card-active-1')).toMatch(/You need one of the roles/);
    expect(await ask(ALICE, RANDOM, 'history card-active-1')).toMatch(/`history` is not allowed in this channel/);
    const denied = (await bot.audit.query({ op: 'history', outcome: 'denied' }, { limit: 5 })).rows;
    expect(denied).toHaveLength(2);
  });

  it('when the card id is missing, malformed or looks like a card number, then the usage is shown and nothing is read', async () => {
    bot = await startOfflineBot({ provider });
    expect(await ask(ALICE, SUPPORT, 'history')).toMatch(/A card id is needed[\s\S]*\/card history &lt;cardId&gt;/);
    expect(await ask(ALICE, SUPPORT, 'history card-active-1 extra')).toMatch(/history takes only a card id/);
    expect(await ask(ALICE, SUPPORT, 'history 4929 8712 3456 0986')).toMatch(/looks like a card number/);
    expect((await bot.audit.query({ op: 'history', outcome: 'invalid' }, { limit: 5 })).rows).toHaveLength(3);
    expect((await bot.audit.query({ op: 'history', outcome: 'queried' }, { limit: 5 })).rows).toHaveLength(0);
  });

  it('when a block times out, then the answer says the outcome is unknown, to run /card history and to ask the issuer with the trace id, and the history shows it', async () => {
    bot = await startOfflineBot({ provider, issuerTimeoutMs: 300, sandboxSlowMs: 3_000 });
    const answer = await ask(ALICE, SUPPORT, 'block card-fault-slow');
    expect(answer).toMatch(/\*unknown\*/);
    expect(answer).toContain('Run `/card history card-fault-slow`');
    expect(answer).toMatch(/ask the issuer's support with the trace id/);
    const history = await ask(ALICE, SUPPORT, 'history card-fault-slow');
    expect(history).toMatch(/Blocking: outcome \*unknown\*/);
    expect(history).toMatch(/ask the issuer.s support about the card with its trace id/);
  });

  it('when help is asked where history is allowed, then it is listed', async () => {
    bot = await startOfflineBot({ provider });
    expect(await ask(ALICE, SUPPORT, 'help')).toContain('/card history &lt;cardId&gt;');
    expect(await ask(ALICE, RANDOM, 'help')).not.toContain('/card history');
  });
});
