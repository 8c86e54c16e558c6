import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { executeCardOp } from '../../../domain/cards/execute-card-op.js';
import { authorise } from '../../../domain/policy/authorise.js';
import { resolveContext } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import { buildDenied, buildOpFailed, buildStateChangeDone } from '../../views/card-replies.js';
import { changePinFieldErrors, readChangePinModal } from '../../views/change-pin-modal.js';
import type { SlackReply } from '../../views/reply.js';
import { decodeSecretModalMetadata } from '../../views/secret-modal-metadata.js';
import { appendSecretAudit } from '../commands/secret-audit.js';
import { deliverLater } from './card-operation-submitted.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * The new PIN was submitted. A malformed or weak PIN is a field error (never repeating it); else
 * the modal closes, the PIN goes to the issuer under audit (the audit holds op and card, never
 * the PIN) and the asker is told it changed, without the PIN.
 */
export async function handleChangePinSubmitted(deps: ListenerDeps, { ack, view, body, client }: Args): Promise<void> {
  const metadata = decodeSecretModalMetadata(view.private_metadata);
  const typed = readChangePinModal(view.state.values);
  if (!metadata || !typed) {
    await ack({
      response_action: 'errors',
      errors: { new_pin: 'This form is out of date. Close it and run /card change-pin again.' },
    });
    return;
  }
  const cardId = metadata.k;
  const userId = body.user.id;
  const teamId = body.team?.id ?? body.user.team_id ?? null;
  const base = { actor: userId, teamId, channelId: metadata.c, op: 'change-pin', cardId };
  const errors = changePinFieldErrors(typed);
  if (Object.keys(errors).length > 0) {
    await ack({ response_action: 'errors', errors });
    await appendSecretAudit(deps, {
      ...base,
      outcome: 'invalid',
      reason: 'new PIN refused: malformed, weak or not confirmed',
    });
    return;
  }
  await ack();
  const ctx = await resolveContext(deps, { userId, teamId, channelId: metadata.c });

  const options = { sandbox: deps.sandbox };
  const answer = (reply: SlackReply) =>
    deliverLater(deps, client, { userId, channelId: metadata.c, handle: metadata.h }, reply);
  const decision = authorise(ctx.policy, { roles: ctx.roles, channelId: ctx.channelId, op: 'change-pin' });
  if (!decision.allowed) {
    await appendSecretAudit(deps, { ...base, outcome: 'denied', reason: `${decision.why}: ${decision.message}` });
    return answer(buildDenied(decision.message, options));
  }
  const outcome = await executeCardOp(deps, ctx, { op: 'change-pin', cardId, pin: typed.pin });
  await answer(
    outcome.ok
      ? buildStateChangeDone('change-pin', cardId, outcome.value.traceId, options)
      : buildOpFailed('change-pin', cardId, outcome.error, options),
  );
}
