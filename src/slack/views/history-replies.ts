import type { CardHistory, HistoryEntry } from '../../domain/cards/card-history.js';
import { MESSAGES } from '../../messages.js';
import { slackDate } from './approval-message.js';
import { code, escapeMrkdwn, mentionUser } from './mrkdwn.js';
import { buildReply, type SlackReply } from './reply.js';

interface ReplyOptions {
  sandbox: boolean;
}

/** An operation as the start of a line: never the op's name used as a noun. */
const DOING: Record<string, string> = {
  activate: 'Activating',
  block: 'Blocking',
  unblock: 'Unblocking',
  cancel: 'Cancelling',
  'unblock-pin': 'Unblocking the PIN',
  'change-pin': 'Changing the PIN',
  'set-limit': 'Setting the limit',
};

const DONE: Record<string, string> = {
  activate: 'Activated',
  block: 'Blocked',
  unblock: 'Unblocked',
  cancel: 'Cancelled',
  'unblock-pin': 'PIN unblocked',
  'change-pin': 'PIN changed',
  'set-limit': 'Limit set',
};

/** The `error` column starts with cardops' error code (`STATE_CONFLICT: …`); its wording stays internal. */
function failure(error: string | null): string {
  const errorCode = error?.split(':')[0] ?? '';
  if (errorCode === 'STATE_CONFLICT') return 'was refused by the issuer';
  if (errorCode === 'CARD_NOT_FOUND') return 'failed: the issuer does not know the card';
  return errorCode ? `failed (${escapeMrkdwn(errorCode)})` : 'failed';
}

function describeEntry(entry: HistoryEntry): string {
  const doing = DOING[entry.op] ?? entry.op;
  switch (entry.outcome) {
    case 'ok':
      return `:white_check_mark: *${DONE[entry.op] ?? `${doing}: done`}*`;
    case 'failed':
      return `:x: ${doing} ${failure(entry.error)}`;
    case 'unknown':
      return `:question: ${doing}: outcome *unknown*`;
    case 'not-activated':
      return ':x: Card-in-hand check: not activated';
    case 'no-outcome':
      return `:hourglass: ${doing}: no outcome recorded yet`;
  }
}

function line(entry: HistoryEntry): string {
  const parts = [slackDate(entry.ts), describeEntry(entry), `by ${mentionUser(entry.actor)}`];
  if (entry.approvalId) parts.push(`request ${code(entry.approvalId)}`);
  if (entry.traceId) parts.push(`trace id ${code(entry.traceId)}`);
  return `• ${parts.join(' · ')}`;
}

/** `/card history <cardId>`: what cardops did to the card, newest first, and its live cancel request. */
export function buildCardHistory(cardId: string, history: CardHistory, options: ReplyOptions): SlackReply {
  const paragraphs: string[] = [];
  if (history.entries.length === 0) {
    paragraphs.push(MESSAGES.historyNone({ cardId }));
  } else {
    const heading = MESSAGES.historyHeading({ cardId, count: history.entries.length });
    paragraphs.push(`${heading}\n${history.entries.map(line).join('\n')}`);
  }
  const live = history.live;
  if (live) {
    paragraphs.push(
      live.state === 'executing'
        ? MESSAGES.historyLiveExecuting({ requestId: live.id, requester: live.requester, by: live.decidedBy })
        : MESSAGES.historyLiveWaiting({
            requestId: live.id,
            requester: live.requester,
            when: slackDate(live.expiresAt),
          }),
    );
  }
  if (history.entries.some((e) => e.outcome === 'unknown' || e.outcome === 'no-outcome')) {
    paragraphs.push(MESSAGES.historyUnknownAdvice());
  }
  const context = [MESSAGES.historyFromAudit()];
  if (history.more) context.push(MESSAGES.historyOlder({ cardId }));
  return buildReply(paragraphs, { ...options, context });
}
