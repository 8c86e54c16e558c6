import type { CardHistory, HistoryEntry } from '../../domain/cards/card-history.js';
import { MESSAGES } from '../../messages.js';
import { slackDate } from './approval-message.js';
import { buildReply, type SlackReply } from './reply.js';

interface ReplyOptions {
  sandbox: boolean;
}

/** The `error` column starts with cardops' error code (`STATE_CONFLICT: …`); its wording stays internal. */
function failed(op: string, error: string | null): string {
  const errorCode = error?.split(':')[0] ?? '';
  if (errorCode === 'STATE_CONFLICT') return MESSAGES.historyEntryRefused({ op });
  if (errorCode === 'CARD_NOT_FOUND') return MESSAGES.historyEntryCardNotFound({ op });
  return MESSAGES.historyEntryFailed({ op, errorCode });
}

function describeEntry(entry: HistoryEntry): string {
  const { op } = entry;
  switch (entry.outcome) {
    case 'ok':
      return MESSAGES.historyEntryDone({ op });
    case 'failed':
      return failed(op, entry.error);
    case 'unknown':
      return MESSAGES.historyEntryUnknown({ op });
    case 'not-activated':
      return MESSAGES.historyEntryNotActivated();
    case 'no-outcome':
      return MESSAGES.historyEntryNoOutcome({ op });
  }
}

function line(entry: HistoryEntry): string {
  return MESSAGES.historyLine({
    when: slackDate(entry.ts),
    entry: describeEntry(entry),
    actor: entry.actor,
    requestId: entry.approvalId,
    traceId: entry.traceId,
  });
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
