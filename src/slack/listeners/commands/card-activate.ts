import { ACTIVATION_LOOKBACK_MS, activationLockedUntil } from '../../../domain/cards/card-check.js';
import type { RequestContext } from '../../../domain/cards/execute-card-op.js';
import type { ListenerDeps } from '../../deps.js';
import { buildActivateModal } from '../../views/activate-modal.js';
import { buildActivationLocked, buildFormNotOpened } from '../../views/secret-activation-replies.js';
import type { CardOpHandler } from './card-request.js';
import { appendSecretAudit } from './secret-audit.js';

/** Until when the card's activation is locked by failed checks, from the audit log; undefined if it is not. */
export async function activationLock(
  deps: Pick<ListenerDeps, 'audit'>,
  cardId: string,
  now: Date,
): Promise<Date | undefined> {
  const since = new Date(now.getTime() - ACTIVATION_LOOKBACK_MS).toISOString();
  const failures = (await deps.audit.query({ cardId, op: 'activate', outcome: 'mismatched', since }, { limit: 100 }))
    .rows;
  return activationLockedUntil(
    failures.map((row) => new Date(row.ts)),
    now,
  );
}

export async function auditActivationLocked(
  deps: ListenerDeps,
  ctx: Pick<RequestContext, 'actor' | 'teamId' | 'channelId'>,
  cardId: string,
  until: Date,
) {
  await appendSecretAudit(deps, {
    actor: ctx.actor,
    teamId: ctx.teamId,
    channelId: ctx.channelId,
    op: 'activate',
    cardId,
    outcome: 'locked',
    reason: `activation locked until ${until.toISOString()} after failed checks`,
  });
}

/**
 * `/card activate <cardId>`: opens the card-in-hand check (last 4 digits and CVV as the cardholder
 * reads them). The values are compared after submission (activate-submitted.ts); a card whose
 * activation is locked gets no form.
 */
export const handleActivate: CardOpHandler = async (request) => {
  const { deps, ctx, cardId } = request;
  const options = { sandbox: deps.sandbox };
  // A bounded indexed read: well inside the 3 s life of the trigger.
  const lockedUntil = await activationLock(deps, cardId, deps.now());
  if (lockedUntil) {
    await auditActivationLocked(deps, ctx, cardId, lockedUntil);
    await request.reply(buildActivationLocked(cardId, lockedUntil, options));
    return;
  }
  const handle = request.responseUrl
    ? deps.vault.keep(request.responseUrl, { userId: ctx.actor, channelId: ctx.channelId })
    : undefined;
  try {
    await request.openModal(
      buildActivateModal({ c: ctx.channelId, ...(handle ? { h: handle } : {}), k: cardId }, deps.sandbox),
    );
  } catch (error) {
    deps.logger.warn({ err: error, op: 'activate', cardId }, 'activation form could not be opened');
    await request.reply(buildFormNotOpened(`/card activate ${cardId}`, options));
  }
};
