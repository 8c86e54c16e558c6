import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../src/domain/approvals/approval-types.js';
import { buttonsOf } from '../../src/shell/slack-driver.js';
import { buildApprovalMessage, buildRequesterNotice, slackDate } from '../../src/slack/views/approval-message.js';
import { buildHomeTab } from '../../src/slack/views/home-tab.js';
import { buildRejectModal, decodeRejectMetadata } from '../../src/slack/views/reject-modal.js';

const pending: ApprovalRequest = {
  id: 'CR-7K2M9QXA',
  op: 'cancel',
  cardId: 'card-active-1',
  requester: 'U0AGENT01',
  teamId: 'T1',
  requestChannel: 'C0SUPPORT',
  reason: 'stolen <!channel> & *bold*',
  state: 'pending',
  createdAt: '2026-05-01T10:00:00.000Z',
  expiresAt: '2026-05-01T10:30:00.000Z',
  decidedBy: null,
  decidedAt: null,
  decisionReason: null,
  messageChannel: 'C0APPROVE',
  messageTs: '1.1',
  traceId: null,
  error: null,
  remindedAt: null,
};

describe('approval message', () => {
  it('when pending, then it shows card, requester, escaped reason and expiry, and buttons carrying only the id', () => {
    const message = buildApprovalMessage(pending, { sandbox: false });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('card-active-1');
    expect(text).toContain('<@U0AGENT01>');
    expect(text).toContain('stolen &lt;!channel&gt; &amp; *bold*');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('<!date^1777631400^{date_short_pretty} {time}|2026-05-01 10:30 UTC>');
    expect(buttonsOf(message.blocks).map((b) => [b.actionId, b.value, b.style])).toEqual([
      ['approval_approve', 'CR-7K2M9QXA', 'primary'],
      ['approval_reject', 'CR-7K2M9QXA', 'danger'],
    ]);
    expect(text).not.toContain('Sandbox');
  });

  it('when decided, then it shows who, the outcome and the trace id, and no buttons', () => {
    const done = { ...pending, state: 'done' as const, decidedBy: 'U0ONCALL1', traceId: 'tr-1' };
    const message = buildApprovalMessage(done, { sandbox: true });
    expect(buttonsOf(message.blocks)).toEqual([]);
    expect(message.text).toContain('Approved by <@U0ONCALL1>');
    expect(JSON.stringify(message.blocks)).toContain('`tr-1`');
    expect(JSON.stringify(message.blocks)).toContain('Sandbox issuer');
  });

  it('when the outcome is unknown, then the message and the requester are told to run /card history and ask the issuer with the trace id', () => {
    const unknown = { ...pending, state: 'unknown' as const, decidedBy: 'U0ONCALL1' };
    for (const text of [
      buildApprovalMessage(unknown, { sandbox: false }).text,
      buildRequesterNotice(unknown, { sandbox: false }).text,
    ]) {
      expect(text).toMatch(/\*unknown\*/);
      expect(text).toContain('Run `/card history card-active-1`');
      expect(text).toMatch(/ask the issuer's support with the trace id/);
    }
  });

  it('when a time is not a valid date, then it is shown escaped rather than as a broken date token', () => {
    expect(slackDate('<soon>')).toBe('&lt;soon&gt;');
  });
});

describe('reject form', () => {
  it('when its metadata was tampered with, then it is refused', () => {
    const modal = buildRejectModal(pending, { a: pending.id, home: false }, false);
    expect(decodeRejectMetadata(modal.private_metadata)).toEqual({ a: pending.id, home: false });
    expect(decodeRejectMetadata('{"a":"CR-7K2M9QXA"}')).toBeUndefined();
    expect(decodeRejectMetadata('{"a":"https://hooks.slack.com/x","home":false}')).toBeUndefined();
    expect(decodeRejectMetadata('not json')).toBeUndefined();
  });
});

describe('home tab', () => {
  it('when many requests are pending, then it stays within 100 blocks', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ ...pending, id: `CR-0000${String(i).padStart(4, '0')}` }));
    const view = buildHomeTab({
      decidable: many,
      unknown: many.slice(0, 10).map((r) => ({ ...r, state: 'unknown' as const })),
      own: many.slice(0, 20),
      mayDecide: true,
      approvalsChannel: 'C0APPROVE',
      moreDecidable: 25,
      notice: { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] },
      sandbox: true,
    });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
  });
});
