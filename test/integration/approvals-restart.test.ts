import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import {
  ALICE,
  auditOf,
  buttons,
  cancelCalls,
  DAVE,
  ERIN,
  ephemeralTo,
  fileCancel,
  SUPPORT,
} from './approvals-support.js';

/** Slack keeps the approval message while cardops restarts: hand it to the new stand-in. */
function carryOver(bot: OfflineBot, message: SlackMessage): SlackMessage {
  const copy = { ...message, id: 10_000 + message.id, blocks: structuredClone(message.blocks) };
  bot.slack.messages.push(copy);
  return copy;
}

describe.each(['sovera', 'paycaddy'] as const)('restarts (%s)', (provider) => {
  let dir: string;
  let first: OfflineBot | undefined;
  let second: OfflineBot | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-restart-'));
  });
  afterEach(async () => {
    await first?.close();
    await second?.close();
    first = undefined;
    second = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when cardops restarts with a pending request, then the request survives and an approver can approve it once', async () => {
    const databasePath = path.join(dir, 'cardops.db');
    first = await startOfflineBot({ provider, databasePath });
    const { message, id } = await fileCancel(first, ALICE, 'card-active-1');
    await first.close();
    first = undefined;

    second = await startOfflineBot({ provider, databasePath });
    expect((await second.approvals.get(id))?.state).toBe('pending');
    const kept = carryOver(second, message!);
    await second.driver.click(DAVE, kept, 'approval_approve');
    expect(cancelCalls(second)).toHaveLength(1);
    expect((await second.approvals.get(id))?.state).toBe('done');
    expect(kept.text).toContain(`<@${DAVE}>`);
    expect(buttons(kept)).toHaveLength(0);
    // The response_url died with the first process: the requester is told in the channel they asked from.
    const notice = ephemeralTo(second, ALICE).at(-1);
    expect(notice?.channel).toBe(SUPPORT);
    expect(notice?.via).toBe('chat.postEphemeral');
    expect(notice?.text).toContain(id);
    expect((await auditOf(second, id)).map((r) => r.outcome)).toEqual(['requested', 'approved', 'started', 'ok']);
  });

  it('when cardops stopped during a cancel, then at restart the request is marked unknown, shown as such, and never run again', async () => {
    const databasePath = path.join(dir, 'cardops.db');
    first = await startOfflineBot({ provider, databasePath });
    const { message, id } = await fileCancel(first, ALICE, 'card-active-2');
    // An approver's claim went through; the process died before the issuer answered.
    expect((await first.approvals.claim(id, DAVE)).claimed).toBe(true);
    await first.close();
    first = undefined;

    second = await startOfflineBot({ provider, databasePath });
    const request = await second.approvals.get(id);
    expect(request?.state).toBe('unknown');
    const rows = await auditOf(second, id);
    expect(rows.map((r) => r.outcome)).toEqual(['requested', 'unknown']);
    expect(rows[1]?.actor).toBe(DAVE);
    // The approval message was updated to say so (the stand-in has no copy of it, so look at the call).
    const update = second.slack.calls.find((c) => c.method === 'chat.update' && c.args.ts === message?.ts);
    expect(String(update?.args.text)).toMatch(/outcome is unknown.*check the card at the issuer before doing anything/);
    expect(ephemeralTo(second, ALICE).at(-1)?.text).toMatch(/outcome is \*unknown\*/);

    // Clicking Approve again, on the old message, does not run it again.
    const kept = carryOver(second, message!);
    const click = await second.driver.click(ERIN, kept, 'approval_approve');
    expect(click.messages.find((m) => m.to === ERIN)?.text).toMatch(/outcome is unknown.*will not be run again/);
    expect(cancelCalls(second)).toHaveLength(0);
    expect((await second.approvals.get(id))?.state).toBe('unknown');

    // Approvers see it flagged on their Home tab.
    await second.driver.openHome(ERIN);
    const home = JSON.stringify(second.slack.homeTabs.get(ERIN));
    expect(home).toContain('Outcome unknown');
    expect(home).toContain(id);

    // A third start does not audit it again.
    await second.close();
    second = await startOfflineBot({ provider, databasePath });
    expect((await auditOf(second, id)).map((r) => r.outcome)).toEqual(['requested', 'unknown']);
  });

  it('when recovery cannot write at start, then the bot still starts and the interrupted cancel is never run again', async () => {
    const databasePath = path.join(dir, 'cardops.db');
    first = await startOfflineBot({ provider, databasePath });
    const { message, id } = await fileCancel(first, ALICE, 'card-active-4');
    expect((await first.approvals.claim(id, DAVE)).claimed).toBe(true);
    await first.close();
    first = undefined;

    second = await startOfflineBot({ provider, databasePath, database: new Sqlite(databasePath, { readonly: true }) });
    expect((await second.approvals.get(id))?.state).toBe('executing');
    const click = await second.driver.click(ERIN, carryOver(second, message!), 'approval_approve');
    expect(click.messages.find((m) => m.to === ERIN)?.text).toContain(`<@${DAVE}> already approved`);
    expect(cancelCalls(second)).toHaveLength(0);
  });

  it('when cardops stopped after filing a request but before posting it, then at restart it is voided and the card can be requested again', async () => {
    const databasePath = path.join(dir, 'cardops.db');
    first = await startOfflineBot({ provider, databasePath });
    const created = await first.approvals.create({
      cardId: 'card-active-3',
      requester: ALICE,
      teamId: 'T0CARDOPS',
      requestChannel: SUPPORT,
      reason: 'stolen',
      ttlMs: 30 * 60_000,
    });
    expect(created.created).toBe(true);
    await first.close();
    first = undefined;

    second = await startOfflineBot({ provider, databasePath });
    expect(await second.approvals.pendingForCard('card-active-3')).toBeUndefined();
    expect(ephemeralTo(second, ALICE).at(-1)?.text).toMatch(/never reached the approvers/);
    const again = await fileCancel(second, ALICE, 'card-active-3');
    expect(again.request?.state).toBe('pending');
  });
});
