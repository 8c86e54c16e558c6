import type { WebClient } from '@slack/web-api';
import {
  type ActivationBlock,
  type ActivationStanding,
  activationLimitsOf,
  pastActivation,
  readActivationStanding,
} from '../../../domain/cards/activation-limits.js';
import type { RequestContext } from '../../../domain/cards/execute-card-op.js';
import type { Policy } from '../../../domain/policy/policy-schema.js';
import type { ListenerDeps } from '../../deps.js';
import { buildActivateModal } from '../../views/activate-modal.js';
import {
  buildActivationAlert,
  buildActivationBlocked,
  buildFormNotOpened,
  buildPastActivation,
} from '../../views/secret-activation-replies.js';
import type { CardOpHandler } from './card-request.js';
import { appendSecretAudit } from './secret-audit.js';

type Who = Pick<RequestContext, 'actor' | 'teamId' | 'channelId'>;

/** Where this agent and card stand against the policy's activation limits, from the audit. */
export function activationStandingOf(
  deps: Pick<ListenerDeps, 'audit' | 'now'>,
  policy: Policy,
  who: Pick<RequestContext, 'actor'>,
  cardId: string,
): Promise<ActivationStanding> {
  return readActivationStanding(deps.audit, {
    cardId,
    actor: who.actor,
    limits: activationLimitsOf(policy.limits),
    now: deps.now(),
  });
}

const BLOCK_REASONS: Record<ActivationBlock['why'], string> = {
  'card-life': 'activation checks per card used up: locked until an approver clears it',
  'card-hour': 'activation locked for an hour after failed checks',
  'agent-hour': 'activation checks per agent per hour used up',
};

/** A check refused by a limit: audited `locked` with which limit, never with what was typed. */
export async function auditActivationBlocked(deps: ListenerDeps, who: Who, cardId: string, block: ActivationBlock) {
  const until = 'until' in block ? ` (until ${block.until.toISOString()})` : '';
  await appendSecretAudit(deps, {
    actor: who.actor,
    teamId: who.teamId,
    channelId: who.channelId,
    op: 'activate',
    cardId,
    outcome: 'locked',
    reason: `${BLOCK_REASONS[block.why]}${until}`,
  });
}

/**
 * After a check: a limit this very check reached is audited `limited` and posted to the approvals
 * channel (who and which card, no value). The card's lifetime lock only when it was not activated.
 */
export async function reportLimitsReached(
  deps: ListenerDeps,
  client: WebClient,
  policy: Policy,
  who: Who,
  cardId: string,
  standing: ActivationStanding,
  activated: boolean,
): Promise<void> {
  const limits = activationLimitsOf(policy.limits);
  const channel = policy.approvals.cancel?.channel;
  const options = { sandbox: deps.sandbox };
  const post = async (alert: Parameters<typeof buildActivationAlert>[0]) => {
    if (!channel) {
      deps.logger.warn({ cardId }, 'activation limit reached; no approvals channel to alert');
      return;
    }
    const message = buildActivationAlert(alert, options);
    try {
      await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
    } catch (error) {
      deps.logger.warn({ err: error, cardId }, 'activation limit alert could not be posted');
    }
  };
  const base = { actor: who.actor, teamId: who.teamId, channelId: who.channelId, op: 'activate' };
  if (!activated && standing.block?.why === 'card-life' && standing.cardChecks === limits.perCard) {
    await appendSecretAudit(deps, {
      ...base,
      cardId,
      outcome: 'limited',
      reason: `activation checks per card reached (${limits.perCard}): locked until an approver clears it`,
    });
    await post({ kind: 'card', cardId, checks: standing.cardChecks, by: who.actor });
  }
  // Exactly at the limit after this check: this check reached it (none runs beyond it).
  if (standing.agentChecks === limits.perAgentHour && standing.agentFreeAt) {
    const until = standing.agentFreeAt;
    await appendSecretAudit(deps, {
      ...base,
      outcome: 'limited',
      reason: `activation checks per agent per hour reached (${limits.perAgentHour}) until ${until.toISOString()}`,
    });
    await post({ kind: 'agent', agent: who.actor, checks: standing.agentChecks, until });
  }
}

/**
 * `/card activate <cardId>`: opens the card-in-hand check (last 4 digits and CVV as the cardholder
 * reads them). The values are compared after submission (activate-submitted.ts). No form when
 * cardops' own audit shows the card past activation, or a limit stops any check now.
 */
export const handleActivate: CardOpHandler = async (request) => {
  const { deps, ctx, cardId } = request;
  const options = { sandbox: deps.sandbox };
  // Bounded indexed reads: well inside the 3 s life of the trigger.
  const past = await pastActivation(deps.audit, cardId);
  if (past) {
    await request.reply(buildPastActivation(cardId, past, options));
    return;
  }
  const standing = await activationStandingOf(deps, ctx.policy, ctx, cardId);
  if (standing.block) {
    await auditActivationBlocked(deps, ctx, cardId, standing.block);
    await request.reply(buildActivationBlocked(cardId, standing.block, options));
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
