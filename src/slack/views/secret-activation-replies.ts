import { ACTIVATION_MAX_FAILURES } from '../../domain/cards/card-check.js';
import { code } from './mrkdwn.js';
import { buildReply, type SlackReply } from './reply.js';

interface ReplyOptions {
  sandbox: boolean;
}

/** 14:05 UTC: when a lock ends, as an agent reads it. */
export function formatUtcTime(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

export function activationLockedText(cardId: string, until: Date): string {
  return `Activation of card ${cardId} is locked until ${formatUtcTime(until)}: ${ACTIVATION_MAX_FAILURES} checks failed within an hour. Nothing was checked.`;
}

export function buildActivationLocked(cardId: string, until: Date, options: ReplyOptions): SlackReply {
  return buildReply(
    [
      `:lock: Activation of card ${code(cardId)} is locked until *${formatUtcTime(until)}*: ${ACTIVATION_MAX_FAILURES} checks of the card details failed within an hour. Nothing was checked or changed.`,
    ],
    options,
  );
}

/** Never says which detail was wrong: that would halve the guessing. */
export function buildActivationMismatch(
  cardId: string,
  state: { lockedUntil: Date | undefined; triesLeft: number },
  options: ReplyOptions,
): SlackReply {
  const next = state.lockedUntil
    ? `Activation of this card is now locked until *${formatUtcTime(state.lockedUntil)}*.`
    : `${state.triesLeft} more failed ${state.triesLeft === 1 ? 'check locks' : 'checks lock'} its activation for an hour.`;
  return buildReply(
    [
      `:x: The details do not match card ${code(cardId)}, so it was *not* activated. Ask the cardholder to read them again from the card in hand.`,
      next,
    ],
    options,
  );
}

export function buildFormNotOpened(command: string, options: ReplyOptions): SlackReply {
  return buildReply([`:hourglass: The form could not be opened in time. Run ${code(command)} again.`], options);
}
