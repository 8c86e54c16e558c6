import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CARDS } from '../../src/sandbox/demo-cards.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { createShell } from '../../src/shell/repl.js';
import { createScriptIO, createTerminalIO } from '../../src/shell/shell-io.js';
import { createSimClock } from '../../src/shell/sim-clock.js';
import { answerTo as answer } from '../helpers/run-shell.js';

/**
 * The shell as a person meets it, in process: the real app behind it, a script (or a terminal)
 * in front. What is asserted is what the person reads.
 */

/** Runs the lines as `npm run shell < script` would; returns the transcript. */
async function script(bot: OfflineBot, lines: string[]): Promise<string> {
  let text = '';
  const io = createScriptIO(Readable.from(lines.map((l) => `${l}\n`)), (t) => {
    text += t;
  });
  const clock = bot.clock as ReturnType<typeof createSimClock>;
  await createShell(bot, io, { provider: 'sovera', clock }).run();
  return text;
}

describe('the shell screen', { timeout: 60_000 }, () => {
  let bot: OfflineBot | undefined;
  const start = async () => {
    bot = await startOfflineBot({ clock: createSimClock({ mode: 'frozen' }) });
    return bot;
  };
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('when more buttons appear, then a number once shown keeps meaning its button until its message is replaced, and is never given to another', async () => {
    const b = await start();
    const out = await script(b, [
      '/card cancel card-active-4 card retained by an ATM',
      'as carol',
      'in #secure-support',
      '/card pan card-active-1',
      'buttons',
      'as erin',
      'press 2',
      'the cardholder found it',
      'press 1',
      'as alice',
      'in #support',
      '/card cancel card-active-5 duplicate card',
      'press 99',
      'as dave',
      'press appr',
      'y',
    ]);
    const filed = answer(out, '/card cancel card-active-4 card retained by an ATM');
    expect(filed).toMatch(/\[1\] Approve {2}\[2\] Reject/);
    expect(filed).toMatch(/\[3\] Withdraw/);
    // carol's Reveal is new: a new number, and the request's buttons keep theirs in her listing.
    expect(answer(out, '/card pan card-active-1')).toMatch(/\[4\] Reveal/);
    const listed = answer(out, 'buttons');
    expect(listed).toMatch(/\[1\] Approve {2}\[2\] Reject/);
    expect(listed).toMatch(/\[4\] Reveal/);
    expect(listed).not.toContain('Withdraw'); // alice's, ephemeral to her
    // 2 still means Reject on the request, after other listings.
    expect(answer(out, 'press 2')).toMatch(/^\(erin presses \[2\] “Reject” on msg \d+\)/);
    expect((await b.audit.query({ cardId: 'card-active-4', outcome: 'rejected' }, { limit: 5 })).rows).toHaveLength(1);
    // The request was replaced: Approve is gone, and 1 says so rather than press something else.
    expect(answer(out, 'press 1')).toMatch(/Button \[1\] is no longer on msg \d+/);
    expect(b.sandbox?.card('card-active-4')?.status).toBe('active');
    // New buttons get numbers never used before.
    expect(answer(out, '/card cancel card-active-5 duplicate card')).toMatch(
      /\[5\] Approve {2}\[6\] Reject[\s\S]*\[7\] Withdraw/,
    );
    expect(answer(out, 'press 99')).toMatch(/No button was shown as \[99\]/);
    // A label (or its start) presses the newest such button the person can see.
    expect(answer(out, 'press appr')).toMatch(/\(dave presses \[5\] “Approve” on msg \d+\)/);
    expect(b.sandbox?.card('card-active-5')?.status).toBe('cancelled');
  });

  it('when cards is asked, then each demo card shows its state at the issuer now, not the seed list', async () => {
    const b = await start();
    const out = await script(b, [
      'cards',
      '/card block card-active-1 lost wallet',
      'as carol',
      'in #secure-support',
      '/card unblock-pin card-active-2',
      'cards',
    ]);
    const before = answer(out, 'cards', 1);
    expect(before).toMatch(/^ {2}card-active-1 +active *$/m);
    expect(before).toMatch(/^ {2}card-active-2 +active +PIN blocked/m);
    const after = answer(out, 'cards', 2);
    expect(after).toMatch(/^ {2}card-active-1 +blocked *$/m);
    expect(after).toMatch(/^ {2}card-active-2 +active *$/m);
    // Every row's state is the issuer's, for every demo card.
    for (const card of DEMO_CARDS) {
      const state = b.sandbox?.card(card.id)?.status;
      expect(after).toMatch(new RegExp(`^ {2}${card.id} +${state}\\b`, 'm'));
    }
    expect(after).not.toContain('what each is for');
  });

  it('when a manager types user:@alice channel:#support, then it is sent as Slack sends a picked name, and only her events in #support are listed', async () => {
    const b = await start();
    const out = await script(b, [
      '/card block card-active-1 lost wallet',
      'in #secure-support',
      '/card block card-active-5 wrong channel',
      'as bob',
      'in #support',
      '/card block card-active-3 someone else',
      'as mallory',
      'in dm',
      '/card-audit user:@alice channel:#support',
      '/card-audit user:@nobody',
    ]);
    const found = answer(out, '/card-audit user:@alice channel:#support');
    expect(found).toContain('(Slack sends it as: /card-audit user:<@U0AGENT01|alice> channel:<#C0SUPPORT|support>)');
    expect(found).toContain('card-active-1');
    expect(found).not.toContain('card-active-5');
    expect(found).not.toContain('card-active-3');
    // A name nobody has goes as typed, and the app says how to pick one.
    const unknown = answer(out, '/card-audit user:@nobody');
    expect(unknown).not.toContain('Slack sends it as');
    expect(unknown).toContain('user:@nobody');
    // The audit's own row of the query holds the filter with the member id.
    const queries = (await b.audit.query({ actor: 'U0MANAGER', op: 'audit' }, { limit: 5 })).rows;
    expect(queries.some((r) => (r.reason ?? '').includes('U0AGENT01'))).toBe(true);
  });

  it('when time is jumped with wait, then whatever fell due happened in order, and a wait that is not a duration is explained', async () => {
    const b = await start();
    const out = await script(b, [
      '/card cancel card-active-4 card retained by an ATM',
      'wait 22m',
      'wait 90s',
      'wait 2h',
      'wait soon',
    ]);
    // The example policy's ttl is 30m: the reminder is due at 22m30s, the expiry at 30m.
    expect(answer(out, 'wait 22m')).not.toContain('#card-approvals');
    expect(answer(out, 'wait 22m')).toContain('22m passed');
    expect(answer(out, 'wait 90s')).toMatch(/in the thread of msg \d+/);
    expect(answer(out, 'wait 90s')).toContain('1m 30s passed');
    expect(answer(out, 'wait 2h')).toMatch(/\[updated · public in #card-approvals\][\s\S]*expired/i);
    expect(answer(out, 'wait soon')).toMatch(/^wait <time>: 90s, 30m, 2h/);
    const rows = (await b.audit.query({ cardId: 'card-active-4' }, { limit: 10 })).rows.map((r) => r.outcome);
    expect(rows).toContain('expired');
    expect(b.sandbox?.card('card-active-4')?.status).toBe('active');
  });
});

describe('the shell at a terminal', { timeout: 60_000 }, () => {
  let bot: OfflineBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  const terminal = async () => {
    bot = await startOfflineBot({ clock: createSimClock({ mode: 'flowing' }) });
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => {
      shown += chunk.toString('utf8');
    });
    let wall = 1_000_000;
    const io = createTerminalIO(input, output, undefined, undefined, { nowMs: () => wall });
    const shell = createShell(bot, io, { provider: 'sovera', pollMs: 50 });
    let ended = false;
    const running = shell.run().then(() => {
      ended = true;
    });
    await vi.waitFor(() => expect(shown).toContain('alice@#support> '), { timeout: 20_000 });
    return {
      input,
      shown: () => shown,
      ended: () => ended,
      running,
      io,
      at(ms: number) {
        wall = ms;
      },
    };
  };

  it('when Ctrl-C is pressed, then the line is cleared and the shell says how to quit; a second within 2 s quits, one after longer does not', async () => {
    const t = await terminal();
    t.input.write('/card block card-active-1 lo');
    t.input.write('\u0003');
    await vi.waitFor(() => expect(t.shown()).toContain('Press Ctrl-C again to quit'), { timeout: 20_000 });
    expect(t.ended()).toBe(false);
    // Typed after the first Ctrl-C: only this reaches the app, not what was on the line.
    t.input.write('/card whoami\r');
    await vi.waitFor(() => expect(t.shown()).toContain('[ephemeral → alice in #support]'), { timeout: 20_000 });
    expect(bot?.sandbox?.card('card-active-1')?.status).toBe('active');
    expect((await bot?.audit.query({ op: 'block' }, { limit: 5 }))?.rows).toHaveLength(0);
    // 5 s after the first: this one only clears the line again.
    t.at(1_005_000);
    t.input.write('\u0003');
    await vi.waitFor(() => expect(t.shown().split('Press Ctrl-C again to quit').length).toBe(3), { timeout: 20_000 });
    expect(t.ended()).toBe(false);
    // 1.5 s after that one: the shell quits.
    t.at(1_006_500);
    t.input.write('\u0003');
    await vi.waitFor(() => expect(t.ended()).toBe(true), { timeout: 20_000 });
    await t.running;
    t.io.close();
  });

  it('when Ctrl-D is pressed on an empty line, then the shell quits', async () => {
    const t = await terminal();
    t.input.write('\u0004');
    await vi.waitFor(() => expect(t.ended()).toBe(true), { timeout: 20_000 });
    await t.running;
    t.io.close();
  });
});
