import { cardHistory } from '../../../domain/cards/card-history.js';
import { buildCardHistory } from '../../views/history-replies.js';
import type { CardRequest } from './card-request.js';
import { refuseUnlessAllowed } from './dispatch-card-op.js';
import { appendSecretAudit } from './secret-audit.js';

/**
 * `/card history <cardId>`: what cardops did to the card, from the audit (no issuer call, no
 * secret). Role- and channel-gated like an operation; each look is itself audited.
 */
export async function handleHistory(request: Pick<CardRequest, 'deps' | 'ctx' | 'cardId' | 'reply'>): Promise<void> {
  const { deps, ctx, cardId } = request;
  if (!(await refuseUnlessAllowed({ ...request, op: 'history' }))) return;
  const history = await cardHistory(deps, cardId);
  await appendSecretAudit(deps, {
    actor: ctx.actor,
    teamId: ctx.teamId,
    channelId: ctx.channelId,
    op: 'history',
    cardId,
    outcome: 'queried',
    reason: `card history: ${history.entries.length} operations shown`,
  });
  await request.reply(buildCardHistory(cardId, history, { sandbox: deps.sandbox }));
}
