import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { ALICE, APPROVALS, approvalMessages, auditOf, cancelCalls, fileCancel, SUPPORT } from './approvals-support.js';

describe('when the approval message cannot be posted', () => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());

  it.each([
    ['not_in_channel', /I am not a member of <#C0APPROVE>: ask an admin to `\/invite @cardops` there/],
    ['channel_not_found', /the approvals channel \(`C0APPROVE`\) no longer exists/],
    ['ratelimited', /Slack refused to post it to <#C0APPROVE> \(`ratelimited`\)/],
  ])(
    'when Slack answers %s, then the requester is told exactly that and no request is left pending',
    async (error, wording) => {
      bot = await startOfflineBot();
      bot.slack.fail('chat.postMessage', { error });
      const result = await bot.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-1 stolen');
      const answer = result.messages.find((m) => m.to === ALICE);
      expect(answer?.visibility).toBe('ephemeral');
      expect(answer?.text).toMatch(wording);
      expect(answer?.text).toContain('No request is pending');
      expect(approvalMessages(bot)).toHaveLength(0);
      expect(await bot.approvals.pendingForCard('card-active-1')).toBeUndefined();
      expect(cancelCalls(bot)).toHaveLength(0);
      const failed = (await bot.audit.query({ op: 'cancel' }, { limit: 10 })).rows.reverse();
      expect(failed.map((r) => r.outcome)).toEqual(['requested', 'failed']);
      expect(failed[1]?.error).toContain(error);
      const id = failed[0]?.approvalId ?? '';
      expect((await bot.approvals.get(id))?.state).toBe('failed');

      // Once fixed, a new request goes through.
      const again = await fileCancel(bot, ALICE, 'card-active-1');
      expect(again.id).not.toBe(id);
      expect(again.message?.channel).toBe(APPROVALS);
      expect((await auditOf(bot, again.id)).map((r) => r.outcome)).toEqual(['requested']);
    },
  );

  it('when the bot was never invited to the approvals channel, then the requester is told to invite it', async () => {
    bot = await startOfflineBot();
    const channel = bot.slack.channels.get(APPROVALS);
    if (channel) channel.botMember = false;
    const result = await bot.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-1 stolen');
    expect(result.messages.find((m) => m.to === ALICE)?.text).toMatch(/I am not a member of <#C0APPROVE>/);
    expect(await bot.approvals.pendingForCard('card-active-1')).toBeUndefined();
  });
});
