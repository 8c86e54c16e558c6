import type { KnownBlock } from '@slack/types';
import { z } from 'zod';
import type { PostProblem } from '../../domain/approvals/approval-ports.js';
import type { ApprovalRequest } from '../../domain/approvals/approval-types.js';
import type { ApproveResult } from '../../domain/approvals/approve-cancel.js';
import type { RejectCancelResult } from '../../domain/approvals/reject-cancel.js';
import type { WithdrawCancelResult } from '../../domain/approvals/withdraw-cancel.js';
import type { Policy } from '../../domain/policy/policy-schema.js';
import { MESSAGES } from '../../messages.js';
import { escapeMrkdwn, mentionUser } from './mrkdwn.js';
import { buildReply, SANDBOX_NOTE, type SlackReply } from './reply.js';

interface Options {
  sandbox: boolean;
}

export const APPROVE_ACTION_ID = 'approval_approve';
export const REJECT_ACTION_ID = 'approval_reject';
export const WITHDRAW_ACTION_ID = 'approval_withdraw';

/** A button's value is the request id and nothing else; anything else is refused before the store is read. */
export const approvalIdSchema = z.string().regex(/^CR-[0-9A-HJKMNP-TV-Z]{8}$/);

/** A time every reader sees in their own time zone (Slack's date token), with a UTC fallback. */
export function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return escapeMrkdwn(iso);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

const traceContext = (request: ApprovalRequest) =>
  request.traceId ? [MESSAGES.traceLine({ traceId: request.traceId })] : [];

/** One line on where the request stands, as the approvals channel reads it. */
export function describeOutcome(request: ApprovalRequest): string {
  const a = { by: request.decidedBy, cardId: request.cardId };
  switch (request.state) {
    case 'pending':
      return MESSAGES.approvalWaiting({ when: slackDate(request.expiresAt) });
    case 'executing':
      return MESSAGES.approvalExecuting(a);
    case 'done':
      return MESSAGES.approvalDone(a);
    case 'failed':
      return request.decidedBy
        ? MESSAGES.approvalFailed({ ...a, error: request.error })
        : MESSAGES.approvalNeverPosted();
    case 'unknown':
      return MESSAGES.approvalUnknown(a);
    case 'rejected':
      return MESSAGES.approvalRejected({ ...a, reason: request.decisionReason });
    case 'withdrawn':
      return MESSAGES.approvalWithdrawn({ requester: request.requester, cardId: request.cardId });
    case 'expired':
      return MESSAGES.approvalExpired({ when: slackDate(request.expiresAt), cardId: request.cardId });
  }
}

/** The requester's Withdraw button (their confirmation, their Home tab): its value is the request id only. */
export function withdrawButton(request: ApprovalRequest) {
  return {
    type: 'button' as const,
    action_id: WITHDRAW_ACTION_ID,
    text: { type: 'plain_text' as const, text: MESSAGES.withdrawButton() },
    value: request.id,
    confirm: {
      title: { type: 'plain_text' as const, text: MESSAGES.withdrawConfirmTitle() },
      text: {
        type: 'mrkdwn' as const,
        text: MESSAGES.withdrawConfirmText({ requestId: request.id, cardId: request.cardId }),
      },
      confirm: { type: 'plain_text' as const, text: MESSAGES.withdrawButton() },
      deny: { type: 'plain_text' as const, text: MESSAGES.buttonBack() },
    },
  };
}

/**
 * The thread reply when a cancel that had been reported `unknown` (its replica was taken for
 * stopped) gets its real outcome after all.
 */
export function buildLateOutcomeNote(request: ApprovalRequest, options: Options): SlackReply {
  return buildReply([MESSAGES.approvalLateOutcome({ requestId: request.id, outcome: describeOutcome(request) })], {
    ...options,
    context: traceContext(request),
  });
}

/** The Approve and Reject buttons: their values carry the request id only. */
export function approvalButtons(request: ApprovalRequest): KnownBlock {
  return {
    type: 'actions',
    block_id: `approval:${request.id}`,
    elements: [
      {
        type: 'button',
        action_id: APPROVE_ACTION_ID,
        text: { type: 'plain_text', text: MESSAGES.approveButton() },
        style: 'primary',
        value: request.id,
        confirm: {
          title: { type: 'plain_text', text: MESSAGES.approveConfirmTitle() },
          text: { type: 'mrkdwn', text: MESSAGES.approveConfirmText({ cardId: request.cardId }) },
          confirm: { type: 'plain_text', text: MESSAGES.approveConfirmButton() },
          deny: { type: 'plain_text', text: MESSAGES.buttonBack() },
        },
      },
      {
        type: 'button',
        action_id: REJECT_ACTION_ID,
        text: { type: 'plain_text', text: MESSAGES.rejectButton() },
        style: 'danger',
        value: request.id,
      },
    ],
  };
}

/** The card, requester, reason and, while it waits, expiry of a request, as section fields. */
export function requestFields(request: ApprovalRequest): KnownBlock {
  const fields = [
    { type: 'mrkdwn' as const, text: MESSAGES.fieldCard({ cardId: request.cardId }) },
    { type: 'mrkdwn' as const, text: MESSAGES.fieldRequestedBy({ requester: request.requester }) },
    { type: 'mrkdwn' as const, text: MESSAGES.fieldReason({ reason: request.reason }) },
  ];
  // A decided, withdrawn or expired request expires no more: its outcome says what happened.
  if (request.state === 'pending')
    fields.push({ type: 'mrkdwn', text: MESSAGES.fieldExpires({ when: slackDate(request.expiresAt) }) });
  return { type: 'section', fields };
}

/**
 * The public message in the approvals channel. Pending: the request and its buttons. Later: who
 * decided, the outcome and the issuer's trace id, and no buttons. Never a secret: only the card
 * id, people and the (already masked) reason.
 */
export function buildApprovalMessage(request: ApprovalRequest, options: Options): SlackReply {
  const title = MESSAGES.approvalTitle({ requestId: request.id, cardId: request.cardId });
  const outcome = describeOutcome(request);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: title } }, requestFields(request)];
  const context: string[] = [];
  if (request.state === 'pending') {
    blocks.push(approvalButtons(request));
    context.push(MESSAGES.approvalWhoDecides());
  } else {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: outcome } });
    context.push(...traceContext(request));
  }
  if (options.sandbox) context.push(SANDBOX_NOTE);
  if (context.length > 0) blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) });
  const text =
    request.state === 'pending'
      ? MESSAGES.approvalFallbackWaiting({
          requestId: request.id,
          cardId: request.cardId,
          requester: request.requester,
        })
      : MESSAGES.approvalFallbackOutcome({ requestId: request.id, outcome });
  return { text: options.sandbox ? `${text} ${MESSAGES.sandboxNoteShort()}` : text, blocks };
}

/** The requester's confirmation: filed, where, until when, and that they cannot approve it themself. */
export function buildCancelRequested(request: ApprovalRequest, options: Options): SlackReply {
  const reply = buildReply(
    [
      MESSAGES.cancelRequested({
        requestId: request.id,
        cardId: request.cardId,
        channel: request.messageChannel,
        when: slackDate(request.expiresAt),
      }),
      MESSAGES.cancelRequestedNext(),
    ],
    options,
  );
  // The button goes right after the text, before the context line.
  const at = reply.blocks.findIndex((block) => block.type === 'context');
  const actions: KnownBlock = {
    type: 'actions',
    block_id: `withdraw:${request.id}`,
    elements: [withdrawButton(request)],
  };
  reply.blocks.splice(at === -1 ? reply.blocks.length : at, 0, actions);
  return reply;
}

export function buildCancelAlreadyPending(request: ApprovalRequest, options: Options): SlackReply {
  return buildReply(
    [
      MESSAGES.cancelAlreadyPending({
        cardId: request.cardId,
        requestId: request.id,
        requester: request.requester,
        executing: request.state === 'executing',
        by: request.decidedBy,
        channel: request.messageChannel,
        when: slackDate(request.expiresAt),
      }),
    ],
    options,
  );
}

/** A requester limit refused a new request: which one, and when it frees up. */
export function buildCancelLimited(
  limited: { why: 'live' | 'hour'; limit: number; freeAt: Date },
  options: Options,
): SlackReply {
  const a = { limit: limited.limit, when: slackDate(limited.freeAt.toISOString()) };
  const text = limited.why === 'live' ? MESSAGES.cancelLimitedLive(a) : MESSAGES.cancelLimitedHour(a);
  return buildReply([text, MESSAGES.cancelLimitedBlockInstead()], options);
}

/** The approval message could not be posted: exactly why, and who can fix it. */
export function buildCancelNotPosted(
  problem: PostProblem,
  channel: string,
  error: string,
  options: Options,
): SlackReply {
  const kind = problem === 'not_in_channel' || problem === 'channel_not_found' ? problem : 'other';
  return buildReply(
    [MESSAGES.cancelNotPosted({ problem: kind, channel, error }), MESSAGES.cancelNotPostedNext()],
    options,
  );
}

export function buildCancelUnavailable(kind: 'no-approvers' | 'audit-unavailable', options: Options): SlackReply {
  return buildReply(
    [kind === 'no-approvers' ? MESSAGES.cancelSwitchedOff() : MESSAGES.cancelAuditUnavailable()],
    options,
  );
}

/** What the requester is told when their request ends. */
export function buildRequesterNotice(request: ApprovalRequest, options: Options): SlackReply {
  const a = { requestId: request.id, cardId: request.cardId, by: request.decidedBy };
  let text: string;
  switch (request.state) {
    case 'done':
      text = MESSAGES.yourRequestDone(a);
      break;
    case 'failed':
      text = request.decidedBy
        ? MESSAGES.yourRequestFailed({ ...a, error: request.error })
        : MESSAGES.yourRequestNeverPosted(a);
      break;
    case 'unknown':
      text = MESSAGES.yourRequestUnknown(a);
      break;
    case 'rejected':
      text = MESSAGES.yourRequestRejected({ ...a, reason: request.decisionReason });
      break;
    case 'expired':
      text = MESSAGES.yourRequestExpired(a);
      break;
    case 'withdrawn':
      text = MESSAGES.yourRequestWithdrawn(a);
      break;
    default:
      text = MESSAGES.yourRequestOther({ ...a, outcome: describeOutcome(request) });
  }
  return buildReply([text], { ...options, context: traceContext(request) });
}

type DecisionAnswer = ApproveResult | RejectCancelResult;

const MISSING_REQUEST = MESSAGES.requestMissing();

/**
 * The clicker's answer. Refusals say why; late clicks say who decided; the winner of an approval
 * hears the outcome (the message shows it too, but a Home tab click has no message).
 */
export function buildDecisionAnswer(
  result: DecisionAnswer,
  options: Options & { approverRoles: string[] },
): SlackReply {
  switch (result.kind) {
    case 'missing':
      return buildReply([MISSING_REQUEST], options);
    case 'refused':
      return buildReply(
        [
          result.why === 'requester'
            ? MESSAGES.refusedDecideOwn({ requestId: result.request.id })
            : MESSAGES.refusedDecideNotApprover({ approverRoles: options.approverRoles }),
        ],
        options,
      );
    case 'closed':
      return buildReply([closedText(result.request, result.standing)], {
        ...options,
        context: traceContext(result.request),
      });
    case 'approved':
      return buildReply(
        [MESSAGES.requestOutcome({ requestId: result.request.id, outcome: describeOutcome(result.request) })],
        { ...options, context: traceContext(result.request) },
      );
    case 'rejected':
      return buildReply(
        [MESSAGES.requestOutcome({ requestId: result.request.id, outcome: describeOutcome(result.request) })],
        options,
      );
    case 'unrecorded':
      return buildReply([MESSAGES.decisionUnrecorded({ requestId: result.request.id })], options);
  }
}

function closedText(request: ApprovalRequest, standing: string): string {
  const a = { requestId: request.id, by: request.decidedBy };
  switch (standing) {
    case 'expired':
      return MESSAGES.closedExpired({ requestId: request.id, when: slackDate(request.expiresAt) });
    case 'executing':
      return MESSAGES.closedExecuting(a);
    case 'unknown':
      return MESSAGES.closedUnknown({ ...a, cardId: request.cardId });
    case 'void':
      return MESSAGES.closedVoid(a);
    default:
      if (request.state === 'withdrawn') {
        return MESSAGES.closedWithdrawn({ requestId: request.id, requester: request.requester });
      }
      return request.state === 'rejected'
        ? MESSAGES.closedRejected(a)
        : MESSAGES.closedApproved({ ...a, outcome: describeOutcome(request) });
  }
}

/** The answer to a Withdraw click. */
export function buildWithdrawAnswer(result: WithdrawCancelResult, options: Options): SlackReply {
  switch (result.kind) {
    case 'missing':
      return buildReply([MISSING_REQUEST], options);
    case 'refused':
      return buildReply(
        [MESSAGES.refusedWithdraw({ requester: result.request.requester, requestId: result.request.id })],
        options,
      );
    case 'closed':
      return buildReply([closedText(result.request, result.standing)], {
        ...options,
        context: traceContext(result.request),
      });
    case 'withdrawn':
      return buildRequesterNotice(result.request, options);
    case 'unrecorded':
      return buildReply([MESSAGES.withdrawUnrecorded({ requestId: result.request.id })], options);
  }
}

/**
 * Who a reminder mentions: the approver roles' user groups and users (never the requester, who
 * cannot decide). User groups as `<!subteam^S…>`, so Slack notifies their members.
 */
export function approverMentions(policy: Policy, requester: string): string[] {
  const roles = policy.approvals.cancel?.approvers ?? [];
  const groups = new Set<string>();
  const users = new Set<string>();
  for (const name of roles) {
    for (const group of policy.roles[name]?.usergroups ?? []) groups.add(group);
    for (const user of policy.roles[name]?.users ?? []) if (user !== requester) users.add(user);
  }
  return [...[...groups].map((g) => `<!subteam^${g}>`), ...[...users].map((u) => mentionUser(u))];
}

/** The one reminder, in the request's thread, three quarters into its ttl. */
export function buildReminder(request: ApprovalRequest, mentions: readonly string[], options: Options): SlackReply {
  return buildReply(
    [
      MESSAGES.reminder({
        mentions,
        requestId: request.id,
        cardId: request.cardId,
        when: slackDate(request.expiresAt),
      }),
    ],
    options,
  );
}
