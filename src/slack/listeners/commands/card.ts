import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { View } from '@slack/types';
import { parseCardCommand } from '../../../domain/cards/card-command.js';
import { channelKey, mayApprove, mayAudit } from '../../../domain/policy/authorise.js';
import { resolveContext } from '../../context.js';
import { deliverAnswer } from '../../deliver-answer.js';
import type { ListenerDeps } from '../../deps.js';
import { buildHelp, buildReasonMasked, buildUsage, buildWhoami, type HelpExtras } from '../../views/card-replies.js';
import { buildOperationModal } from '../../views/operation-modal.js';
import type { SlackReply } from '../../views/reply.js';
import { handleHistory } from './card-history.js';
import type { CardRequest } from './card-request.js';
import { channelsElsewhere, commandsAllowedHere, dispatchCardOp, opsAllowedHere } from './dispatch-card-op.js';
import { appendSecretAudit } from './secret-audit.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** `/card …`: acknowledge at once, then parse, check and run; every answer is ephemeral to the asker. */
export async function handleCardCommand(deps: ListenerDeps, { command, ack, respond, client }: Args): Promise<void> {
  await ack();
  const parsed = parseCardCommand(command.text ?? '');
  const ctx = await resolveContext(deps, {
    userId: command.user_id,
    teamId: command.team_id,
    channelId: command.channel_id,
  });
  const sandbox = deps.sandbox;
  const reply = (message: SlackReply) =>
    deliverAnswer(deps, client, { userId: command.user_id, channelId: command.channel_id }, message, () =>
      respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks }),
    );
  const openModal = async (view: View) => {
    await client.views.open({ trigger_id: command.trigger_id, view });
  };
  // What this person may do here: for help, usage and the form only, not worked out for an operation.
  let allowedHere: ReturnType<typeof opsAllowedHere> | undefined;
  const allowed = () => {
    allowedHere ??= opsAllowedHere({ ctx, deps });
    return allowedHere;
  };
  const commands = () => commandsAllowedHere({ ctx, deps });
  const here = channelKey(ctx.channelId) === 'dm' ? 'dm' : ctx.channelId;
  const extras = (): HelpExtras => ({
    audit: mayAudit(ctx.policy, ctx.roles),
    approve: mayApprove(ctx.policy, ctx.roles) ? { channel: ctx.policy.approvals.cancel?.channel } : undefined,
    elsewhere: channelsElsewhere({ ctx, deps }),
  });

  switch (parsed.kind) {
    case 'help':
      return reply(buildHelp(commands(), here, extras(), { sandbox }));
    case 'whoami':
      return reply(buildWhoami(ctx.actor, ctx.roles, commands(), here, extras(), { sandbox }));
    case 'modal': {
      if (allowed().length === 0) {
        await appendSecretAudit(deps, {
          actor: ctx.actor,
          teamId: ctx.teamId,
          channelId: ctx.channelId,
          op: 'command',
          outcome: 'denied',
          reason: 'operation form: no operation allowed to this user here',
        });
        return reply(buildHelp(allowed(), here, extras(), { sandbox }));
      }
      const handle = deps.vault.keep(command.response_url, { userId: ctx.actor, channelId: ctx.channelId });
      try {
        await openModal(buildOperationModal(allowed(), { c: ctx.channelId, h: handle }, sandbox));
      } catch (error) {
        deps.logger.warn({ err: error }, 'operation form could not be opened');
        return reply(
          buildUsage('The form could not be opened in time. Try again, or type the operation.', undefined, allowed(), {
            sandbox,
          }),
        );
      }
      return;
    }
    case 'invalid': {
      // Bad input is refused before any issuer call, and the refusal is audited.
      await appendSecretAudit(deps, {
        actor: ctx.actor,
        teamId: ctx.teamId,
        channelId: ctx.channelId,
        op: parsed.op ?? 'command',
        outcome: 'invalid',
        reason: parsed.problem,
      });
      return reply(buildUsage(parsed.problem, parsed.op, commands(), { sandbox }));
    }
    case 'history':
      return handleHistory({ deps, ctx, cardId: parsed.cardId, reply });
    case 'op': {
      if (parsed.masked && parsed.reason) await reply(buildReasonMasked(parsed.reason, { sandbox }));
      const request: CardRequest = {
        deps,
        ctx,
        op: parsed.op,
        cardId: parsed.cardId,
        ...(parsed.reason !== undefined ? { reason: parsed.reason } : {}),
        ...(parsed.amount !== undefined ? { amount: parsed.amount } : {}),
        reply,
        openModal,
        responseUrl: command.response_url,
        client,
      };
      return dispatchCardOp(request);
    }
  }
}
