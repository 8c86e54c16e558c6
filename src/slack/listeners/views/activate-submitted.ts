import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { ACTIVATION_MAX_FAILURES, ACTIVATION_WINDOW_MS, cardInHandMatches } from '../../../domain/cards/card-check.js';
import { executeCardOp } from '../../../domain/cards/execute-card-op.js';
import type { ListenerDeps } from '../../deps.js';
import { activateFieldErrors, readActivateModal } from '../../views/activate-modal.js';
import { buildOpFailed, buildStateChangeDone } from '../../views/card-replies.js';
import {
  activationLockedText,
  buildActivationLocked,
  buildActivationMismatch,
} from '../../views/secret-activation-replies.js';
import { activationLock, auditActivationLocked } from '../commands/card-activate.js';
import { appendSecretAudit } from '../commands/secret-audit.js';
import { acceptSecretSubmission, readSecretSubmission } from './secret-submission.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const CHECK_REASON = 'card-in-hand activation check: compared, not shown';

/**
 * The card-in-hand check was submitted. Format errors and a lock go back into the modal (never
 * repeating what was typed); otherwise the modal closes, the real PAN and CVV are read under
 * audit, compared in constant time, and the card is activated only on a match. The answer, which
 * holds no card value, goes to the asker in the channel where the command was typed.
 */
export async function handleActivateSubmitted(deps: ListenerDeps, args: Args): Promise<void> {
  const submission = await readSecretSubmission(deps, args, {
    op: 'activate',
    read: readActivateModal,
    staleField: 'last4',
    fieldErrors: activateFieldErrors,
    invalidReason: 'card details not in the expected format',
  });
  if (!submission) return;
  const { typed, metadata, cardId, userId, teamId, base } = submission;
  const lockedUntil = await activationLock(deps, cardId, deps.now());
  if (lockedUntil) {
    await args.ack({ response_action: 'errors', errors: { last4: activationLockedText(cardId, lockedUntil) } });
    await auditActivationLocked(deps, { actor: userId, teamId, channelId: metadata.c }, cardId, lockedUntil);
    return;
  }
  const accepted = await acceptSecretSubmission(deps, args, submission);
  if (!accepted) return;
  const { ctx, answer } = accepted;
  const options = { sandbox: deps.sandbox };

  // The lock is checked again and the outcome recorded inside one per-card turn: parallel
  // submissions would otherwise all pass the check before any mismatch is written.
  await deps.serialise.run(`activate:${cardId}`, async () => {
    const lockedNow = await activationLock(deps, cardId, deps.now());
    if (lockedNow) {
      await auditActivationLocked(deps, { actor: userId, teamId, channelId: metadata.c }, cardId, lockedNow);
      return answer(buildActivationLocked(cardId, lockedNow, options));
    }
    const pan = await executeCardOp(deps, ctx, { op: 'pan', cardId, reason: CHECK_REASON });
    if (!pan.ok) return answer(buildOpFailed('activate', cardId, pan.error, options));
    const cvv = await executeCardOp(deps, ctx, { op: 'cvv', cardId, reason: CHECK_REASON });
    if (!cvv.ok) return answer(buildOpFailed('activate', cardId, cvv.error, options));

    if (!cardInHandMatches(typed, { pan: pan.value.pan, cvv: cvv.value.cvv })) {
      await appendSecretAudit(deps, { ...base, outcome: 'mismatched', reason: 'card details did not match' });
      deps.logger.info({ actor: userId, cardId }, 'activation check: details did not match');
      const now = deps.now();
      const lockedAfter = await activationLock(deps, cardId, now);
      const recent = await deps.audit.countRecent({
        cardId,
        ops: ['activate'],
        outcomes: ['mismatched'],
        since: new Date(now.getTime() - ACTIVATION_WINDOW_MS).toISOString(),
      });
      const triesLeft = Math.max(1, ACTIVATION_MAX_FAILURES - recent);
      return answer(buildActivationMismatch(cardId, { lockedUntil: lockedAfter, triesLeft }, options));
    }

    await appendSecretAudit(deps, { ...base, outcome: 'matched', reason: 'card details matched' });
    const outcome = await executeCardOp(deps, ctx, { op: 'activate', cardId });
    await answer(
      outcome.ok
        ? buildStateChangeDone('activate', cardId, outcome.value.traceId, options)
        : buildOpFailed('activate', cardId, outcome.error, options),
    );
  });
}
