import { activationLimitsOf, cardChecksSinceCleared } from '../../../domain/cards/activation-limits.js';
import { cardIdProblem } from '../../../domain/cards/card-command.js';
import { mayApprove } from '../../../domain/policy/authorise.js';
import { MESSAGES } from '../../../messages.js';
import type { ListenerDeps } from '../../deps.js';
import { buildReply } from '../../views/reply.js';
import { appendSecretAudit } from '../commands/secret-audit.js';
import { type ButtonArgs, deciderOf, readClick } from './approve-cancel.js';

/**
 * Clear lock (Home tab, approvers only): a card whose activation checks are used up may be
 * checked again. Audited `cleared`; the checks before it no longer count (activation-limits.ts).
 * A refused click is audited `denied`.
 */
export async function handleClearActivationLock(deps: ListenerDeps, args: ButtonArgs): Promise<void> {
  await args.ack();
  const click = readClick(deps, args);
  const options = { sandbox: deps.sandbox };
  const cardId = args.action.value ?? '';
  if (cardIdProblem(cardId)) {
    return click.answer(buildReply([MESSAGES.clearLockNoCard()], options));
  }
  const clicker = await deciderOf(deps, click, args.body.channel?.id);
  const base = { actor: clicker.actor, teamId: clicker.teamId, channelId: clicker.channelId, op: 'activate', cardId };
  if (!mayApprove(clicker.policy, clicker.roles)) {
    await appendSecretAudit(deps, { ...base, outcome: 'denied', reason: 'clear activation lock: not an approver' });
    const roles = clicker.policy.approvals.cancel?.approvers ?? [];
    return click.answer(buildReply([MESSAGES.refusedClearLock({ approverRoles: roles })], options));
  }
  const { perCard } = activationLimitsOf(clicker.policy.limits);
  const checks = await cardChecksSinceCleared(deps.audit, cardId);
  if (checks.length < perCard) {
    return click.answer(buildReply([MESSAGES.clearLockNotLocked({ cardId })], options));
  }
  const recorded = await appendSecretAudit(deps, {
    ...base,
    outcome: 'cleared',
    reason: `activation lock cleared after ${checks.length} checks`,
  });
  if (!recorded) {
    return click.answer(buildReply([MESSAGES.clearLockUnrecorded({ cardId })], options));
  }
  deps.logger.info({ actor: clicker.actor, cardId }, 'activation lock cleared');
  await click.answer(buildReply([MESSAGES.clearLockDone({ cardId, checks: perCard })], options));
}
