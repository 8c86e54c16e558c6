import { afterEach, describe, expect, it, vi } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { openAnswerWindow } from '../../src/slack/answer-window.js';
import { commandDelivery } from './audit-command-support.js';

const ALICE = 'U0AGENT01';
const SUPPORT = 'C0SUPPORT';

let bot: OfflineBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

describe('a /card answer and its acknowledgement, over signed HTTP', () => {
  it('when the issuer answers at once, then the answer is the acknowledgement itself: shown to the asker only, nothing posted to the response_url', async () => {
    // A window wide enough that a loaded test machine cannot miss it; production uses tens of ms.
    bot = await startOfflineBot({ transport: 'http', answerInAckMs: 2_000 });
    const result = await bot.driver.command(ALICE, SUPPORT, '/card', 'block card-active-1 lost');
    expect(result.status).toBe(200);
    expect(result.ack).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('blocked') });
    const shown = result.messages.filter((m) => m.text.includes('blocked'));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ to: ALICE, visibility: 'ephemeral', via: 'ack' });
    expect(bot.slack.responsePosts).toHaveLength(0);
    expect(bot.audit.query({ cardId: 'card-active-1' }, { limit: 5 }).rows.map((r) => r.outcome)).toEqual([
      'ok',
      'started',
    ]);
  });

  it('when the issuer is slower than the window, then an empty acknowledgement goes first and the answer follows through the response_url', async () => {
    bot = await startOfflineBot({ transport: 'http', sandboxSlowMs: 1_000 });
    const delivery = commandDelivery(bot, ALICE, SUPPORT, '/card', 'block card-fault-slow lost');
    const acked = await bot.driver.deliverRaw(delivery);
    expect(acked.status).toBe(200);
    expect(acked.ack).toBeUndefined();
    // Acknowledged while the issuer was still thinking: its answer had not come yet.
    expect(bot.slack.responsePosts).toHaveLength(0);
    await bot.bot.idle();
    const answers = bot.slack.messages.filter((m) => m.to === ALICE && m.text.includes('blocked'));
    expect(answers).toHaveLength(1);
    expect(answers[0]?.via).toBe('response_url');
  });
});

describe('the answer window', () => {
  it('when the answer is ready in time, then it is the one acknowledgement, and the timer sends nothing more', async () => {
    vi.useFakeTimers();
    try {
      const acks: unknown[] = [];
      const window = openAnswerWindow(async (m) => void acks.push(m ?? 'empty'), 40, { warn: () => {} });
      expect(await window.answer({ text: 'done' })).toBe(true);
      await vi.advanceTimersByTimeAsync(100);
      await window.close();
      expect(acks).toEqual([{ text: 'done' }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('when the window ends first, then it acknowledges empty and a later answer is refused (it goes to the response_url)', async () => {
    vi.useFakeTimers();
    try {
      const acks: unknown[] = [];
      const window = openAnswerWindow(async (m) => void acks.push(m ?? 'empty'), 40, { warn: () => {} });
      await vi.advanceTimersByTimeAsync(40);
      expect(acks).toEqual(['empty']);
      expect(await window.answer({ text: 'late' })).toBe(false);
      await window.close();
      expect(acks).toEqual(['empty']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('when the handler ends without an answer (it failed, or it opened a form), then closing acknowledges once', async () => {
    const acks: unknown[] = [];
    const window = openAnswerWindow(async (m) => void acks.push(m ?? 'empty'), 40, { warn: () => {} });
    await window.close();
    await window.close();
    expect(acks).toEqual(['empty']);
  });

  it('when the acknowledgement itself fails from the timer, then it is logged, not thrown', async () => {
    vi.useFakeTimers();
    try {
      const warned: string[] = [];
      openAnswerWindow(
        async () => {
          throw new Error('socket gone');
        },
        40,
        { warn: (_o: unknown, msg?: string) => void warned.push(msg ?? '') },
      );
      await vi.advanceTimersByTimeAsync(40);
      expect(warned).toEqual(['acknowledgement failed']);
    } finally {
      vi.useRealTimers();
    }
  });
});
