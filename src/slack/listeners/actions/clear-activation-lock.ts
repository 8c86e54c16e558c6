import { activationLimitsOf, cardChecksSinceCleared } from '../../../domain/cards/activation-limits.js';
import { cardIdProblem } from '../../../domain/cards/card-command.js';
import { mayApprove } from '../../../domain/policy/authorise.js';
import { MESSAGES } from '../../../messages.js';
import type { ListenerDeps } from '../../deps.js';
import { code } from '../../views/mrkdwn.js';
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
    return click.answer(buildReply([':grey_question: This button does not carry a card id.'], options));
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
    return click.answer(
      buildReply([`:information_source: Activation of card ${code(cardId)} is not locked: nothing to clear.`], options),
    );
  }
  const recorded = await appendSecretAudit(deps, {
    ...base,
    outcome: 'cleared',
    reason: `activation lock cleared after ${checks.length} checks`,
  });
  if (!recorded) {
    return click.answer(
      buildReply(
        [
          `:floppy_disk: The audit log could not be written, so the lock of card ${code(cardId)} stays. Tell the operator.`,
        ],
        options,
      ),
    );
  }
  deps.logger.info({ actor: clicker.actor, cardId }, 'activation lock cleared');
  await click.answer(
    buildReply(
      [
        `:unlock: Activation lock of card ${code(cardId)} cleared: it may be checked ${perCard} more ${perCard === 1 ? 'time' : 'times'}.`,
      ],
      options,
    ),
  );
}
