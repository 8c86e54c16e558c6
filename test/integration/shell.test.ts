import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CARDS } from '../../src/sandbox/demo-cards.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { createShell } from '../../src/shell/repl.js';
import { createScriptIO, type ShellIO } from '../../src/shell/shell-io.js';
import { answerTo, runShell } from '../helpers/run-shell.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

describe('npm run shell, scripted on stdin', { timeout: 120_000 }, () => {
  let tmp: string | undefined;
  afterEach(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  it('when a newcomer scripts the basics, then each answer shows who sees it, buttons and modals work, and no PIN is echoed', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-shell-test-'));
    const script = [
      '# comments are echoed, not run',
      '/card block card-active-1 lost wallet',
      'as stranger',
      '/card unblock card-active-1',
      'as alice',
      '/card unblock card-active-1',
      'in #secure-support',
      '/card',
      'block',
      'card-active-2',
      '',
      'as carol',
      '/card pan card-active-3',
      'buttons',
      'press 1',
      'wait 2',
      '/card change-pin card-active-3',
      '5938',
      '5938',
      'in dm',
      'frobnicate',
    ].join('\n');
    const run = await runShell(`${script}\n`, ['--reveal-hide-seconds', '1'], tmp);
    const out = run.stdout;
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');

    // The banner: the dialect, the people with their roles, the channels, the demo cards; never a secret.
    const banner = out.slice(0, out.search(/^alice@#support> /m));
    expect(banner).toContain('Sovera v2');
    expect(banner).toMatch(/alice\s+U0AGENT01\s+agent/);
    expect(banner).toMatch(/stranger\s+U0STRANGE\s+no role/);
    expect(banner).toMatch(/#random\s+C0RANDOM\s+bot is NOT a member/);
    expect(banner).toMatch(/card-printed-1\s+pendingAck/);
    for (const card of DEMO_CARDS) {
      expect(banner).toContain(card.id);
      expect(banner).not.toContain(card.pan);
      expect(banner).not.toContain(card.pin);
    }
    expect(out).toContain('# comments are echoed, not run');

    const blocked = answerTo(out, '/card block card-active-1 lost wallet');
    expect(blocked).toMatch(/^\[ephemeral → alice in #support\] \(msg \d+\)/);
    expect(blocked).toContain('card-active-1');
    expect(blocked).toContain('blocked');

    const refused = answerTo(out, '/card unblock card-active-1', 1);
    expect(out).toContain('stranger@#support> /card unblock card-active-1');
    expect(refused).toMatch(/^\[ephemeral → stranger in #support\]/);
    expect(refused).toMatch(/role/i);

    const unblocked = answerTo(out, '/card unblock card-active-1', 2);
    expect(unblocked).toMatch(/^\[ephemeral → alice in #support\]/);
    expect(unblocked).toContain('unblocked');

    // The empty /card form, field by field, then the answer in the channel where it was typed.
    const form = answerTo(out, '/card');
    expect(out).toContain('alice@#secure-support> /card\n');
    expect(form).toContain('[modal for alice]: Card operation');
    expect(form).toContain('  Operation: block');
    expect(form).toContain('  Card id: card-active-2');
    expect(form).toMatch(/\[ephemeral → alice in #secure-support\] \(msg \d+\)\n.*card-active-2.*blocked/);

    // A button listed, pressed, the message replaced; then hidden again in the background.
    expect(answerTo(out, 'buttons')).toMatch(
      /Buttons carol can see:\n {2}msg (\d+) \(ephemeral → carol in #secure-support\).*\n {4}\[1\] Reveal/,
    );
    const pan = DEMO_CARDS.find((c) => c.id === 'card-active-3')?.pan ?? 'missing';
    const pressed = answerTo(out, 'press 1');
    expect(pressed).toMatch(
      /^\(carol presses \[1\] “Reveal” on msg \d+\)\n\[updated · ephemeral → carol in #secure-support\]/,
    );
    expect(pressed.replace(/\D/g, '')).toContain(pan.slice(-4));
    const waited = answerTo(out, 'wait 2');
    expect(waited).toMatch(/\[updated · ephemeral → carol in #secure-support\]/);
    expect(waited.replace(UUID, '').replace(/\D/g, '')).not.toContain(pan.slice(-4));

    // PIN fields are masked in the transcript, and the PIN appears nowhere.
    const change = answerTo(out, '/card change-pin card-active-3');
    expect(change).toMatch(/New PIN[^\n]*: ••••\n/);
    expect(out.replace(UUID, '<trace>')).not.toContain('5938');

    expect(out).toContain('carol@dm> frobnicate');
    expect(answerTo(out, 'frobnicate')).toMatch(/^Unknown command “frobnicate”: type help/);
  });

  it('when started with --provider paycaddy and --log-level info, then it says so, works, and logs go to stderr only', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-shell-test-'));
    const run = await runShell('/card block card-active-1\n', ['--provider', 'paycaddy', '--log-level', 'info'], tmp);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('PayCaddy v1');
    expect(answerTo(run.stdout, '/card block card-active-1')).toMatch(
      /^\[ephemeral → alice in #support\][\s\S]*blocked/,
    );
    expect(run.stdout.split('\n').some((line) => line.startsWith('{'))).toBe(false);
    const logLines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow();
  });
});

/** Lines fed one by one, as a pipe would; output collected. */
function scripted(lines: string[]): { io: ShellIO; output: () => string } {
  let text = '';
  const io = createScriptIO(Readable.from(lines.map((l) => `${l}\n`)), (t) => {
    text += t;
  });
  return { io, output: () => text };
}

describe('the shell in-process', () => {
  let bot: OfflineBot | undefined;
  let filesDir: string | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    if (filesDir) fs.rmSync(filesDir, { recursive: true, force: true });
    filesDir = undefined;
  });

  it('when someone presses a button on a message ephemeral to another person, then the shell refuses and the app never hears of it', async () => {
    bot = await startOfflineBot();
    const { io, output } = scripted([
      'as carol',
      'in #secure-support',
      '/card pan card-active-1',
      'as alice',
      'press 1',
    ]);
    const shell = createShell(bot, io, { provider: 'sovera' });
    await shell.run();
    expect(output()).toContain('alice cannot see that message: it is ephemeral to carol (`as carol` first).');
    const revealed = (await bot.audit.query({ outcome: 'revealed' }, { limit: 10 })).rows;
    expect(revealed).toHaveLength(0);
    expect(bot.slack.calls.filter((c) => c.method.startsWith('chat.')).length + bot.slack.responsePosts.length).toBe(1);
  });

  it('when a message is replaced while a person sits at the prompt, then it is shown as updated without waiting for a command', async () => {
    bot = await startOfflineBot({ revealHideMs: 200 });
    const lines = ['as carol', 'in #secure-support', '/card pan card-active-1', 'press 1'];
    const notified: string[] = [];
    let release: (value: undefined) => void = () => {};
    let waiting = false;
    const io: ShellIO = {
      interactive: true,
      get waiting() {
        return waiting;
      },
      async ask() {
        const next = lines.shift();
        if (next !== undefined) return next;
        waiting = true;
        return new Promise<undefined>((resolve) => {
          release = resolve;
        });
      },
      print() {},
      notify(text) {
        notified.push(text);
      },
      close() {},
    };
    const shell = createShell(bot, io, { provider: 'sovera', pollMs: 20 });
    const running = shell.run();
    await vi.waitFor(() => expect(notified.join('\n')).toMatch(/\[updated · ephemeral → carol in #secure-support\]/), {
      timeout: 5_000,
    });
    const pan = DEMO_CARDS.find((c) => c.id === 'card-active-1')?.pan ?? 'missing';
    expect(notified.join('\n').replace(/\D/g, '')).not.toContain(pan.slice(-4));
    release(undefined);
    await running;
  });

  it('when a manager exports the audit log, then the file Slack received is saved byte for byte and its first lines shown', async () => {
    bot = await startOfflineBot();
    filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-shell-files-test-'));
    const { io, output } = scripted(['/card block card-active-1', 'as mallory', 'in dm', '/card-audit export']);
    await createShell(bot, io, { provider: 'sovera', filesDir }).run();
    const [upload] = [...bot.slack.uploads.values()];
    expect(upload).toBeDefined();
    const saved = fs.readdirSync(filesDir);
    expect(saved).toHaveLength(1);
    expect(fs.readFileSync(path.join(filesDir, saved[0] ?? ''))).toEqual(upload);
    const header = upload?.toString('utf8').split(/\r?\n/)[0] ?? 'missing';
    expect(output()).toContain(`saved to ${path.join(filesDir, saved[0] ?? '')}\n`);
    expect(output()).toContain(`│ ${header}`);
  });

  it('when a modal field is refused by the app, then only that field is asked again, and !cancel closes the modal', async () => {
    bot = await startOfflineBot();
    const { io, output } = scripted([
      '/card',
      '1',
      'not a card id!',
      'why',
      'card-active-1',
      '/card',
      '!cancel',
      'modal',
    ]);
    await createShell(bot, io, { provider: 'sovera' }).run();
    const text = output();
    expect(text).toMatch(
      /The app sent the form back:\n {2}! Card id: [^\n]+\n {2}Card id \(required\)[^\n]*\n {2}Card id: card-active-1\n/,
    );
    // The refused answer is not submitted again, the reason typed first is kept.
    expect(bot.sandbox?.card('card-active-1')?.status).toBe('blocked');
    expect((await bot.audit.query({ cardId: 'card-active-1' }, { limit: 5 })).rows.at(-1)?.reason).toBe('why');
    expect(text).toContain('  (modal closed)\n');
    expect(text).toContain('No modal is open for alice.');
  });
});
