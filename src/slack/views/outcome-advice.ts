import { MESSAGES } from '../../messages.js';

/** The command that shows a card's history, as every *unknown* outcome's answer names it. */
export function historyCommand(cardId: string): string {
  return MESSAGES.historyCommand({ cardId });
}

/** The advice every answer reporting an *unknown* outcome ends with. */
export function unknownOutcomeAdvice(cardId: string): string {
  return MESSAGES.unknownOutcomeAdvice({ cardId });
}
