import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { executeCardOp } from '../../../domain/cards/execute-card-op.js';
import type { ListenerDeps } from '../../deps.js';
import { buildOpFailed, buildStateChangeDone } from '../../views/card-replies.js';
import { changePinFieldErrors, readChangePinModal } from '../../views/change-pin-modal.js';
import { acceptSecretSubmission, readSecretSubmission } from './secret-submission.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * The new PIN was submitted. A malformed or weak PIN is a field error (never repeating it); else
 * the modal closes, the PIN goes to the issuer under audit (the audit holds op and card, never
 * the PIN) and the asker is told it changed, without the PIN.
 */
export async function handleChangePinSubmitted(deps: ListenerDeps, args: Args): Promise<void> {
  const submission = await readSecretSubmission(deps, args, {
    op: 'change-pin',
    read: readChangePinModal,
    staleField: 'new_pin',
    fieldErrors: changePinFieldErrors,
    invalidReason: 'new PIN refused: malformed, weak or not confirmed',
  });
  if (!submission) return;
  const { typed, cardId } = submission;
  const accepted = await acceptSecretSubmission(deps, args, submission);
  if (!accepted) return;
  const { ctx, answer } = accepted;
  const options = { sandbox: deps.sandbox };
  const outcome = await executeCardOp(deps, ctx, { op: 'change-pin', cardId, pin: typed.pin });
  await answer(
    outcome.ok
      ? buildStateChangeDone('change-pin', cardId, outcome.value.traceId, options)
      : buildOpFailed('change-pin', cardId, outcome.error, options),
  );
}
