import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';

const ALICE = 'U0AGENT01';
const STRANGER = 'U0STRANGE';

describe.each(['sovera', 'paycaddy'] as const)('/card block and unblock (%s)', (provider) => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());

  it('when an agent blocks an active card in the support channel, then the card is blocked and audited', async () => {
    bot = await startOfflineBot({ provider });
    const result = await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-1 lost wallet');
    expect(result.status).toBe(200);
    const [message] = result.messages;
    expect(message?.visibility).toBe('ephemeral');
    expect(message?.to).toBe(ALICE);
    expect(message?.text).toContain('blocked');
    expect(message?.text).toContain('sandbox');
    const rows = bot.audit.query({ cardId: 'card-active-1' }, { limit: 10 }).rows.reverse();
    expect(rows.map((r) => r.outcome)).toEqual(['started', 'ok']);
    expect(rows[0]?.reason).toBe('lost wallet');
    expect(bot.sandbox?.card('card-active-1')?.status).toBe('blocked');
  });

  it('when a stranger tries to block, then it is refused, audited as denied, and the issuer never hears of it', async () => {
    bot = await startOfflineBot({ provider });
    const result = await bot.driver.command(STRANGER, 'C0SUPPORT', '/card', 'block card-active-1');
    expect(result.messages[0]?.text).toMatch(/role/i);
    const rows = bot.audit.query({}, { limit: 10 }).rows;
    expect(rows.map((r) => r.outcome)).toEqual(['denied']);
    expect(bot.sandbox?.calls).toHaveLength(0);
  });
});
