import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { ALICE, auditOf, cancelCalls, DAVE, ERIN, fileCancel } from './approvals-support.js';

describe.each(['in-process', 'http'] as const)('parallel approvals (%s)', (transport) => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());

  it('when 20 Approve clicks arrive at once, then one cancel reaches the issuer, one approval is audited, and the rest are told who decided', async () => {
    bot = await startOfflineBot({ transport });
    const { message, id } = await fileCancel(bot, ALICE, 'card-active-1');
    const stale = { ...message!, blocks: structuredClone(message!.blocks) };
    const clickers = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? DAVE : ERIN));
    const results = await Promise.all(clickers.map((user) => bot.driver.click(user, stale, 'approval_approve')));
    expect(results.every((r) => r.status === 200)).toBe(true);

    expect(cancelCalls(bot)).toHaveLength(1);
    const rows = await auditOf(bot, id);
    expect(rows.map((r) => r.outcome)).toEqual(['requested', 'approved', 'started', 'ok']);
    const winner = rows[1]?.actor;
    expect([DAVE, ERIN]).toContain(winner);
    expect((await bot.approvals.get(id))?.decidedBy).toBe(winner);

    // 19 late clickers, each told (ephemerally, only to them) who approved.
    const lateAnswers = bot.slack.messages.filter(
      (m) => m.visibility === 'ephemeral' && (m.to === DAVE || m.to === ERIN) && m.channel === message?.channel,
    );
    expect(lateAnswers).toHaveLength(19);
    for (const answer of lateAnswers) expect(answer.text).toContain(`<@${winner}> already approved`);

    // A replay of the click after the fact changes nothing.
    const replay = await bot.driver.click(ERIN, stale, 'approval_approve');
    expect(replay.messages.find((m) => m.to === ERIN)?.text).toContain(`<@${winner}> already approved`);
    expect(cancelCalls(bot)).toHaveLength(1);
    expect(await auditOf(bot, id)).toHaveLength(4);
  });
});
