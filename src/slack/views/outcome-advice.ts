import { code } from './mrkdwn.js';

/** The command that shows a card's history, as every *unknown* outcome's answer names it. */
export function historyCommand(cardId: string): string {
  return code(`/card history ${cardId}`);
}

/** The advice every answer reporting an *unknown* outcome ends with. */
export function unknownOutcomeAdvice(cardId: string): string {
  return `Run ${historyCommand(cardId)} to see what cardops did, and ask the issuer's support with the trace id before trying again.`;
}
