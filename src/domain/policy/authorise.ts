import { MESSAGES } from '../../messages.js';
import { CARD_OPS, type CardOp, type PolicyOp } from '../ops.js';
import { DM_CHANNEL_KEY, type Policy } from './policy-schema.js';

export type Authorisation =
  | { allowed: true }
  | {
      allowed: false;
      /**
       * `role`: the user holds none of the op's roles. `channel`: the op is not allowed where it was asked.
       * `approval`: the op needs an approval the policy does not configure (cancel without approvals.cancel).
       */
      why: 'role' | 'channel' | 'approval';
      /** One paragraph a support agent can act on; safe to show and to audit. */
      message: string;
    };

/** The policy's key for a channel: direct messages with the bot (D…) are all `dm`. */
export function channelKey(channelId: string): string {
  return channelId.startsWith('D') ? DM_CHANNEL_KEY : channelId;
}

/** How a channel key reads in a message: a channel mention, or the DM with the bot. */
export function describeChannelKey(key: string): string {
  return key === DM_CHANNEL_KEY ? 'a direct message with the bot' : `<#${key}>`;
}

/** Why a user-group member may be refused: Slack has not answered for too long (fail closed). */
function staleNote(policy: Policy, needed: readonly string[], stale: readonly string[]): string {
  const groups = needed.flatMap((role) => policy.roles[role]?.usergroups ?? []).filter((g) => stale.includes(g));
  if (groups.length === 0) return '';
  return MESSAGES.staleGroups({ groups: [...new Set(groups)] });
}

/** The roles a user holds, directly or through one of the given user groups; sorted. */
export function rolesOf(policy: Policy, userId: string, userGroupIds: ReadonlySet<string>): string[] {
  const held: string[] = [];
  for (const [name, role] of Object.entries(policy.roles)) {
    if (role.users.includes(userId) || role.usergroups.some((group) => userGroupIds.has(group))) held.push(name);
  }
  return held.sort();
}

const intersects = (roles: readonly string[], wanted: readonly string[]) => roles.some((r) => wanted.includes(r));

function channelAllows(policy: Policy, key: string, op: PolicyOp): boolean {
  const ops = policy.channels[key];
  return ops !== undefined && (ops.includes('*') || ops.includes(op));
}

/**
 * Deny by default: the user must hold one of the op's roles, a cancel needs configured approvers,
 * and the channel must allow the op. The first failing check explains itself.
 */
export function authorise(
  policy: Policy,
  request: { roles: string[]; channelId: string; op: PolicyOp; staleGroups?: readonly string[] },
): Authorisation {
  const { roles, channelId, op } = request;
  const needed = policy.operations[op] ?? [];
  if (!intersects(roles, needed)) {
    const message =
      needed.length === 0
        ? MESSAGES.refusedNoRoleGiven({ op })
        : MESSAGES.refusedRole({ op, needed, roles, staleNote: staleNote(policy, needed, request.staleGroups ?? []) });
    return { allowed: false, why: 'role', message };
  }

  if (op === 'cancel' && !policy.approvals.cancel) {
    return {
      allowed: false,
      why: 'approval',
      message: MESSAGES.refusedCancelSwitchedOff(),
    };
  }

  const key = channelKey(channelId);
  if (!channelAllows(policy, key, op)) {
    const here = key === DM_CHANNEL_KEY ? describeChannelKey(key) : 'this channel';
    const elsewhere = Object.keys(policy.channels).filter((other) => channelAllows(policy, other, op));
    const message = MESSAGES.refusedChannel({ op, here, elsewhere: elsewhere.map(describeChannelKey) });
    return { allowed: false, why: 'channel', message };
  }
  return { allowed: true };
}

/** The ops this user may run in this channel, in CARD_OPS order. */
export function allowedOps(policy: Policy, roles: string[], channelId: string): CardOp[] {
  return CARD_OPS.filter((op) => authorise(policy, { roles, channelId, op }).allowed);
}

/** May query, export and verify the audit log (`/card-audit`). */
export function mayAudit(policy: Policy, roles: readonly string[]): boolean {
  return intersects(roles, policy.audit.roles);
}

/** May approve or reject cancel requests; false when the policy configures no approvals. */
export function mayApprove(policy: Policy, roles: readonly string[]): boolean {
  return intersects(roles, policy.approvals.cancel?.approvers ?? []);
}

/** Sees the whole PAN rather than the first 6 and last 4 digits. */
export function mayRevealFullPan(policy: Policy, roles: readonly string[]): boolean {
  return intersects(roles, policy.reveal.fullPan);
}

const GROUPS_REFERENCED = new WeakMap<Policy, readonly string[]>();

/**
 * The user-group ids the policy refers to: the ones the resolver must watch. Sorted, unique.
 * Asked on every request; worked out once per loaded policy (a reload is a new object).
 */
export function groupsReferenced(policy: Policy): readonly string[] {
  let groups = GROUPS_REFERENCED.get(policy);
  if (!groups) {
    groups = Object.freeze([...new Set(Object.values(policy.roles).flatMap((role) => role.usergroups))].sort());
    GROUPS_REFERENCED.set(policy, groups);
  }
  return groups;
}
