import type { UserGroupResolver } from '../adapters/slack/usergroups.js';
import type { RequestContext } from '../domain/cards/execute-card-op.js';
import { groupsReferenced, rolesOf } from '../domain/policy/authorise.js';
import type { Policy } from '../domain/policy/policy-schema.js';

/** Resolves who is asking: roles from the policy, by user id and by cached user-group membership. */
export async function resolveContext(
  deps: { policy: { current(): Policy }; userGroups: UserGroupResolver },
  request: { userId: string; teamId: string | null | undefined; channelId: string },
): Promise<RequestContext & { policy: Policy }> {
  const policy = deps.policy.current();
  const groups = groupsReferenced(policy);
  const memberOf = groups.length > 0 ? await deps.userGroups.groupsOf(request.userId, groups) : new Set<string>();
  return {
    actor: request.userId,
    teamId: request.teamId ?? null,
    channelId: request.channelId,
    roles: rolesOf(policy, request.userId, memberOf),
    staleGroups: groups.length > 0 ? deps.userGroups.staleGroups() : [],
    policy,
  };
}
