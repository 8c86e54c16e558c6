import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { ALICE, allRows, CAROL } from './audit-command-support.js';

let bot: OfflineBot;
afterEach(async () => bot?.close());

describe('the audit says what happened, readably', () => {
  it('when a limit is set, then the started row records the requested limit and the ok row the value the issuer confirmed', async () => {
    bot = await startOfflineBot({ provider: 'paycaddy' });
    await bot.driver.command(CAROL, 'C0SECURE', '/card', 'set-limit card-active-1 750');
    const rows = allRows(bot).filter((r) => r.op === 'set-limit');
    expect(rows.map((r) => [r.outcome, r.reason])).toEqual([
      ['ok', 'limit requested: 750; issuer confirmed: 750'],
      ['started', 'limit requested: 750'],
    ]);
  });

  it('when a request is denied for its channel, then the stored reason is plain text, without Slack markup', async () => {
    bot = await startOfflineBot();
    const answer = await bot.driver.command(CAROL, 'C0SUPPORT', '/card', 'pan card-active-1');
    expect(answer.messages.at(-1)?.text).toContain('<#C0SECURE>');
    const denied = allRows(bot).find((r) => r.outcome === 'denied');
    expect(denied?.reason).toContain('#C0SECURE');
    expect(denied?.reason).not.toContain('<#');
  });

  it('when the issuer refuses, then its refusal text is kept in the error', async () => {
    bot = await startOfflineBot();
    await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'unblock card-active-1');
    const failed = allRows(bot).find((r) => r.op === 'unblock' && r.outcome === 'failed');
    expect(failed?.error).toBe('STATE_CONFLICT: issuer sovera unblock: HTTP 400 (issuer: Card is already unblocked)');
  });
});
