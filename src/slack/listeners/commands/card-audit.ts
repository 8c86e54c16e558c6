import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { encodeAuditPageRef, parseAuditCommand } from '../../../domain/audit/audit-command.js';
import {
  type AuditLooker,
  lookUpAuditPage,
  recordAuditRefusal,
  verifyAuditLog,
} from '../../../domain/audit/audit-looks.js';
import type { AuditFilter } from '../../../domain/audit/audit-types.js';
import { cleanText } from '../../../domain/cards/card-command.js';
import { mayAudit } from '../../../domain/policy/authorise.js';
import type { Policy } from '../../../domain/policy/policy-schema.js';
import { resolveContext } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import {
  buildAuditDenied,
  buildAuditFailed,
  buildAuditNoMatch,
  buildAuditPage,
  buildAuditUnavailable,
  buildAuditUsage,
  buildVerifyResult,
  buildVerifyStarted,
} from '../../views/audit-replies.js';
import type { SlackReply } from '../../views/reply.js';
import { runAuditExport } from './card-audit-export.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * `/card-audit [filters] | export [filters] | verify` (SPEC §5), for holders of `audit.roles` only:
 * acknowledge at once, check the role, parse, then query / export / verify. Every answer is
 * ephemeral to the asker; every look, refusal and bad input is itself an audit row.
 */
export async function handleCardAuditCommand(
  deps: ListenerDeps,
  { command, ack, respond, client }: Args,
): Promise<void> {
  await ack();
  const ctx = await resolveContext(deps, {
    userId: command.user_id,
    teamId: command.team_id,
    channelId: command.channel_id,
  });
  const who: AuditLooker = { actor: ctx.actor, teamId: ctx.teamId, channelId: ctx.channelId };
  const options = { sandbox: deps.sandbox };
  const reply = async (message: SlackReply) => {
    await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
  };
  const asked = `/card-audit ${cleanText(command.text ?? '')}`.trim();

  if (!mayAudit(ctx.policy, ctx.roles)) {
    await auditDenied(deps, who, ctx.policy, asked);
    return reply(buildAuditDenied(ctx.policy.audit.roles, ctx.roles, options));
  }

  const parsed = parseAuditCommand(command.text ?? '', deps.now());
  try {
    switch (parsed.kind) {
      case 'help':
        return await reply(buildAuditUsage(undefined, options));
      case 'invalid':
        await recordAuditRefusal(deps, who, 'invalid', `${asked}: ${parsed.problem}`);
        return await reply(buildAuditUsage(parsed.problem, options));
      case 'query':
        return await answerAuditPage(deps, who, { filter: parsed.filter, canonical: parsed.canonical, page: 1 }, reply);
      case 'export':
        return await runAuditExport(
          deps,
          who,
          { filter: parsed.filter, canonical: parsed.canonical },
          { reply, client },
        );
      case 'verify': {
        await reply(buildVerifyStarted(options));
        const result = await verifyAuditLog(deps.audit, who, { anchoring: deps.anchoring });
        if (!result.ok) return await reply(buildAuditUnavailable(options));
        deps.logger.info({ actor: who.actor, ok: result.value.ok, checked: result.value.checked }, 'audit verified');
        return await reply(buildVerifyResult(result.value, options));
      }
    }
  } catch (error) {
    deps.logger.error({ err: error, kind: parsed.kind }, '/card-audit failed');
    await reply(buildAuditFailed(options)).catch(() => {});
  }
}

/** A refusal, recorded with what was asked (never shown to anyone but the asker). */
export async function auditDenied(deps: ListenerDeps, who: AuditLooker, policy: Policy, asked: string): Promise<void> {
  const roles = policy.audit.roles.length > 0 ? policy.audit.roles.join(', ') : 'none';
  await recordAuditRefusal(deps, who, 'denied', `role: not in audit.roles (${roles}): ${asked}`);
  deps.logger.info({ actor: who.actor, channel: who.channelId, why: 'role' }, 'audit look denied');
}

/**
 * Answers one page of a query: the page is read, the look recorded, then shown, with a Next
 * button carrying the filter and the keyset cursor when older events match.
 */
export async function answerAuditPage(
  deps: ListenerDeps,
  who: AuditLooker,
  request: { filter: AuditFilter; canonical: string; before?: number; page: number },
  send: (message: SlackReply) => Promise<void>,
): Promise<void> {
  const options = { sandbox: deps.sandbox };
  const result = await lookUpAuditPage(deps.audit, who, request);
  if (!result.ok) return send(buildAuditUnavailable(options));
  const { rows, nextCursor } = result.value;
  if (rows.length === 0) return send(buildAuditNoMatch(request.filter, request.page, options));
  const nextValue =
    nextCursor !== undefined
      ? encodeAuditPageRef({ canonical: request.canonical, before: nextCursor, page: request.page + 1 })
      : undefined;
  return send(buildAuditPage({ rows, filter: request.filter, page: request.page, nextValue }, options));
}
