import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { buttonsOf } from '../../src/shell/slack-driver.js';
import {
  ALICE,
  auditOf,
  buttons,
  CAROL,
  cancelCalls,
  DAVE,
  ERIN,
  ephemeralTo,
  fileCancel,
  policyWithSeniorApprover,
  STRANGER,
} from './approvals-support.js';

function home(bot: OfflineBot, user: string) {
  const view = bot.slack.homeTabs.get(user);
  if (!view) throw new Error(`no Home tab published for ${user}`);
  return { id: `home-${user}`, view };
}

describe('the Home tab', () => {
  let bot: OfflineBot;
  let policy: ReturnType<typeof policyWithSeniorApprover> | undefined;
  afterEach(async () => {
    await bot?.close();
    policy?.remove();
    policy = undefined;
  });

  it('when an approver opens it, then they see the requests they may decide with the same buttons, and can approve from there', async () => {
    bot = await startOfflineBot();
    const { message, id } = await fileCancel(bot, ALICE, 'card-active-1');
    await bot.driver.openHome(DAVE);
    const tab = home(bot, DAVE);
    expect(tab.view.type).toBe('home');
    expect(JSON.stringify(tab.view)).toContain('card-active-1');
    expect(buttonsOf(tab.view.blocks as unknown[]).map((b) => [b.actionId, b.value])).toEqual([
      ['approval_approve', id],
      ['approval_reject', id],
    ]);
    expect((tab.view.blocks as unknown[]).length).toBeLessThanOrEqual(100);

    await bot.driver.clickInView(DAVE, tab, 'approval_approve');
    expect(cancelCalls(bot)).toHaveLength(1);
    expect((await bot.approvals.get(id))?.state).toBe('done');
    // The channel message is updated as for a click there; the approver's answer is their re-published tab.
    expect(message?.text).toContain(`<@${DAVE}>`);
    expect(buttons(message)).toHaveLength(0);
    const after = JSON.stringify(home(bot, DAVE).view);
    expect(after).toContain('is *cancelled*');
    expect(after).toContain((await bot.approvals.get(id))?.traceId ?? 'a trace id');
    expect(buttonsOf(home(bot, DAVE).view.blocks as unknown[])).toHaveLength(0);
    expect(ephemeralTo(bot, ALICE).at(-1)?.text).toContain(`approved by <@${DAVE}>`);
  });

  it('when a late approver clicks Approve on a stale Home tab, then their tab says who decided', async () => {
    bot = await startOfflineBot();
    const { id } = await fileCancel(bot, ALICE, 'card-active-2');
    await bot.driver.openHome(ERIN);
    const stale = home(bot, ERIN);
    await bot.driver.openHome(DAVE);
    await bot.driver.clickInView(DAVE, home(bot, DAVE), 'approval_approve');
    await bot.driver.clickInView(ERIN, stale, 'approval_approve');
    expect(JSON.stringify(home(bot, ERIN).view)).toContain(`<@${DAVE}> already approved`);
    expect(cancelCalls(bot)).toHaveLength(1);
    expect((await auditOf(bot, id)).filter((r) => r.outcome === 'approved')).toHaveLength(1);
  });

  it('when an approver rejects from the Home tab, then the form opens, the rejection lands, and the tab says so', async () => {
    bot = await startOfflineBot();
    const { message, id } = await fileCancel(bot, ALICE, 'card-active-3');
    await bot.driver.openHome(ERIN);
    await bot.driver.clickInView(ERIN, home(bot, ERIN), 'approval_reject');
    const form = bot.driver.openViewOf(ERIN);
    expect(form?.view.callback_id).toBe('approval_reject_reason');
    await bot.driver.submitView(ERIN, form!, { reason: 'duplicate' });
    expect((await bot.approvals.get(id))?.state).toBe('rejected');
    expect(message?.text).toContain(`Rejected by <@${ERIN}>`);
    expect(JSON.stringify(home(bot, ERIN).view)).toContain(`Rejected by <@${ERIN}>: duplicate`);
  });

  it('when someone who is not an approver opens it, then they see only their own recent requests, with no button but Withdraw on the waiting one', async () => {
    bot = await startOfflineBot();
    const { id } = await fileCancel(bot, ALICE, 'card-active-4');
    await bot.driver.openHome(ALICE);
    const tab = JSON.stringify(home(bot, ALICE).view);
    expect(tab).toContain(id);
    expect(tab).toContain('Waiting for an approver');
    expect(tab).not.toContain('waiting for a decision');
    expect(buttonsOf(home(bot, ALICE).view.blocks as unknown[]).map((b) => [b.actionId, b.value])).toEqual([
      ['approval_withdraw', id],
    ]);
    await bot.driver.openHome(STRANGER);
    expect(JSON.stringify(home(bot, STRANGER).view)).toContain('You hold no cardops role');
    expect(JSON.stringify(home(bot, STRANGER).view)).not.toContain('/card cancel');
  });

  it('when an approver who filed a request opens it, then their own request is listed as theirs, to withdraw, not offered to decide', async () => {
    policy = policyWithSeniorApprover();
    bot = await startOfflineBot({ policyFile: policy.file });
    const own = await fileCancel(bot, CAROL, 'card-active-1');
    const other = await fileCancel(bot, ALICE, 'card-active-2');
    await bot.driver.openHome(CAROL);
    const tab = home(bot, CAROL);
    expect(buttonsOf(tab.view.blocks as unknown[]).map((b) => [b.actionId, b.value])).toEqual([
      ['approval_approve', other.id],
      ['approval_reject', other.id],
      ['approval_withdraw', own.id],
    ]);
    expect(JSON.stringify(tab.view)).toContain(own.id);
  });
});
