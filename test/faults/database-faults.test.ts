import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/adapters/sqlite/database.js';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { ROOT } from '../helpers/child-bot.js';

/**
 * Database faults through the real App (SPEC §7): the file turned read-only, the disk full, the
 * database locked by another process. Whatever the fault, a state-changing issuer call is never
 * made without its durable `started` row, the asker is told that nothing was done, the process
 * stays up, and once the fault is cleared the bot works again with its chain intact.
 *
 * Each fault is a row of FAULTS: how to set it up around a bot, and how to clear it. Faults that
 * need root (a tmpfs mount, the immutable flag) are skipped, with the reason printed, where the
 * machine does not allow them.
 */

const ALICE = 'U0AGENT01';
const BOB = 'U0AGENT02';
const SUPPORT = 'C0SUPPORT';
const APPROVALS = 'C0APPROVE';
const DAVE = 'U0ONCALL1';

interface FaultySetup {
  bot: OfflineBot;
  /** Makes the database unwritable. */
  inject(): Promise<void> | void;
  /** Undoes it; undefined when the fault cannot be undone while the bot runs. */
  clear?: () => Promise<void> | void;
  dispose(): Promise<void> | void;
}

interface DatabaseFault {
  name: string;
  /** Why it cannot run here, or undefined. */
  unavailable(): string | undefined;
  setup(dir: string): Promise<FaultySetup>;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-dbfault-'));
  dirs.push(dir);
  return dir;
}

function tryCommand(file: string, args: string[]): string | undefined {
  try {
    execFileSync(file, args, { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `${file} ${args.join(' ')}: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Whether this machine lets us set the immutable flag on a file in the temporary folder. */
const immutableUnavailable = (() => {
  let cached: string | undefined | null = null;
  return () => {
    if (cached !== null) return cached;
    const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-probe-')), 'probe');
    fs.writeFileSync(probe, 'x');
    cached = tryCommand('chattr', ['+i', probe]);
    if (cached === undefined) tryCommand('chattr', ['-i', probe]);
    fs.rmSync(path.dirname(probe), { recursive: true, force: true });
    return cached;
  };
})();

/** Whether we may mount a small tmpfs (root, and a kernel that lets this container do it). */
const mountUnavailable = (() => {
  let cached: string | undefined | null = null;
  return () => {
    if (cached !== null) return cached;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-probe-'));
    cached = tryCommand('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    if (cached === undefined) tryCommand('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
    return cached;
  };
})();

/**
 * Holds `BEGIN EXCLUSIVE` on the file from another process until `release()`, or by itself after
 * `holdMs`: while our own connection waits on the lock, this process is blocked and cannot ask.
 */
async function lockFromAnotherProcess(
  databasePath: string,
  holdMs = 60_000,
): Promise<{ release(): Promise<void>; child: ChildProcess }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE');
    db.prepare("SELECT count(*) FROM audit").get();
    const release = () => { db.exec('COMMIT'); db.close(); process.exit(0); };
    setTimeout(release, Number(process.argv[2]));
    process.once('SIGTERM', release);
    process.stdout.write('locked\\n');
  `;
  const child = spawn(process.execPath, ['-e', script, databasePath, String(holdMs)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
      if (output.includes('locked')) resolve();
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.on('exit', (code) => reject(new Error(`locker exited ${code}: ${output}`)));
  });
  return {
    child,
    async release() {
      // A signal, not a line on stdin: writing to a pipe whose reader has just exited (its own
      // timer fired) raised an unhandled `write EPIPE`; a signal to a process that is gone is a no-op.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const FAULTS: DatabaseFault[] = [
  {
    name: 'the database file and its WAL turn read-only while the bot runs (immutable flag)',
    unavailable: immutableUnavailable,
    async setup(dir) {
      const databasePath = path.join(dir, 'cardops.db');
      const bot = await startOfflineBot({ databasePath });
      const files = [databasePath, `${databasePath}-wal`];
      return {
        bot,
        inject: () => {
          for (const file of files) execFileSync('chattr', ['+i', file]);
        },
        clear: () => {
          for (const file of files) execFileSync('chattr', ['-i', file]);
        },
        dispose: () => {
          for (const file of files) tryCommand('chattr', ['-i', file]);
        },
      };
    },
  },
  {
    name: 'the database is opened read-only (the file was not writable by the bot)',
    unavailable: () => undefined,
    async setup(dir) {
      const databasePath = path.join(dir, 'cardops.db');
      closeDatabase(openDatabase(databasePath));
      const readOnly = new BetterSqlite3(databasePath, { readonly: true });
      readOnly.pragma('busy_timeout = 5000');
      const bot = await startOfflineBot({ databasePath, database: readOnly });
      return { bot, inject: () => {}, dispose: () => {} };
    },
  },
  {
    name: 'the disk is full (a 2 MB tmpfs, filled up)',
    unavailable: mountUnavailable,
    async setup(dir) {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
      const databasePath = path.join(dir, 'cardops.db');
      const filler = path.join(dir, 'filler');
      const bot = await startOfflineBot({ databasePath });
      return {
        bot,
        inject: () => {
          // Fill every last block: dd stops with ENOSPC, which is the point.
          tryCommand('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k']);
        },
        clear: () => fs.rmSync(filler, { force: true }),
        dispose: () => {
          tryCommand('umount', ['-l', dir]);
        },
      };
    },
  },
  {
    name: 'another process holds the write lock longer than the busy timeout',
    unavailable: () => undefined,
    async setup(dir) {
      const databasePath = path.join(dir, 'cardops.db');
      const bot = await startOfflineBot({ databasePath });
      // The production wait is 5 s (src/adapters/sqlite/database.ts); past it the behaviour is the same.
      bot.db.pragma('busy_timeout = 300');
      let lock: Awaited<ReturnType<typeof lockFromAnotherProcess>> | undefined;
      return {
        bot,
        inject: async () => {
          lock = await lockFromAnotherProcess(databasePath);
        },
        clear: async () => {
          await lock?.release();
        },
        dispose: async () => {
          await lock?.release();
        },
      };
    },
  },
];

const outcomesOf = async (bot: OfflineBot, cardId: string) =>
  (await bot.audit.query({ cardId }, { limit: 10 })).rows.reverse().map((r) => r.outcome);

describe('database faults', () => {
  let setup: FaultySetup | undefined;
  afterEach(async () => {
    try {
      if (setup) {
        await setup.clear?.();
        await setup.bot.close();
      }
    } finally {
      await setup?.dispose();
      setup = undefined;
      for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const fault of FAULTS) {
    const reason = fault.unavailable();
    if (reason) console.log(`database fault "${fault.name}" skipped: ${reason}`);
    it.skipIf(reason !== undefined)(
      `when ${fault.name}, then no issuer call is made without its started row, the asker is told, and the bot recovers`,
      async () => {
        setup = await fault.setup(tempDir());
        const { bot } = setup;
        const writable = setup.clear !== undefined;
        let approvalMessage: SlackMessage | undefined;
        if (writable) {
          const before = await bot.driver.command(BOB, SUPPORT, '/card', 'block card-active-2 before the fault');
          expect(before.messages.find((m) => m.to === BOB)?.text).toContain('is now *blocked*');
          // A cancel request filed before the fault, to be approved while it lasts.
          await bot.driver.command(BOB, SUPPORT, '/card', 'cancel card-active-3 customer closed the account');
          approvalMessage = bot.slack.messages.find((m) => m.channel === APPROVALS && m.visibility === 'public');
          expect(approvalMessage).toBeDefined();
        }

        await setup.inject();
        const result = await bot.driver.command(ALICE, SUPPORT, '/card', 'block card-active-1 lost wallet');
        expect(result.status).toBe(200);
        const told = result.messages.filter((m) => m.to === ALICE);
        expect(told).toHaveLength(1);
        expect(told[0]?.visibility).toBe('ephemeral');
        expect(told[0]?.text).toMatch(
          /audit log could not be written, so blocking card `card-active-1` was \*not\* sent/,
        );
        // The one thing that matters: no row, no call.
        expect(bot.sandbox?.calls.filter((c) => c.cardId === 'card-active-1')).toEqual([]);
        expect(bot.sandbox?.card('card-active-1')?.status).toBe('active');

        // A cancel request cannot be filed either, and the asker hears so.
        const cancel = await bot.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-4 stolen');
        expect(cancel.messages.filter((m) => m.to === ALICE).map((m) => m.text)).toEqual([
          expect.stringMatching(/could not be written, so no cancel request was filed|could not be filed/),
        ]);
        expect(bot.slack.messages.filter((m) => m.channel === APPROVALS)).toHaveLength(approvalMessage ? 1 : 0);

        if (approvalMessage) {
          // Approving needs the claim written first: no claim, no cancel call (what the approver hears: below).
          const click = await bot.driver.click(DAVE, approvalMessage, 'approval_approve');
          expect(click.status).toBe(200);
          expect(bot.sandbox?.calls.filter((c) => c.op === 'cancel')).toEqual([]);
        }

        if (!writable) return;
        await setup.clear?.();
        expect(await outcomesOf(bot, 'card-active-1')).toEqual([]);
        const after = await bot.driver.command(ALICE, SUPPORT, '/card', 'block card-active-1 lost wallet');
        expect(after.messages.find((m) => m.to === ALICE)?.text).toContain('is now *blocked*');
        expect(await outcomesOf(bot, 'card-active-1')).toEqual(['started', 'ok']);
        expect(bot.sandbox?.calls.filter((c) => c.cardId === 'card-active-1')).toHaveLength(1);
        if (approvalMessage) {
          // The request outlived the fault: still pending, and approving it now cancels the card once.
          expect((await bot.approvals.pendingForCard('card-active-3'))?.state).toBe('pending');
          await bot.driver.click(DAVE, approvalMessage, 'approval_approve');
          expect(bot.sandbox?.calls.filter((c) => c.op === 'cancel').map((c) => c.cardId)).toEqual(['card-active-3']);
        }
        expect(await bot.audit.verify()).toMatchObject({ ok: true });
      },
    );
  }

  it('when an approver decides while the database cannot be written, then no cancel call is made, the approver is told, and the request stays pending', async () => {
    const dir = tempDir();
    const databasePath = path.join(dir, 'cardops.db');
    const bot = await startOfflineBot({ databasePath });
    setup = { bot, inject: () => {}, dispose: () => {} };
    await bot.driver.command(BOB, SUPPORT, '/card', 'cancel card-active-3 customer closed the account');
    const approval = bot.slack.messages.find((m) => m.channel === APPROVALS && m.visibility === 'public');
    expect(approval).toBeDefined();
    bot.db.pragma('busy_timeout = 300');
    const lock = await lockFromAnotherProcess(databasePath);
    try {
      const click = await bot.driver.click(DAVE, approval!, 'approval_approve');
      expect(click.status).toBe(200);
      expect(bot.sandbox?.calls.filter((c) => c.op === 'cancel')).toEqual([]);
      expect(bot.slack.messages.filter((m) => m.to === DAVE).map((m) => m.text)).toEqual([
        expect.stringMatching(/could not be (written|recorded)/i),
      ]);
      // Rejecting needs its row too: the form says it could not be recorded, and nothing changes.
      await bot.driver.click(DAVE, approval!, 'approval_reject');
      const form = bot.driver.openViewOf(DAVE);
      expect(form).toBeDefined();
      await bot.driver.submitView(DAVE, form!, { reason: 'duplicate request' });
      expect(JSON.stringify(form?.view)).toMatch(/could not be recorded/);
    } finally {
      await lock.release();
    }
    expect((await bot.approvals.pendingForCard('card-active-3'))?.state).toBe('pending');
  });

  it('when another process holds the write lock briefly, then the operation waits for it and goes through', async () => {
    const dir = tempDir();
    const databasePath = path.join(dir, 'cardops.db');
    const bot = await startOfflineBot({ databasePath });
    setup = { bot, inject: () => {}, dispose: () => {} };
    bot.db.pragma('busy_timeout = 5000');
    const lock = await lockFromAnotherProcess(databasePath, 200);
    const result = await bot.driver.command(ALICE, SUPPORT, '/card', 'block card-active-1 lost wallet');
    expect(result.messages.find((m) => m.to === ALICE)?.text).toContain('is now *blocked*');
    expect(await outcomesOf(bot, 'card-active-1')).toEqual(['started', 'ok']);
    await lock.release();
  });

  it('when the database sits on a read-only file system at start, then opening it fails at once with the cause', async () => {
    const reason = mountUnavailable();
    if (reason) {
      console.log(`read-only file system at start skipped: ${reason}`);
      return;
    }
    const dir = tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
    try {
      const databasePath = path.join(dir, 'cardops.db');
      closeDatabase(openDatabase(databasePath));
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      expect(() => openDatabase(databasePath)).toThrow(/unable to open|readonly/i);
    } finally {
      tryCommand('umount', ['-l', dir]);
    }
  });
});
