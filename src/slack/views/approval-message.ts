import type { KnownBlock } from '@slack/types';
import { z } from 'zod';
import type { PostProblem } from '../../domain/approvals/approval-ports.js';
import type { ApprovalRequest } from '../../domain/approvals/approval-types.js';
import type { ApproveResult } from '../../domain/approvals/approve-cancel.js';
import type { RejectCancelResult } from '../../domain/approvals/reject-cancel.js';
import { code, escapeMrkdwn, mentionChannel, mentionUser } from './mrkdwn.js';
import { buildReply, SANDBOX_NOTE, type SlackReply } from './reply.js';

interface Options {
  sandbox: boolean;
}

export const APPROVE_ACTION_ID = 'approval_approve';
export const REJECT_ACTION_ID = 'approval_reject';

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
  request.traceId ? [`Issuer trace id: ${code(request.traceId)}`] : [];

/** One line on where the request stands, as the approvals channel reads it. */
export function describeOutcome(request: ApprovalRequest): string {
  const by = request.decidedBy ? mentionUser(request.decidedBy) : 'an approver';
  const card = code(request.cardId);
  switch (request.state) {
    case 'pending':
      return `:hourglass_flowing_sand: Waiting for an approver. Expires ${slackDate(request.expiresAt)}.`;
    case 'executing':
      return `:arrows_counterclockwise: Approved by ${by}: cancelling card ${card} at the issuer…`;
    case 'done':
      return `:white_check_mark: Approved by ${by}: card ${card} is *cancelled*.`;
    case 'failed':
      return request.decidedBy
        ? `:x: Approved by ${by}, but the issuer did not cancel card ${card}: ${escapeMrkdwn(request.error ?? 'no reason given')}`
        : ':x: This request was never posted to the approvers, so nobody could decide it. Nothing was cancelled.';
    case 'unknown':
      return `:question: Approved by ${by}, but the *outcome is unknown*: check the card at the issuer before doing anything. cardops will not run this cancel again.`;
    case 'rejected':
      return `:no_entry_sign: Rejected by ${by}${request.decisionReason ? `: ${escapeMrkdwn(request.decisionReason)}` : ' (no reason given)'}. Card ${card} was not cancelled.`;
    case 'expired':
      return `:hourglass: Expired ${slackDate(request.expiresAt)}: nobody decided in time. Card ${card} was not cancelled; file a new request if it still must be.`;
  }
}

/**
 * The thread reply when a cancel that had been reported `unknown` (its replica was taken for
 * stopped) gets its real outcome after all.
 */
export function buildLateOutcomeNote(request: ApprovalRequest, options: Options): SlackReply {
  return buildReply(
    [
      `:information_source: Late outcome for ${code(request.id)}: the replica running this cancel was taken for stopped and the request was shown as unknown, but the issuer has now answered. ${describeOutcome(request)}`,
    ],
    { ...options, context: traceContext(request) },
  );
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
        text: { type: 'plain_text', text: 'Approve' },
        style: 'primary',
        value: request.id,
        confirm: {
          title: { type: 'plain_text', text: 'Cancel this card?' },
          text: {
            type: 'mrkdwn',
            text: `Card ${code(request.cardId)} will be cancelled for good. This cannot be undone.`,
          },
          confirm: { type: 'plain_text', text: 'Cancel the card' },
          deny: { type: 'plain_text', text: 'Back' },
        },
      },
      {
        type: 'button',
        action_id: REJECT_ACTION_ID,
        text: { type: 'plain_text', text: 'Reject' },
        style: 'danger',
        value: request.id,
      },
    ],
  };
}

/** The card, requester, reason and expiry of a request, as section fields. */
export function requestFields(request: ApprovalRequest): KnownBlock {
  return {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Card*\n${code(request.cardId)}` },
      { type: 'mrkdwn', text: `*Requested by*\n${mentionUser(request.requester)}` },
      { type: 'mrkdwn', text: `*Reason*\n${escapeMrkdwn(request.reason) || '—'}` },
      { type: 'mrkdwn', text: `*Expires*\n${slackDate(request.expiresAt)}` },
    ],
  };
}

/**
 * The public message in the approvals channel. Pending: the request and its buttons. Later: who
 * decided, the outcome and the issuer's trace id, and no buttons. Never a secret: only the card
 * id, people and the (already masked) reason.
 */
export function buildApprovalMessage(request: ApprovalRequest, options: Options): SlackReply {
  const title = `:rotating_light: *Cancel request* ${code(request.id)}: card ${code(request.cardId)}. Cancelling cannot be undone.`;
  const outcome = describeOutcome(request);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: title } }, requestFields(request)];
  const context: string[] = [];
  if (request.state === 'pending') {
    blocks.push(approvalButtons(request));
    context.push('Only an approver may decide, and never the person who asked.');
  } else {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: outcome } });
    context.push(...traceContext(request));
  }
  if (options.sandbox) context.push(SANDBOX_NOTE);
  if (context.length > 0) blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) });
  const text =
    request.state === 'pending'
      ? `Cancel request ${request.id}: card ${request.cardId}, asked by ${mentionUser(request.requester)}: waiting for an approver.`
      : `Cancel request ${request.id}: ${outcome}`;
  return { text: options.sandbox ? `${text} (sandbox issuer)` : text, blocks };
}

/** The requester's confirmation: filed, where, until when, and that they cannot approve it themself. */
export function buildCancelRequested(request: ApprovalRequest, options: Options): SlackReply {
  const where = request.messageChannel ? mentionChannel(request.messageChannel) : 'the approvals channel';
  return buildReply(
    [
      `:inbox_tray: Cancel request ${code(request.id)} for card ${code(request.cardId)} is waiting for an approver in ${where}. It expires ${slackDate(request.expiresAt)}.`,
      'You cannot approve it yourself: a second person must. You will be told here how it ends.',
    ],
    options,
  );
}

export function buildCancelAlreadyPending(request: ApprovalRequest, options: Options): SlackReply {
  const where = request.messageChannel ? ` in ${mentionChannel(request.messageChannel)}` : '';
  const state =
    request.state === 'executing'
      ? `was approved by ${request.decidedBy ? mentionUser(request.decidedBy) : 'an approver'} and is being cancelled now`
      : `is waiting for an approver${where} (expires ${slackDate(request.expiresAt)})`;
  return buildReply(
    [
      `:information_source: Card ${code(request.cardId)} already has a cancel request: ${code(request.id)}, filed by ${mentionUser(request.requester)}, ${state}. No second request was filed.`,
    ],
    options,
  );
}

/** The approval message could not be posted: exactly why, and who can fix it. */
export function buildCancelNotPosted(
  problem: PostProblem,
  channel: string,
  error: string,
  options: Options,
): SlackReply {
  const where = mentionChannel(channel);
  const why =
    problem === 'not_in_channel'
      ? `I am not a member of ${where}: ask an admin to ${code('/invite @cardops')} there.`
      : problem === 'channel_not_found'
        ? `the approvals channel (${code(channel)}) no longer exists: ask an admin to set ${code('approvals.cancel.channel')} in the policy.`
        : `Slack refused to post it to ${where} (${code(error)}). Try again in a moment.`;
  return buildReply(
    [
      `:warning: The cancel request could not be posted for approval: ${why}`,
      'No request is pending; nothing was cancelled.',
    ],
    options,
  );
}

export function buildCancelUnavailable(kind: 'no-approvers' | 'audit-unavailable', options: Options): SlackReply {
  return buildReply(
    [
      kind === 'no-approvers'
        ? ':lock: Cancelling cards is switched off: the policy names no approvers (approvals.cancel).'
        : ':floppy_disk: The audit log could not be written, so no cancel request was filed. Tell the operator; nothing changed.',
    ],
    options,
  );
}

/** What the requester is told when their request ends. */
export function buildRequesterNotice(request: ApprovalRequest, options: Options): SlackReply {
  const id = code(request.id);
  const card = code(request.cardId);
  const by = request.decidedBy ? mentionUser(request.decidedBy) : 'an approver';
  let text: string;
  switch (request.state) {
    case 'done':
      text = `:white_check_mark: Your cancel request ${id} was approved by ${by}: card ${card} is *cancelled*.`;
      break;
    case 'failed':
      text = request.decidedBy
        ? `:x: Your cancel request ${id} was approved by ${by}, but the issuer did not cancel card ${card}: ${escapeMrkdwn(request.error ?? 'no reason given')}`
        : `:warning: Your cancel request ${id} for card ${card} never reached the approvers (cardops stopped before posting it). Nothing was cancelled: file it again if it is still needed.`;
      break;
    case 'unknown':
      text = `:question: Your cancel request ${id} was approved by ${by}, but the outcome is *unknown*: check card ${card} at the issuer before doing anything. cardops will not run it again.`;
      break;
    case 'rejected':
      text = `:no_entry_sign: Your cancel request ${id} for card ${card} was rejected by ${by}${request.decisionReason ? `: ${escapeMrkdwn(request.decisionReason)}` : ' (no reason given)'}.`;
      break;
    case 'expired':
      text = `:hourglass: Your cancel request ${id} for card ${card} expired: nobody decided in time. Nothing was cancelled; file a new request if it is still needed.`;
      break;
    default:
      text = `Your cancel request ${id} for card ${card}: ${describeOutcome(request)}`;
  }
  return buildReply([text], { ...options, context: traceContext(request) });
}

type DecisionAnswer = ApproveResult | RejectCancelResult;

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
      return buildReply(
        [':grey_question: This cancel request does not exist. It may belong to another cardops installation.'],
        options,
      );
    case 'refused':
      return buildReply(
        [
          result.why === 'requester'
            ? `:no_entry: You filed cancel request ${code(result.request.id)}, so you cannot decide it: a cancel needs a second person. Ask an approver.`
            : `:lock: Only holders of ${listRoles(options.approverRoles)} may approve or reject cancel requests.`,
        ],
        options,
      );
    case 'closed':
      return buildReply([closedText(result.request, result.standing)], {
        ...options,
        context: traceContext(result.request),
      });
    case 'approved':
      return buildReply([`Cancel request ${code(result.request.id)}: ${describeOutcome(result.request)}`], {
        ...options,
        context: traceContext(result.request),
      });
    case 'rejected':
      return buildReply([`Cancel request ${code(result.request.id)}: ${describeOutcome(result.request)}`], options);
    case 'unrecorded':
      return buildReply(
        [
          `:floppy_disk: Your decision on cancel request ${code(result.request.id)} could not be recorded (cardops cannot write its database), so nothing changed: the request is still pending and the card was not cancelled. Try again in a moment; tell the operator if it persists.`,
        ],
        options,
      );
  }
}

function closedText(request: ApprovalRequest, standing: string): string {
  const id = code(request.id);
  const by = request.decidedBy ? mentionUser(request.decidedBy) : 'someone';
  switch (standing) {
    case 'expired':
      return `:hourglass: Cancel request ${id} expired ${slackDate(request.expiresAt)}: it can no longer be approved or rejected.`;
    case 'executing':
      return `:arrows_counterclockwise: ${by} already approved cancel request ${id}; the cancel is under way.`;
    case 'unknown':
      return `:question: ${by} already approved cancel request ${id}, but its outcome is unknown: check card ${code(request.cardId)} at the issuer. It will not be run again.`;
    case 'void':
      return `:x: Cancel request ${id} was never posted to the approvers; nothing can be decided.`;
    default:
      return request.state === 'rejected'
        ? `:no_entry_sign: ${by} already rejected cancel request ${id}.`
        : `:ballot_box_with_check: ${by} already approved cancel request ${id}. ${describeOutcome(request)}`;
  }
}

function listRoles(roles: readonly string[]): string {
  if (roles.length === 0) return 'an approver role (none is configured)';
  return roles.length === 1
    ? `the role ${code(roles[0] ?? '')}`
    : `one of the roles ${roles.map((r) => code(r)).join(', ')}`;
}
