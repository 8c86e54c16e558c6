import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { authorise } from '../../../domain/policy/authorise.js';
import { resolveContext } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import { buildDenied } from '../../views/card-replies.js';
import type { SlackReply } from '../../views/reply.js';
import { decodeSecretModalMetadata, type SecretModalMetadata } from '../../views/secret-modal-metadata.js';
import { appendSecretAudit } from '../commands/secret-audit.js';
import { deliverLater } from './card-operation-submitted.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** The card-in-hand activation and the PIN change: the ops whose form carries a typed secret. */
type SecretFormOp = 'activate' | 'change-pin';

/** A submitted secret form whose values are well formed. SECRET: `typed` is never logged. */
export interface SecretSubmission<T> {
  typed: T;
  metadata: SecretModalMetadata;
  cardId: string;
  userId: string;
  teamId: string | null;
  /** What every audit row of this submission starts with. */
  base: { actor: string; teamId: string | null; channelId: string; op: SecretFormOp; cardId: string };
}

/**
 * Reads a submitted secret form. A form not of this app's making, or values in the wrong format,
 * go back into the form as field errors (never repeating what was typed; a bad format is audited
 * `invalid`) and resolve undefined: the submission has then been acknowledged.
 */
export async function readSecretSubmission<T>(
  deps: ListenerDeps,
  { ack, view, body }: Pick<Args, 'ack' | 'view' | 'body'>,
  form: {
    op: SecretFormOp;
    read: (values: unknown) => T | undefined;
    /** The field that tells the form is out of date. */
    staleField: string;
    fieldErrors: (typed: T) => Record<string, string>;
    /** The audit reason of a refused format. */
    invalidReason: string;
  },
): Promise<SecretSubmission<T> | undefined> {
  const metadata = decodeSecretModalMetadata(view.private_metadata);
  const typed = form.read(view.state.values);
  if (!metadata || !typed) {
    await ack({
      response_action: 'errors',
      errors: { [form.staleField]: `This form is out of date. Close it and run /card ${form.op} again.` },
    });
    return undefined;
  }
  const cardId = metadata.k;
  const userId = body.user.id;
  const teamId = body.team?.id ?? body.user.team_id ?? null;
  const base = { actor: userId, teamId, channelId: metadata.c, op: form.op, cardId };
  const errors = form.fieldErrors(typed);
  if (Object.keys(errors).length > 0) {
    await ack({ response_action: 'errors', errors });
    await appendSecretAudit(deps, { ...base, outcome: 'invalid', reason: form.invalidReason });
    return undefined;
  }
  return { typed, metadata, cardId, userId, teamId, base };
}

/**
 * Closes the form, then checks the policy again (it may have changed since the form opened): a
 * refusal is audited and answered, and resolves undefined. Otherwise resolves the context to run
 * under and the way to answer: in the channel where the command was typed.
 */
export async function acceptSecretSubmission(
  deps: ListenerDeps,
  { ack, client }: Pick<Args, 'ack' | 'client'>,
  submission: SecretSubmission<unknown>,
): Promise<
  { ctx: Awaited<ReturnType<typeof resolveContext>>; answer: (reply: SlackReply) => Promise<void> } | undefined
> {
  const { userId, teamId, metadata, base } = submission;
  await ack();
  const ctx = await resolveContext(deps, { userId, teamId, channelId: metadata.c });
  const answer = (reply: SlackReply) =>
    deliverLater(deps, client, { userId, channelId: metadata.c, handle: metadata.h }, reply);
  const decision = authorise(ctx.policy, { ...ctx, op: base.op });
  if (!decision.allowed) {
    await appendSecretAudit(deps, { ...base, outcome: 'denied', reason: `${decision.why}: ${decision.message}` });
    await answer(buildDenied(decision.message, { sandbox: deps.sandbox }));
    return undefined;
  }
  return { ctx, answer };
}
