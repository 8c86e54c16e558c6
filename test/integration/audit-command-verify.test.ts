import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { seedAuditRows } from '../../src/adapters/sqlite/audit-seed.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import {
  ALICE,
  allRows,
  auditLooks,
  CAROL,
  commandDelivery,
  MANAGER,
  STRANGER,
  shownTo,
  swapRows,
  tamper,
  waitFor,
} from './audit-command-support.js';

let bot: OfflineBot;

/** Ten real rows: an agent's blocks and unblocks, a stranger's refusals, each through the app. */
async function seedThroughTheApp(b: OfflineBot): Promise<void> {
  await b.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-1 lost');
  await b.driver.command(ALICE, 'C0SUPPORT', '/card', 'unblock card-active-1 found');
  await b.driver.command(STRANGER, 'C0SUPPORT', '/card', 'block card-active-1');
  await b.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-1 lost again');
  await b.driver.command(STRANGER, 'C0SUPPORT', '/card', 'unblock card-active-1');
  await b.driver.command(ALICE, 'C0SUPPORT', '/card', 'unblock card-active-1');
}

async function verify(user = MANAGER) {
  const result = await bot.driver.command(user, 'C0SUPPORT', '/card-audit', 'verify');
  expect(result.status).toBe(200);
  const told = result.messages.filter((m) => m.visibility === 'ephemeral' && m.to === user);
  expect(result.messages).toHaveLength(told.length);
  return told;
}

describe('/card-audit verify on a log of one row', () => {
  afterEach(async () => bot?.close());

  it('when the log holds a single row, then the answer speaks of the one row, not of "all 1 rows"', async () => {
    bot = await startOfflineBot();
    // One refused request: one row.
    await bot.driver.command(STRANGER, 'C0SUPPORT', '/card', 'block card-active-1');
    expect(allRows(bot)).toHaveLength(1);
    const texts = (await verify()).map((m) => m.text).join('\n');
    expect(texts).toContain('The hash chain of the one row recomputes');
    expect(texts).not.toMatch(/\ball 1 rows\b|\b1 rows\b/);
  });
});

describe('/card-audit verify', () => {
  beforeEach(async () => {
    bot = await startOfflineBot();
    await seedThroughTheApp(bot);
  });
  afterEach(async () => bot?.close());

  it('when the log is intact, then every row holds, the manager is told how many, and the check is audited', async () => {
    const rows = allRows(bot).length;
    expect(rows).toBe(10);
    const told = await verify();
    expect(told.map((m) => m.text)).toEqual([
      expect.stringContaining('Verifying the whole audit hash chain'),
      expect.stringContaining('The hash chain of all 10 rows recomputes'),
    ]);
    // No signing key here: the answer never claims more than the chain proves.
    expect(told.at(-1)?.text).toContain('The audit log is *unanchored*');
    for (const m of told) expect(m.text).toContain('sandbox');
    expect(auditLooks(bot)[0]).toMatchObject({
      actor: MANAGER,
      op: 'audit',
      outcome: 'verified',
      reason: expect.stringMatching(/^verify: all 10 rows hold; unanchored: no signing key/),
    });

    // The verification row is chained like any other: the next check counts it.
    const again = await verify();
    expect(again.at(-1)?.text).toContain('all 11 rows');
  });

  it('when one row was edited with UPDATE, then that row is named as edited, with the rows that hold before it', async () => {
    tamper(bot, "UPDATE audit SET reason = 'nothing to see' WHERE id = 4");
    const told = await verify();
    expect(told.at(-1)?.text).toContain('Row #4 breaks the audit chain: it was edited after it was written');
    expect(told.at(-1)?.text).toContain('The 3 rows before it were checked and hold.');
    expect(auditLooks(bot)[0]).toMatchObject({
      outcome: 'verified',
      reason: expect.stringMatching(/^verify: row #4 breaks the chain \(edited\); 3 rows hold before it; unanchored/),
    });
  });

  it('when one row was deleted, then the row after it is named, saying rows before it were deleted', async () => {
    tamper(bot, 'DELETE FROM audit WHERE id = 6');
    const told = await verify();
    expect(told.at(-1)?.text).toContain('Row #7 breaks the audit chain: one or more rows just before it were deleted');
    expect(told.at(-1)?.text).toContain('The 5 rows before it were checked and hold.');
    expect(auditLooks(bot)[0]?.reason).toMatch(
      /^verify: row #7 breaks the chain \(deleted-before\); 5 rows hold before it;/,
    );
  });

  it('when the last rows were deleted, then the cut at the end is reported', async () => {
    tamper(bot, 'DELETE FROM audit WHERE id >= 9');
    const told = await verify();
    expect(told.at(-1)?.text).toContain(
      'The audit log has been cut: rows after #8 (up to #10) were deleted. The 8 rows before them were checked and hold.',
    );
  });

  it('when two rows were swapped, then the first of them is named as reordered', async () => {
    swapRows(bot, 3, 7);
    const told = await verify();
    expect(told.at(-1)?.text).toContain('Row #3 breaks the audit chain: rows were swapped or moved');
    expect(told.at(-1)?.text).toContain('The 2 rows before it were checked and hold.');
    expect(auditLooks(bot)[0]?.reason).toMatch(
      /^verify: row #3 breaks the chain \(reordered\); 2 rows hold before it;/,
    );
  });

  it('when someone without the audit role asks to verify, then it is refused and audited, and no check runs', async () => {
    const told = await verify(CAROL);
    expect(told).toHaveLength(1);
    expect(told[0]?.text).toMatch(/You need the role `manager`/);
    expect(auditLooks(bot).map((l) => [l.actor, l.outcome])).toEqual([[CAROL, 'denied']]);
  });
});

describe('/card-audit verify on a large log', () => {
  afterEach(async () => bot?.close());

  it('when a verification runs over many rows, then other people are answered before it finishes', async () => {
    bot = await startOfflineBot({ transport: 'http' });
    seedAuditRows(bot.db, 100_000, { end: new Date() });
    // Follow the check's progress, without changing what it does.
    let checked = 0;
    const verifyChain = bot.audit.verify;
    vi.spyOn(bot.audit, 'verify').mockImplementation((options = {}) =>
      verifyChain({
        ...options,
        onProgress: (n) => {
          checked = n;
          options.onProgress?.(n);
        },
      }),
    );
    const verifying = bot.driver.command(MANAGER, 'C0SUPPORT', '/card-audit', 'verify');
    await waitFor(() => shownTo(bot, MANAGER).length > 0, 'the verification to start');

    const other = await bot.driver.deliverRaw(commandDelivery(bot, ALICE, 'C0SUPPORT', '/card', 'whoami'));
    expect(other.status).toBe(200);
    await waitFor(() => shownTo(bot, ALICE).length > 0, 'the other answer');
    const checkedWhenAnswered = checked;
    expect(shownTo(bot, MANAGER)).toHaveLength(1);

    await verifying;
    expect(checked).toBe(100_000);
    expect(checkedWhenAnswered).toBeLessThan(100_000);
    expect(shownTo(bot, MANAGER).at(-1)?.text).toContain('The hash chain of all 100,000 rows recomputes');
  });
});
