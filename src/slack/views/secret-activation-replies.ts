import type { AuditRow } from '../../domain/audit/audit-types.js';
import type { ActivationBlock, ActivationStanding } from '../../domain/cards/activation-limits.js';
import { ACTIVATION_MAX_FAILURES } from '../../domain/cards/card-check.js';
import { MESSAGES } from '../../messages.js';
import { slackDate } from './approval-message.js';
import { code } from './mrkdwn.js';
import { buildReply, type SlackReply } from './reply.js';

interface ReplyOptions {
  sandbox: boolean;
}

/** 14:05 UTC: when a lock ends, as an agent reads it. */
export function formatUtcTime(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

/** Why no check runs now, in one sentence; plain text (it also goes into a form's field error). */
export function activationBlockedText(cardId: string, block: ActivationBlock, mrkdwn = false): string {
  const time = (date: Date) => (mrkdwn ? `*${formatUtcTime(date)}*` : formatUtcTime(date));
  const card = mrkdwn ? code(cardId) : cardId;
  switch (block.why) {
    case 'card-life':
      return MESSAGES.activationLockedForLife({ card, checks: block.checks });
    case 'card-hour':
      return MESSAGES.activationLockedHour({ card, until: time(block.until), max: ACTIVATION_MAX_FAILURES });
    case 'agent-hour':
      return MESSAGES.activationAgentHour({ checks: block.checks, until: time(block.until) });
  }
}

export function buildActivationBlocked(cardId: string, block: ActivationBlock, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.activationBlocked({ why: activationBlockedText(cardId, block, true) })], options);
}

/** cardops itself took the card past activation: the issuer would refuse, so nothing is checked. */
export function buildPastActivation(cardId: string, row: AuditRow, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.activationPast({ cardId, op: row.op, when: slackDate(row.ts), by: row.actor })], options);
}

/** What follows a check that did not activate the card: how many checks are left, or which lock it set. */
function afterCheck(standing: ActivationStanding): string {
  const block = standing.block;
  if (block?.why === 'card-life') return MESSAGES.activationNowLocked({ checks: block.checks });
  if (block?.why === 'card-hour') return MESSAGES.activationNowLockedUntil({ until: formatUtcTime(block.until) });
  if (block?.why === 'agent-hour') {
    return MESSAGES.activationLastCheck({ checks: block.checks, until: formatUtcTime(block.until) });
  }
  const { cardLife, cardHour, agentHour } = standing.left;
  if (cardLife < cardHour && cardLife <= agentHour) return MESSAGES.activationLeftLife({ left: cardLife });
  if (agentHour < cardHour) return MESSAGES.activationLeftAgent({ left: agentHour });
  return MESSAGES.activationLeftHour({ left: cardHour });
}

/**
 * A check that did not activate the card. The same words whether the details did not match or
 * matched on a card the issuer refused to activate (already active, blocked, not printed): an
 * agent who may not see CVVs must not learn from it whether a guess was right. Never says which
 * detail was wrong either: that would halve the guessing.
 */
export function buildNotActivated(cardId: string, standing: ActivationStanding, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.activationNotActivated({ cardId }), afterCheck(standing)], options);
}

export function buildFormNotOpened(command: string, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.activationFormNotOpened({ command })], options);
}

/** The alert posted to the approvals channel when a check reaches a limit: who and which card, never a value. */
export function buildActivationAlert(
  alert:
    | { kind: 'card'; cardId: string; checks: number; by: string }
    | { kind: 'agent'; agent: string; checks: number; until: Date },
  options: ReplyOptions,
): SlackReply {
  const text =
    alert.kind === 'card'
      ? MESSAGES.activationAlertCard({ cardId: alert.cardId, checks: alert.checks, by: alert.by })
      : MESSAGES.activationAlertAgent({
          agent: alert.agent,
          checks: alert.checks,
          until: formatUtcTime(alert.until),
        });
  return buildReply([text], options);
}
