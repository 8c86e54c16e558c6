import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { View } from '@slack/types';
import { cardIdProblem, parseCardCommand } from '../../../domain/cards/card-command.js';
import type { CardOp } from '../../../domain/ops.js';
import { MESSAGES } from '../../../messages.js';
import { resolveContext } from '../../context.js';
import { deliverAnswer } from '../../deliver-answer.js';
import type { ListenerDeps } from '../../deps.js';
import { postToResponseUrl } from '../../response-urls.js';
import { withReasonMasked } from '../../views/card-replies.js';
import { buildOperationModal, decodeMetadata, readOperationModal } from '../../views/operation-modal.js';
import type { SlackReply } from '../../views/reply.js';
import type { CardRequest } from '../commands/card-request.js';
import { dispatchCardOp, opsAllowedHere } from '../commands/dispatch-card-op.js';
import { appendSecretAudit } from '../commands/secret-audit.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Ops whose handler opens a modal of its own: the form is replaced by it in the acknowledgement. */
const MODAL_OPS: readonly CardOp[] = ['activate', 'change-pin'];

/**
 * The operation form was submitted: check each field (errors go back into the form), then run the
 * op exactly as if it had been typed, answering in the channel where `/card` was typed.
 */
export async function handleCardOperationSubmitted(deps: ListenerDeps, { ack, view, body, client }: Args) {
  const metadata = decodeMetadata(view.private_metadata);
  const values = readOperationModal(view.state.values);
  if (!metadata || !values) {
    await ack({
      response_action: 'errors',
      errors: { card_id: MESSAGES.formOutOfDate() },
    });
    return;
  }
  const userId = body.user.id;
  const ctx = await resolveContext(deps, { userId, teamId: body.team?.id ?? body.user.team_id, channelId: metadata.c });
  const allowed = opsAllowedHere({ ctx, deps });
  const errors: Record<string, string> = {};
  if (!values.op || !allowed.includes(values.op)) errors.op = MESSAGES.formChooseOp();
  const idProblem = cardIdProblem(values.cardId);
  if (idProblem) errors.card_id = idProblem;
  const op = values.op;
  if (op === 'cancel' && !errors.op && !idProblem && values.reason.trim() === '') {
    // A cancel needs a reason: the same form for cancel alone asks for it, required (nothing refused yet).
    await ack({
      response_action: 'update',
      view: buildOperationModal(['cancel'], metadata, deps.sandbox, { cardId: values.cardId }),
    });
    return;
  }
  let parsed: ReturnType<typeof parseCardCommand> | undefined;
  if (op && !errors.op && !idProblem) {
    const text =
      op === 'set-limit'
        ? `set-limit ${values.cardId} ${values.amount}`
        : ['block', 'unblock', 'cancel'].includes(op)
          ? `${op} ${values.cardId} ${values.reason}`
          : `${op} ${values.cardId}`;
    parsed = parseCardCommand(text);
    if (parsed.kind === 'invalid') errors[op === 'set-limit' ? 'amount' : 'reason'] = parsed.problem;
  }
  if (!op || !parsed || parsed.kind !== 'op' || Object.keys(errors).length > 0) {
    await ack({ response_action: 'errors', errors });
    // Bad input is refused before the issuer and put on record, as when it is typed.
    await appendSecretAudit(deps, {
      actor: userId,
      teamId: ctx.teamId,
      channelId: metadata.c,
      op: op ?? 'command',
      outcome: 'invalid',
      reason: `operation form: ${Object.values(errors).join(' ')}`,
    });
    return;
  }

  let acked = false;
  // Card data in the reason was masked: the first answer says so (SPEC §7).
  let masked = parsed.masked && parsed.reason ? parsed.reason : undefined;
  const reply = async (answer: SlackReply) => {
    const message = masked ? withReasonMasked(masked, answer) : answer;
    masked = undefined;
    // An answer instead of the next modal (refused, locked): close the form first, within 3 s.
    if (!acked) {
      acked = true;
      await ack();
    }
    await deliverLater(deps, client, { userId, channelId: metadata.c, handle: metadata.h }, message);
  };
  const openModal = async (next: View) => {
    acked = true;
    await ack({ response_action: 'update', view: next });
  };
  if (!MODAL_OPS.includes(op)) {
    acked = true;
    await ack();
  }
  const request: CardRequest = {
    deps,
    ctx,
    op,
    cardId: parsed.cardId,
    ...(parsed.reason !== undefined ? { reason: parsed.reason } : {}),
    ...(parsed.amount !== undefined ? { amount: parsed.amount } : {}),
    reply,
    openModal,
    responseUrl: metadata.h ? deps.vault.take(metadata.h, userId)?.url : undefined,
    client,
  };
  try {
    await dispatchCardOp(request);
  } finally {
    if (!acked) await ack();
  }
}

/** Answers after a modal, through the command's response_url kept in the vault (see deliverAnswer). */
export async function deliverLater(
  deps: ListenerDeps,
  client: Args['client'],
  target: { userId: string; channelId: string; handle: string | undefined },
  message: SlackReply,
): Promise<void> {
  const kept = target.handle ? deps.vault.take(target.handle, target.userId) : undefined;
  const ephemeral = { response_type: 'ephemeral', text: message.text, blocks: message.blocks };
  await deliverAnswer(deps, client, target, message, kept ? () => postToResponseUrl(kept.url, ephemeral) : undefined);
}
