import type { AuditRow } from '../../domain/audit/audit-types.js';
import type { ActivationBlock, ActivationStanding } from '../../domain/cards/activation-limits.js';
import { ACTIVATION_MAX_FAILURES } from '../../domain/cards/card-check.js';
import { slackDate } from './approval-message.js';
import { code, mentionUser } from './mrkdwn.js';
import { historyCommand } from './outcome-advice.js';
import { buildReply, type SlackReply } from './reply.js';

interface ReplyOptions {
  sandbox: boolean;
}

/** 14:05 UTC: when a lock ends, as an agent reads it. */
export function formatUtcTime(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

const checks = (n: number) => (n === 1 ? '1 card-in-hand check' : `${n} card-in-hand checks`);

/** Why no check runs now, in one sentence; plain text (it also goes into a form's field error). */
export function activationBlockedText(cardId: string, block: ActivationBlock, mrkdwn = false): string {
  const time = (date: Date) => (mrkdwn ? `*${formatUtcTime(date)}*` : formatUtcTime(date));
  const card = mrkdwn ? code(cardId) : cardId;
  switch (block.why) {
    case 'card-life':
      return `Activation of card ${card} is locked: it has had ${checks(block.checks)}, the most allowed. Nothing was checked. An approver can clear the lock from the cardops Home tab.`;
    case 'card-hour':
      return `Activation of card ${card} is locked until ${time(block.until)}: ${ACTIVATION_MAX_FAILURES} checks within an hour did not activate it. Nothing was checked.`;
    case 'agent-hour':
      return `You have made ${checks(block.checks)} within the last hour, the most allowed. Nothing was checked. You may check again from ${time(block.until)}.`;
  }
}

export function buildActivationBlocked(cardId: string, block: ActivationBlock, options: ReplyOptions): SlackReply {
  return buildReply([`:lock: ${activationBlockedText(cardId, block, true)}`], options);
}

/** cardops itself took the card past activation: the issuer would refuse, so nothing is checked. */
export function buildPastActivation(cardId: string, row: AuditRow, options: ReplyOptions): SlackReply {
  const what = { activate: 'activated', block: 'blocked', unblock: 'unblocked', cancel: 'cancelled' }[row.op] ?? row.op;
  return buildReply(
    [
      `:information_source: Card ${code(cardId)} needs no activation: cardops ${what} it ${slackDate(row.ts)} (by ${mentionUser(row.actor)}). Nothing was checked or changed. ${historyCommand(cardId)} shows what cardops did to it.`,
    ],
    options,
  );
}

/** What follows a check that did not activate the card: how many checks are left, or which lock it set. */
function afterCheck(standing: ActivationStanding): string {
  const block = standing.block;
  if (block?.why === 'card-life') {
    return `Activation of this card is now *locked*: it has had ${checks(block.checks)}. An approver can clear the lock from the cardops Home tab.`;
  }
  if (block?.why === 'card-hour') return `Activation of this card is now locked until *${formatUtcTime(block.until)}*.`;
  if (block?.why === 'agent-hour') {
    return `That was your last check for now (${checks(block.checks)} within an hour): you may check again from *${formatUtcTime(block.until)}*.`;
  }
  const { cardLife, cardHour, agentHour } = standing.left;
  if (cardLife < cardHour && cardLife <= agentHour) {
    return `${cardLife} more ${cardLife === 1 ? 'check locks' : 'checks lock'} its activation until an approver clears it.`;
  }
  if (agentHour < cardHour) {
    return `You may make ${agentHour} more ${agentHour === 1 ? 'check' : 'checks'} within this hour.`;
  }
  return `${cardHour} more failed ${cardHour === 1 ? 'check locks' : 'checks lock'} its activation for an hour.`;
}

/**
 * A check that did not activate the card. The same words whether the details did not match or
 * matched on a card the issuer refused to activate (already active, blocked, not printed): an
 * agent who may not see CVVs must not learn from it whether a guess was right. Never says which
 * detail was wrong either: that would halve the guessing.
 */
export function buildNotActivated(cardId: string, standing: ActivationStanding, options: ReplyOptions): SlackReply {
  return buildReply(
    [
      `:x: Card ${code(cardId)} was *not* activated: the details do not match, or the issuer would not activate it (it may already be active, blocked or cancelled, or not printed yet). Ask the cardholder to read them again from the card in hand; ${historyCommand(cardId)} shows what cardops did to the card.`,
      afterCheck(standing),
    ],
    options,
  );
}

export function buildFormNotOpened(command: string, options: ReplyOptions): SlackReply {
  return buildReply([`:hourglass: The form could not be opened in time. Run ${code(command)} again.`], options);
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
      ? `:rotating_light: *Activation locked*: card ${code(alert.cardId)} has had ${checks(alert.checks)} without being activated (the last by ${mentionUser(alert.by)}). Nobody can check it again until an approver clears the lock from the cardops Home tab, once the cardholder is confirmed.`
      : `:rotating_light: *Activation checks paused*: ${mentionUser(alert.agent)} has made ${checks(alert.checks)} within an hour, the most allowed. They may check again from ${formatUtcTime(alert.until)}.`;
  return buildReply([text], options);
}
