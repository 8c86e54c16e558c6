import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { pastActivation } from '../../../domain/cards/activation-limits.js';
import { cardInHandMatches } from '../../../domain/cards/card-check.js';
import { executeCardOp } from '../../../domain/cards/execute-card-op.js';
import type { ListenerDeps } from '../../deps.js';
import { activateFieldErrors, readActivateModal } from '../../views/activate-modal.js';
import { buildOpFailed, buildStateChangeDone } from '../../views/card-replies.js';
import {
  activationBlockedText,
  buildActivationBlocked,
  buildNotActivated,
  buildPastActivation,
} from '../../views/secret-activation-replies.js';
import { activationStandingOf, auditActivationBlocked, reportLimitsReached } from '../commands/card-activate.js';
import { appendSecretAudit } from '../commands/secret-audit.js';
import { acceptSecretSubmission, readSecretSubmission } from './secret-submission.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const CHECK_REASON = 'card-in-hand activation check: compared, not shown';

/**
 * The card-in-hand check was submitted. Format errors and a limit go back into the modal (never
 * repeating what was typed); otherwise the modal closes, the real PAN and CVV are read under
 * audit, compared in constant time, and the card is activated only on a match.
 *
 * Not a CVV oracle: a match on a card the issuer refuses to activate (already active, blocked,
 * not printed) is answered, counted and shown in `/card history` exactly as a mismatch, and each
 * check, whatever it found, spends the agent's and the card's budgets (activation-limits.ts).
 * The answer, which holds no card value, goes to the asker in the channel of the command.
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
  const who = { actor: userId, teamId, channelId: metadata.c };
  const before = await activationStandingOf(deps, deps.policy.current(), who, cardId);
  if (before.block) {
    await args.ack({ response_action: 'errors', errors: { last4: activationBlockedText(cardId, before.block) } });
    await auditActivationBlocked(deps, who, cardId, before.block);
    return;
  }
  const accepted = await acceptSecretSubmission(deps, args, submission);
  if (!accepted) return;
  const { ctx, answer } = accepted;
  const options = { sandbox: deps.sandbox };

  // The limits are checked again and the check recorded inside one turn per agent, then per card
  // (always in that order): parallel submissions would otherwise all pass before any is counted.
  await deps.serialise.run(`activate-agent:${userId}`, () =>
    deps.serialise.run(`activate:${cardId}`, async () => {
      const past = await pastActivation(deps.audit, cardId);
      if (past) return answer(buildPastActivation(cardId, past, options));
      const standing = await activationStandingOf(deps, ctx.policy, who, cardId);
      if (standing.block) {
        await auditActivationBlocked(deps, who, cardId, standing.block);
        return answer(buildActivationBlocked(cardId, standing.block, options));
      }
      const pan = await executeCardOp(deps, ctx, { op: 'pan', cardId, reason: CHECK_REASON });
      if (!pan.ok) return answer(buildOpFailed('activate', cardId, pan.error, options));
      const cvv = await executeCardOp(deps, ctx, { op: 'cvv', cardId, reason: CHECK_REASON });
      if (!cvv.ok) return answer(buildOpFailed('activate', cardId, cvv.error, options));

      const matches = cardInHandMatches(typed, { pan: pan.value.pan, cvv: cvv.value.cvv });
      await appendSecretAudit(deps, {
        ...base,
        outcome: matches ? 'matched' : 'mismatched',
        reason: matches ? 'card details matched' : 'card details did not match',
      });
      deps.logger.info({ actor: userId, cardId }, 'activation check done');
      const outcome = matches ? await executeCardOp(deps, ctx, { op: 'activate', cardId }) : undefined;
      const activated = outcome?.ok === true;
      const after = await activationStandingOf(deps, ctx.policy, who, cardId);
      await reportLimitsReached(deps, args.client, ctx.policy, who, cardId, after, activated);

      if (outcome?.ok) return answer(buildStateChangeDone('activate', cardId, outcome.value.traceId, options));
      // A refusal after a match reads as a mismatch; any other failure (no answer, a 5xx) is the
      // issuer's doing, not the agent's guess, and is told as it is.
      if (outcome && outcome.error.code !== 'STATE_CONFLICT') {
        return answer(buildOpFailed('activate', cardId, outcome.error, options));
      }
      return answer(buildNotActivated(cardId, after, options));
    }),
  );
}
