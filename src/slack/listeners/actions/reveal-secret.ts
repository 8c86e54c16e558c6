import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { authorise, mayRevealFullPan } from '../../../domain/policy/authorise.js';
import { AppError } from '../../../errors.js';
import { resolveContext } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import { buildDenied, buildOpFailed } from '../../views/card-replies.js';
import type { SlackReply } from '../../views/reply.js';
import {
  buildRevealed,
  buildRevealHidden,
  buildRevealLimited,
  buildRevealNotYours,
  buildRevealStale,
} from '../../views/secret-replies.js';
import { auditRevealLimited, readSecret, revealBudgetSpent } from '../commands/card-reveal.js';
import { appendSecretAudit } from '../commands/secret-audit.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/** A reveal id as reveal-timers makes it; anything else is a forged or foreign value. */
const revealIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,40}$/);

/**
 * The Reveal button of a `/card pan|cvv|expiry|pin` offer. Its value is only an id, and values can
 * be forged: the offer must exist, be the clicker's own and unexpired; policy and budget are
 * checked again. The offer comes from the shared store, so the replica that gets the click may not
 * be the one that made the offer: it reads the value itself and shows it through the click's own
 * response_url, and its own timer hides it. Then the read is audited (started/ok, then `revealed`, never the value), the
 * secret is shown by replacing the offer through this click's response_url (ephemeral, the one
 * road for a secret), and a timer replaces it again after `revealHideMs`.
 */
export async function handleRevealSecret(deps: ListenerDeps, { ack, body, action, respond }: Args): Promise<void> {
  await ack();
  // Registered for one action_id, which only ever sits on a message button.
  if (body.type !== 'block_actions' || action.type !== 'button') return;
  const responseUrl = body.response_url;
  const options = { sandbox: deps.sandbox };
  const userId = body.user.id;
  const answer = async (reply: SlackReply, replaceOriginal = true) => {
    try {
      await respond({
        response_type: 'ephemeral',
        replace_original: replaceOriginal,
        text: reply.text,
        blocks: reply.blocks,
      });
    } catch (error) {
      deps.logger.warn({ err: error }, 'reveal answer could not be delivered');
    }
  };

  const id = revealIdSchema.safeParse(action.value);
  const now = deps.now();
  // The offer may have been made by another replica: it is read from the shared store.
  const claim = id.success
    ? await deps.revealOffers.claim(id.data, userId, now.getTime())
    : ({ kind: 'unknown' } as const);
  if (claim.kind === 'unknown') {
    // Forged, replayed or from before a restart: nothing is read, but the attempt is on record.
    await appendSecretAudit(deps, {
      actor: userId,
      teamId: body.team?.id ?? null,
      channelId: body.channel?.id ?? null,
      op: 'command',
      outcome: 'invalid',
      reason: 'Reveal button with an unknown or already used offer',
    });
    return answer(buildRevealStale(undefined, undefined, options));
  }
  if (claim.kind === 'expired') return answer(buildRevealStale(claim.offer.op, claim.offer.cardId, options));
  if (claim.kind === 'not-yours') {
    await appendSecretAudit(deps, {
      actor: userId,
      teamId: body.team?.id ?? null,
      channelId: body.channel?.id ?? null,
      op: claim.offer.op,
      cardId: claim.offer.cardId,
      outcome: 'denied',
      reason: 'pressed a Reveal button offered to someone else',
    });
    deps.logger.warn({ actor: userId, op: claim.offer.op }, 'Reveal button of another user pressed');
    return answer(buildRevealNotYours(options), false);
  }

  const { op, cardId, channelId } = claim.offer;
  const ctx = await resolveContext(deps, { userId, teamId: claim.offer.teamId ?? body.team?.id, channelId });
  const decision = authorise(ctx.policy, { roles: ctx.roles, channelId, op, staleGroups: ctx.staleGroups ?? [] });
  if (!decision.allowed) {
    await appendSecretAudit(deps, {
      actor: userId,
      teamId: ctx.teamId,
      channelId,
      op,
      cardId,
      outcome: 'denied',
      reason: `${decision.why}: ${decision.message}`,
    });
    return answer(buildDenied(decision.message, options));
  }
  const perHour = ctx.policy.limits.revealsPerHour;
  if (await revealBudgetSpent(deps, userId, perHour, now)) {
    await auditRevealLimited(deps, ctx, op, cardId, perHour);
    return answer(buildRevealLimited(op, cardId, perHour, options));
  }

  // Counted against the budget from here until its `revealed` row is written.
  const release = deps.reveals.reserve(userId);
  let shown: SlackReply;
  try {
    const read = await readSecret(deps, ctx, op, cardId);
    if (!read.ok) return answer(buildOpFailed(op, cardId, read.error, options));
    const audited = await appendSecretAudit(deps, {
      actor: userId,
      teamId: ctx.teamId,
      channelId,
      op,
      cardId,
      outcome: 'revealed',
      traceId: read.traceId ?? null,
    });
    // Showing a secret is itself an audited event: no row, no showing.
    if (!audited) {
      const error = new AppError('AUDIT_UNAVAILABLE', 'reveal could not be audited');
      return answer(buildOpFailed(op, cardId, error, options));
    }
    const masked = op === 'pan' && !mayRevealFullPan(ctx.policy, ctx.roles);
    shown = buildRevealed(
      op,
      cardId,
      read.value,
      { masked, hideMs: deps.revealHideMs, traceId: read.traceId },
      options,
    );
  } finally {
    release();
  }

  // Scheduled first: if the post reaches Slack but its answer is lost, the secret still gets hidden.
  const hideMs = deps.revealHideMs;
  deps.reveals.scheduleHide(responseUrl, hideMs, (early) => {
    const hidden = buildRevealHidden(op, cardId, hideMs, early, options);
    return { text: hidden.text, blocks: hidden.blocks };
  });
  deps.logger.info({ actor: userId, op, cardId }, 'secret shown to the asker');
  await answer(shown);
}
