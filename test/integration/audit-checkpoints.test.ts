import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CheckpointSigner,
  createCheckpointSigner,
  generateCheckpointKeys,
  parseCheckpoints,
} from '../../src/domain/audit/checkpoint.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { manualClock } from '../helpers/manual-clock.js';
import { replaceEveryRow, rewriteWithTriggersDropped } from '../helpers/tamper.js';
import { ALICE, allRows, CAROL, MANAGER, STRANGER, seedIssueRows } from './audit-command-support.js';

const ANCHOR = 'C0AUDITLOG';

let bot: OfflineBot;
let dir: string;
let signer: CheckpointSigner;
let clock: ReturnType<typeof manualClock>;
let checkpointFile: string;

async function start(options: { signed?: boolean } = {}) {
  clock = manualClock();
  bot = await startOfflineBot({
    dataDir: dir,
    checkpoints: options.signed === false ? { clock } : { signer, file: checkpointFile, clock },
  });
}

const seed = seedIssueRows;

async function verify() {
  const result = await bot.driver.command(MANAGER, 'C0SUPPORT', '/card-audit', 'verify');
  return result.messages.filter((m) => m.to === MANAGER).at(-1)?.text ?? '';
}

const posted = () => bot.slack.messages.filter((m) => m.channel === ANCHOR && m.visibility === 'public');
const inFile = () =>
  fs.existsSync(checkpointFile) ? parseCheckpoints(fs.readFileSync(checkpointFile, 'utf8')).checkpoints : [];

/** Lets the checkpoint timer fire and the checkpoint be published. */
async function passTime(ms: number) {
  clock.advance(ms);
  await bot.bot.deps.anchoring.checkpointer?.settled();
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-anchor-'));
  checkpointFile = path.join(dir, 'checkpoints.log');
  signer = createCheckpointSigner(generateCheckpointKeys().privatePem);
});
afterEach(async () => {
  await bot?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('signed audit checkpoints', () => {
  it('when rows were written and 60 s pass, then one signed checkpoint is posted and filed, and verify names what it proves', async () => {
    await start();
    await seed(bot);
    const rows = allRows(bot).length;
    await passTime(59_000);
    expect(posted()).toHaveLength(0);
    await passTime(1_000);
    expect(posted()).toHaveLength(1);
    const [checkpoint] = parseCheckpoints(posted()[0]!.text).checkpoints;
    expect(checkpoint).toMatchObject({ row: rows, count: rows, key: signer.fingerprint, head: allRows(bot)[0]!.hash });
    expect(inFile()).toEqual([checkpoint]);
    expect(fs.statSync(checkpointFile).mode & 0o777).toBe(0o600);

    const told = await verify();
    expect(told).toContain(
      `Rows 1–${rows} match checkpoint 1 signed at 2026-11-22 10:01:00 UTC by key \`${signer.fingerprint}\``,
    );
    expect(told).toContain('1 from the anchor channel; 1 from the checkpoint file. 1 signed by key');
    // Nothing happened since: the timer is not re-armed by an idle log.
    await passTime(600_000);
    expect(posted()).toHaveLength(2); // the verify row itself is a row, anchored within 60 s
    await passTime(600_000);
    expect(posted()).toHaveLength(2);
  });

  it('when rows arrive after the last checkpoint, then verify says which rows are proven and which are not yet anchored', async () => {
    await start();
    await seed(bot);
    await passTime(60_000);
    const anchored = allRows(bot).length;
    await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'unblock card-active-1 found');
    const told = await verify();
    expect(told).toContain(`Rows 1–${anchored} match checkpoint 1`);
    expect(told).toContain(`Rows after it (#${anchored + 1}–#${allRows(bot).length - 1}) are not yet anchored`);
  });

  it('when a cancel is approved, then a checkpoint follows at once, without waiting for the timer', async () => {
    await start();
    await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'cancel card-active-3 stolen');
    const request = bot.slack.messages.find((m) => m.channel === 'C0APPROVE');
    expect(request).toBeDefined();
    await bot.driver.click('U0ONCALL1', request!, 'approval_approve');
    await bot.bot.deps.anchoring.checkpointer?.settled();
    expect(posted()).toHaveLength(1);
    const cancelOutcome = allRows(bot).find((r) => r.op === 'cancel' && r.outcome === 'ok');
    expect(parseCheckpoints(posted()[0]!.text).checkpoints[0]?.row).toBeGreaterThanOrEqual(cancelOutcome!.id);
  });

  it('when the bot stops, then the rows not yet anchored get a last checkpoint', async () => {
    await start();
    await seed(bot);
    const rows = allRows(bot).length;
    await bot.close();
    expect(inFile().map((c) => c.row)).toEqual([rows]);
    bot = undefined as unknown as OfflineBot;
  });

  it('when no signing key is configured, then nothing is published and verify says the log is unanchored', async () => {
    await start({ signed: false });
    await seed(bot);
    await passTime(120_000);
    expect(posted()).toHaveLength(0);
    const told = await verify();
    expect(told).toContain('The audit log is *unanchored*');
    expect(told).toContain('The hash chain of all');
    expect(told).not.toContain(':white_check_mark:');
  });

  it('when someone posts a checkpoint they signed with another key, then it proves nothing and verify says so', async () => {
    await start();
    await seed(bot);
    await passTime(60_000);
    const forger = createCheckpointSigner(generateCheckpointKeys().privatePem);
    const real = parseCheckpoints(posted()[0]!.text).checkpoints[0]!;
    const forged = forger.sign({ ...real, row: real.row, time: '2026-11-22T10:05:00.000Z' });
    bot.slack.postAs(STRANGER, ANCHOR, `cardops-checkpoint/1 ${JSON.stringify(forged)}`);
    const told = await verify();
    expect(told).toContain('1 could not be verified with that key and prove nothing');
    expect(told).toContain(`Rows 1–${real.row} match checkpoint 1`);
  });
});

describe('the attacks of issue 13, against signed checkpoints', () => {
  it('when an insider drops the triggers, deletes a denied row, changes an actor, renumbers, recomputes every hash, fixes sqlite_sequence and restores the triggers, then verify reports the checkpoint it contradicts', async () => {
    await start();
    await seed(bot);
    await passTime(60_000);
    const before = allRows(bot).length;
    rewriteWithTriggersDropped(bot.databasePath, (rows) =>
      rows
        .filter((r) => r[7] !== 'denied')
        .map((r) => (r[5] === 'unblock' ? ([r[0], r[1], 'U0SENIOR1', ...r.slice(3)] as typeof r) : r)),
    );
    expect(allRows(bot).length).toBe(before - 1);
    const told = await verify();
    // The chain itself recomputes: only the checkpoint shows the rewrite.
    expect(told).toContain('The hash chain of all');
    expect(told).toContain(':rotating_light: Checkpoint 1 (signed at 2026-11-22 10:01:00 UTC');
    expect(told).toMatch(
      /contradicts the database: row #\d+, which it signed, is gone|no longer has the hash it signed/,
    );
    expect(told).toContain('the database file has been tampered with');
  });

  it('when an insider replaces every row with INSERT OR REPLACE from a plain connection, then the trigger refuses it and the log still verifies', async () => {
    await start();
    await seed(bot);
    await passTime(60_000);
    const moveReveal = (rows: Parameters<Parameters<typeof replaceEveryRow>[1]>[0]) =>
      rows.map((r) => (r[5] === 'cvv' ? ([r[0], r[1], ALICE, ...r.slice(3)] as typeof r) : r));
    expect(() => replaceEveryRow(bot.databasePath, moveReveal, { dropTriggers: false })).toThrow(
      'a row may only be added at the head of the chain',
    );
    expect(
      allRows(bot)
        .filter((r) => r.op === 'cvv')
        .every((r) => r.actor === CAROL),
    ).toBe(true);
    expect(await verify()).toContain(':white_check_mark: Rows 1–');
  });

  it('when an insider drops every trigger and rewrites every row with INSERT OR REPLACE and recomputed hashes, then verify reports the checkpoint it contradicts', async () => {
    await start();
    await seed(bot);
    await passTime(60_000);
    replaceEveryRow(
      bot.databasePath,
      (rows) => rows.map((r) => (r[5] === 'cvv' ? ([r[0], r[1], ALICE, ...r.slice(3)] as typeof r) : r)),
      { dropTriggers: true },
    );
    expect(
      allRows(bot)
        .filter((r) => r.op === 'cvv')
        .map((r) => r.actor),
    ).toEqual([ALICE, ALICE, ALICE]);
    const told = await verify();
    expect(told).toContain('no longer has the hash it signed');
  });
});
