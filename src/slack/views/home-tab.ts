import type { KnownBlock, SectionBlock, View } from '@slack/types';
import type { HomeOverview } from '../../domain/approvals/home-overview.js';
import { MESSAGES } from '../../messages.js';
import { approvalButtons, describeOutcome, requestFields, slackDate, withdrawButton } from './approval-message.js';
import { SANDBOX_NOTE, type SlackReply } from './reply.js';

/** Slack refuses a Home tab of more than 100 blocks. */
const MAX_BLOCKS = 100;

export const CLEAR_ACTIVATION_LOCK_ACTION_ID = 'activation_clear_lock';

export interface HomeTabInput extends HomeOverview {
  /** Approvers: cards whose activation checks are used up, with a button to clear each lock. */
  lockedActivations?: { cardId: string; lockedAt: string; checks: number }[];
  mayDecide: boolean;
  approvalsChannel: string | undefined;
  /** Pending requests beyond those listed. */
  moreDecidable: number;
  /** The answer to the viewer's last click on this tab (a Home tab click has nowhere else to be answered). */
  notice?: SlackReply;
  sandbox: boolean;
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text } });

/**
 * The bot's Home tab. Approvers: the requests they may decide, with the same Approve and Reject
 * buttons as the channel message, and the approved ones whose outcome is unknown. Everyone: their
 * own recent requests and how each stands.
 */
export function buildHomeTab(input: HomeTabInput): View {
  const blocks: KnownBlock[] = [];
  if (input.notice) {
    // The notice keeps its trace id; the sandbox note is shown once, below.
    const notice = input.notice.blocks.flatMap((block): KnownBlock[] => {
      if (block.type !== 'context') return [block];
      const elements = block.elements.filter((e) => !('text' in e) || e.text !== SANDBOX_NOTE);
      return elements.length > 0 ? [{ ...block, elements }] : [];
    });
    blocks.push(...notice.slice(0, 4), { type: 'divider' });
  }
  if (input.sandbox) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: SANDBOX_NOTE }] });

  if (input.mayDecide) {
    blocks.push(header(MESSAGES.homeWaitingHeader()));
    if (input.decidable.length === 0) {
      blocks.push(section(MESSAGES.homeNothingWaiting()));
    }
    for (const request of input.decidable) {
      blocks.push(
        section(MESSAGES.homeRequestTitle({ requestId: request.id })),
        requestFields(request),
        approvalButtons(request),
      );
    }
    if (input.moreDecidable > 0) {
      blocks.push(section(MESSAGES.homeMoreWaiting({ more: input.moreDecidable, channel: input.approvalsChannel })));
    }
    const locked = input.lockedActivations ?? [];
    if (locked.length > 0) {
      blocks.push(header(MESSAGES.homeLocksHeader()));
      for (const lock of locked) {
        blocks.push({
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: MESSAGES.homeLock({ cardId: lock.cardId, checks: lock.checks, lockedAt: slackDate(lock.lockedAt) }),
          },
          accessory: {
            type: 'button',
            action_id: CLEAR_ACTIVATION_LOCK_ACTION_ID,
            text: { type: 'plain_text', text: MESSAGES.homeClearLockButton() },
            value: lock.cardId,
            confirm: {
              title: { type: 'plain_text', text: MESSAGES.homeClearLockTitle() },
              text: { type: 'mrkdwn', text: MESSAGES.homeClearLockText({ cardId: lock.cardId }) },
              confirm: { type: 'plain_text', text: MESSAGES.homeClearLockButton() },
              deny: { type: 'plain_text', text: MESSAGES.homeBack() },
            },
          },
        });
      }
    }
    if (input.unknown.length > 0) {
      blocks.push(header(MESSAGES.homeUnknownHeader()));
      for (const request of input.unknown) {
        blocks.push(
          section(
            MESSAGES.homeRequestLine({
              requestId: request.id,
              cardId: request.cardId,
              outcome: describeOutcome(request),
            }),
          ),
        );
      }
    }
  }

  blocks.push(header(MESSAGES.homeOwnHeader()));
  if (input.own.length === 0) {
    blocks.push(section(MESSAGES.homeOwnNone()));
  }
  for (const request of input.own) {
    const text: SectionBlock = {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: MESSAGES.homeRequestLine({
          requestId: request.id,
          cardId: request.cardId,
          outcome: describeOutcome(request),
        }),
      },
    };
    // Still waiting: its requester may withdraw it from here.
    if (request.state === 'pending') text.accessory = withdrawButton(request);
    blocks.push(text);
  }
  return { type: 'home', blocks: blocks.slice(0, MAX_BLOCKS) };
}
