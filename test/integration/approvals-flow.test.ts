import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import {
  ALICE,
  approvalMessages,
  auditOf,
  buttons,
  CAROL,
  cancelCalls,
  DAVE,
  ERIN,
  ephemeralTo,
  everythingRecorded,
  fileCancel,
  policyWithSeniorApprover,
  STRANGER,
  SUPPORT,
} from './approvals-support.js';

describe.each(['sovera', 'paycaddy'] as const)('two-person cancellation, whole flow (%s)', (provider) => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());

  it('when an agent requests a cancel and an approver approves it, then exactly one cancel reaches the issuer and everyone is told', async () => {
    bot = await startOfflineBot({ provider });
    const { result, message, id } = await fileCancel(bot, ALICE, 'card-active-1', 'lost <wallet> & phone');

    // The requester: an ephemeral confirmation with the request id.
    const confirmation = result.messages.find((m) => m.to === ALICE);
    expect(confirmation?.visibility).toBe('ephemeral');
    expect(confirmation?.channel).toBe(SUPPORT);
    expect(id).toMatch(/^CR-[0-9A-Z]{8}$/);
    expect(confirmation?.text).toContain(id);
    expect(confirmation?.text).toContain('sandbox');

    // The approvals channel: card, requester, escaped reason, expiry, two buttons carrying only the id.
    expect(message?.visibility).toBe('public');
    const shown = JSON.stringify(message?.blocks);
    expect(shown).toContain('card-active-1');
    expect(shown).toContain(`<@${ALICE}>`);
    expect(shown).toContain('lost &lt;wallet&gt; &amp; phone');
    expect(shown).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|/);
    expect(buttons(message).map((b) => [b.text, b.style, b.value])).toEqual([
      ['Approve', 'primary', id],
      ['Reject', 'danger', id],
    ]);
    expect(cancelCalls(bot)).toHaveLength(0);
    expect((await bot.approvals.get(id))?.state).toBe('pending');

    // The approver approves.
    await bot.driver.click(DAVE, message!, 'approval_approve');
    expect(cancelCalls(bot)).toHaveLength(1);
    expect(bot.sandbox?.card('card-active-1')?.status).toBe('cancelled');
    const request = await bot.approvals.get(id);
    expect(request?.state).toBe('done');
    expect(request?.decidedBy).toBe(DAVE);

    // The message now says who approved, the outcome and (Sovera) the trace id; no buttons are left.
    expect(message?.text).toContain(`<@${DAVE}>`);
    expect(JSON.stringify(message?.blocks)).toContain('cancelled');
    expect(buttons(message)).toHaveLength(0);
    if (provider === 'sovera') {
      expect(request?.traceId).toBeTruthy();
      expect(JSON.stringify(message?.blocks)).toContain(request?.traceId ?? 'no trace id');
    }

    // The requester is told, ephemerally, in the channel they asked from.
    const notice = ephemeralTo(bot, ALICE).at(-1);
    expect(notice?.channel).toBe(SUPPORT);
    expect(notice?.text).toContain(id);
    expect(notice?.text).toContain(`approved by <@${DAVE}>`);

    // The audit: requested, approved, then the call's started and ok, all with the request id.
    const rows = await auditOf(bot, id);
    expect(rows.map((r) => [r.outcome, r.actor])).toEqual([
      ['requested', ALICE],
      ['approved', DAVE],
      ['started', DAVE],
      ['ok', DAVE],
    ]);
    expect(rows[0]?.reason).toBe('lost <wallet> & phone');
    expect(rows.every((r) => r.cardId === 'card-active-1')).toBe(true);
    expect((await bot.audit.verify()).ok).toBe(true);

    // No response_url left the vault.
    expect(await everythingRecorded(bot)).not.toContain(result.responseUrl);
    expect(await everythingRecorded(bot)).not.toContain('/commands/');
  });

  it('when the requester clicks Approve on their own request, then it is refused, audited, and nothing reaches the issuer', async () => {
    bot = await startOfflineBot({ provider });
    const { message, id } = await fileCancel(bot, ALICE, 'card-active-2');
    const click = await bot.driver.click(ALICE, message!, 'approval_approve');
    const refusal = click.messages.find((m) => m.to === ALICE);
    expect(refusal?.visibility).toBe('ephemeral');
    expect(refusal?.text).toMatch(/cannot decide it/);
    expect(cancelCalls(bot)).toHaveLength(0);
    expect((await bot.approvals.get(id))?.state).toBe('pending');
    expect(buttons(message)).toHaveLength(2);
    const refused = (await auditOf(bot, id)).find((r) => r.outcome === 'refused');
    expect(refused?.actor).toBe(ALICE);
    expect(refused?.reason).toMatch(/requester/);
  });

  it('when someone without an approver role clicks Approve or Reject, then each click is refused ephemerally and audited', async () => {
    bot = await startOfflineBot({ provider });
    const { message, id } = await fileCancel(bot, ALICE, 'card-active-3');
    const approve = await bot.driver.click(STRANGER, message!, 'approval_approve');
    expect(approve.messages.find((m) => m.to === STRANGER)?.text).toMatch(/Only holders of the role `approver`/);
    const reject = await bot.driver.click(CAROL, message!, 'approval_reject');
    // SPEC §6: the same ephemeral refusal as for Approve, and no form opened.
    expect(reject.messages.find((m) => m.to === CAROL)).toMatchObject({ visibility: 'ephemeral' });
    expect(reject.messages.find((m) => m.to === CAROL)?.text).toMatch(
      /Only holders of the role `approver` may approve or reject cancel requests\. This was recorded in the audit log; ask an approver to decide it\./,
    );
    expect(bot.slack.views.find((v) => v.user === CAROL)).toBeUndefined();
    expect(reject.status).toBe(200);
    expect(cancelCalls(bot)).toHaveLength(0);
    expect((await bot.approvals.get(id))?.state).toBe('pending');
    const refusals = (await auditOf(bot, id)).filter((r) => r.outcome === 'refused');
    expect(refusals.map((r) => [r.actor, r.reason?.split(':')[0]])).toEqual([
      [STRANGER, 'approve'],
      [CAROL, 'reject'],
    ]);
  });

  it('when an approver rejects with a reason, then the card is untouched, the message and the requester say why', async () => {
    bot = await startOfflineBot({ provider });
    const { message, id } = await fileCancel(bot, ALICE, 'card-active-4');
    await bot.driver.click(ERIN, message!, 'approval_reject');
    const form = bot.driver.openViewOf(ERIN);
    expect(form?.view.callback_id).toBe('approval_reject_reason');
    expect(JSON.stringify(form?.view)).not.toContain('http');
    await bot.driver.submitView(ERIN, form!, { reason: 'card is <b>fine</b>, customer found it' });
    expect((await bot.approvals.get(id))?.state).toBe('rejected');
    expect(cancelCalls(bot)).toHaveLength(0);
    expect(bot.sandbox?.card('card-active-4')?.status).toBe('active');
    expect(message?.text).toContain(`Rejected by <@${ERIN}>`);
    expect(JSON.stringify(message?.blocks)).toContain('card is &lt;b&gt;fine&lt;/b&gt;, customer found it');
    expect(buttons(message)).toHaveLength(0);
    const notice = ephemeralTo(bot, ALICE).at(-1);
    expect(notice?.text).toContain(`rejected by <@${ERIN}>: card is &lt;b&gt;fine&lt;/b&gt;`);
    const rows = await auditOf(bot, id);
    expect(rows.map((r) => r.outcome)).toEqual(['requested', 'rejected']);
    expect(rows[1]?.reason).toBe('card is <b>fine</b>, customer found it');
    expect(rows[1]?.actor).toBe(ERIN);
  });

  it('when an approver rejects without a reason, then the rejection says so and a later Approve is told who rejected', async () => {
    bot = await startOfflineBot({ provider });
    const { message, id } = await fileCancel(bot, ALICE, 'card-active-5');
    const stale = { ...message!, blocks: structuredClone(message!.blocks) };
    await bot.driver.click(DAVE, message!, 'approval_reject');
    await bot.driver.submitView(DAVE, bot.driver.openViewOf(DAVE)!, {});
    expect((await bot.approvals.get(id))?.state).toBe('rejected');
    expect((await bot.approvals.get(id))?.decisionReason).toBeNull();
    expect(message?.text).toContain('(no reason given)');
    expect(ephemeralTo(bot, ALICE).at(-1)?.text).toContain('(no reason given)');
    const late = await bot.driver.click(ERIN, stale, 'approval_approve');
    expect(late.messages.find((m) => m.to === ERIN)?.text).toContain(`<@${DAVE}> already rejected`);
    expect(cancelCalls(bot)).toHaveLength(0);
    expect((await auditOf(bot, id)).map((r) => r.outcome)).toEqual(['requested', 'rejected']);
  });

  it('when a request is decided while another approver has the reject form open, then submitting the form says so', async () => {
    bot = await startOfflineBot({ provider });
    const { message, id } = await fileCancel(bot, ALICE, 'card-blocked-1');
    const stale = { ...message!, blocks: structuredClone(message!.blocks) };
    await bot.driver.click(ERIN, message!, 'approval_reject');
    const form = bot.driver.openViewOf(ERIN)!;
    await bot.driver.click(DAVE, stale, 'approval_approve');
    const submitted = await bot.driver.submitView(ERIN, form, { reason: 'too late' });
    expect(submitted.errors).toBeUndefined();
    expect(JSON.stringify(form.view)).toContain(`<@${DAVE}> already approved`);
    expect((await bot.approvals.get(id))?.state).toBe('done');
    expect((await auditOf(bot, id)).map((r) => r.outcome)).toEqual(['requested', 'approved', 'started', 'ok']);
  });

  it('when the issuer does not answer the approved cancel in time, then the outcome is unknown everywhere and a new click does not retry it', async () => {
    bot = await startOfflineBot({ provider, issuerTimeoutMs: 150, sandboxSlowMs: 600 });
    const { message, id } = await fileCancel(bot, ALICE, 'card-fault-slow');
    const stale = { ...message!, blocks: structuredClone(message!.blocks) };
    await bot.driver.click(DAVE, message!, 'approval_approve');
    expect((await bot.approvals.get(id))?.state).toBe('unknown');
    expect(message?.text).toMatch(
      /outcome is \*unknown\*.*Run `\/card history card-[a-z0-9-]+`.*ask the issuer's support with the trace id/,
    );
    expect(ephemeralTo(bot, ALICE).at(-1)?.text).toMatch(/outcome is \*unknown\*/);
    const again = await bot.driver.click(ERIN, stale, 'approval_approve');
    expect(again.messages.find((m) => m.to === ERIN)?.text).toMatch(/will not be run again/);
    expect(cancelCalls(bot)).toHaveLength(1);
    expect((await auditOf(bot, id)).map((r) => r.outcome)).toEqual(['requested', 'approved', 'started', 'unknown']);
  });

  it('when a second cancel is requested for a card with one pending, then the answer points at the pending request', async () => {
    bot = await startOfflineBot({ provider });
    const first = await fileCancel(bot, ALICE, 'card-active-1');
    const second = await bot.driver.command(CAROL, SUPPORT, '/card', 'cancel card-active-1 duplicate report');
    const answer = second.messages.find((m) => m.to === CAROL);
    expect(answer?.text).toContain(first.id);
    expect(answer?.text).toContain('already has a cancel request');
    expect(approvalMessages(bot)).toHaveLength(1);
    expect((await auditOf(bot, first.id)).map((r) => r.outcome)).toEqual(['requested']);
  });

  it('when the approver clicks Approve from a request whose cancel the issuer refuses, then the message shows the failure and the requester is told', async () => {
    bot = await startOfflineBot({ provider });
    const { message, id } = await fileCancel(bot, ALICE, 'card-cancelled-1');
    await bot.driver.click(DAVE, message!, 'approval_approve');
    expect(cancelCalls(bot)).toHaveLength(1);
    expect((await bot.approvals.get(id))?.state).toBe('failed');
    expect(message?.text).toContain('did not cancel');
    expect(ephemeralTo(bot, ALICE).at(-1)?.text).toContain('did not cancel');
    expect((await auditOf(bot, id)).map((r) => r.outcome)).toEqual(['requested', 'approved', 'started', 'failed']);
  });
});

describe('self-approval', () => {
  let bot: OfflineBot;
  let policy: ReturnType<typeof policyWithSeniorApprover> | undefined;
  afterEach(async () => {
    await bot?.close();
    policy?.remove();
  });

  it('when the requester is also an approver, then they still cannot approve or reject their own request', async () => {
    policy = policyWithSeniorApprover();
    bot = await startOfflineBot({ policyFile: policy.file });
    const { message, id } = await fileCancel(bot, CAROL, 'card-active-1');
    const approve = await bot.driver.click(CAROL, message!, 'approval_approve');
    expect(approve.messages.find((m) => m.to === CAROL)?.text).toMatch(
      /You filed cancel request .* so you cannot decide it/,
    );
    const reject = await bot.driver.click(CAROL, message!, 'approval_reject');
    expect(reject.messages.find((m) => m.to === CAROL)?.text).toMatch(
      /You filed cancel request .* so you cannot decide it/,
    );
    expect(bot.slack.views.filter((v) => v.user === CAROL)).toEqual([]);
    expect(cancelCalls(bot)).toHaveLength(0);
    expect((await bot.approvals.get(id))?.state).toBe('pending');
    expect((await auditOf(bot, id)).map((r) => [r.outcome, r.actor])).toEqual([
      ['requested', CAROL],
      ['refused', CAROL],
      ['refused', CAROL],
    ]);
    // Another approver still can.
    await bot.driver.click(DAVE, message!, 'approval_approve');
    expect(cancelCalls(bot)).toHaveLength(1);
    expect((await bot.approvals.get(id))?.state).toBe('done');
  });

  it('when a cancel is requested where the channel does not allow it, then it is denied and nothing is posted', async () => {
    bot = await startOfflineBot();
    const result = await bot.driver.command(ALICE, 'C0RANDOM', '/card', 'cancel card-active-1 stolen');
    expect(result.messages[0]?.text).toMatch(/not allowed/);
    expect(approvalMessages(bot)).toHaveLength(0);
    expect(await bot.approvals.pendingForCard('card-active-1')).toBeUndefined();
    expect((await bot.audit.query({ op: 'cancel' }, { limit: 5 })).rows.map((r) => r.outcome)).toEqual(['denied']);
  });
});
