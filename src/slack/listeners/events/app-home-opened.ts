import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { homeOverview } from '../../../domain/approvals/home-overview.js';
import { cardsLockedForLife } from '../../../domain/cards/activation-limits.js';
import { authorise, mayApprove, mayAudit } from '../../../domain/policy/authorise.js';
import { resolveContext } from '../../context.js';
import type { ListenerDeps } from '../../deps.js';
import { buildHomeTab } from '../../views/home-tab.js';
import type { SlackReply } from '../../views/reply.js';

type Args = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/** The bot's Home tab was opened: publish what this person may decide, and their own requests. */
export async function handleAppHomeOpened(deps: ListenerDeps, { event, client, context }: Args): Promise<void> {
  if (event.tab !== 'home') return;
  await publishHome(deps, client, { userId: event.user, teamId: context.teamId ?? null });
}

/**
 * Publishes a person's Home tab. A click on a Home tab button has no response_url, so its answer
 * is given here: the tab is re-published with the answer (`notice`) on top.
 */
export async function publishHome(
  deps: ListenerDeps,
  client: WebClient,
  viewer: { userId: string; teamId: string | null },
  notice?: SlackReply,
): Promise<void> {
  const policy = deps.policy.current();
  const approvalsChannel = policy.approvals.cancel?.channel;
  const ctx = await resolveContext(deps, {
    userId: viewer.userId,
    teamId: viewer.teamId,
    channelId: approvalsChannel ?? 'home',
  });
  const mayDecide = mayApprove(policy, ctx.roles);
  const overview = await homeOverview(deps, { actor: viewer.userId, mayDecide }, deps.now());
  const lockedActivations = mayDecide
    ? await cardsLockedForLife(deps.audit, policy.limits.activationChecksPerCard)
    : [];
  const mayFile = Object.keys(policy.channels).some(
    (channelId) => authorise(policy, { roles: ctx.roles, channelId, op: 'cancel' }).allowed,
  );
  const view = buildHomeTab({
    ...overview,
    lockedActivations,
    mayDecide,
    mayFile,
    mayAudit: mayAudit(policy, ctx.roles),
    noRole: ctx.roles.length === 0,
    approvalsChannel,
    moreDecidable: overview.more.decidable,
    ...(notice ? { notice } : {}),
    sandbox: deps.sandbox,
  });
  try {
    await client.views.publish({ user_id: viewer.userId, view });
  } catch (error) {
    deps.logger.warn({ err: error, user: viewer.userId }, 'Home tab could not be published');
  }
}
