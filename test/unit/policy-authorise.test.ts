import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CARD_OPS, type CardOp } from '../../src/domain/ops.js';
import {
  allowedOps,
  authorise,
  channelKey,
  groupsReferenced,
  mayApprove,
  mayAudit,
  mayRevealFullPan,
  rolesOf,
} from '../../src/domain/policy/authorise.js';
import { type Policy, parsePolicy } from '../../src/domain/policy/policy-schema.js';

function load(text: string): Policy {
  const result = parsePolicy(text);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.policy;
}

const policy = load(readFileSync(new URL('../../policy.example.yml', import.meta.url), 'utf8'));

/** The people of the offline shell, with the user groups Slack would report for them. */
const PEOPLE = {
  alice: { id: 'U0AGENT01', groups: [] },
  bob: { id: 'U0AGENT02', groups: ['S0SUPPORT'] },
  carol: { id: 'U0SENIOR1', groups: [] },
  dave: { id: 'U0ONCALL1', groups: [] },
  erin: { id: 'U0ONCALL2', groups: [] },
  mallory: { id: 'U0MANAGER', groups: [] },
  stranger: { id: 'U0STRANGE', groups: [] },
} as const;
type Person = keyof typeof PEOPLE;

const rolesOfPerson = (person: Person) => rolesOf(policy, PEOPLE[person].id, new Set(PEOPLE[person].groups));

const CHANNELS = ['C0SUPPORT', 'C0SECURE', 'D0ALICEDM', 'C0APPROVE', 'C0RANDOM'] as const;
type Channel = (typeof CHANNELS)[number];

const SUPPORT_OPS: CardOp[] = ['block', 'unblock', 'activate', 'cancel', 'expiry', 'limit'];
const NOTHING = { C0SUPPORT: [], C0SECURE: [], D0ALICEDM: [], C0APPROVE: [], C0RANDOM: [] };
const AGENT = { ...NOTHING, C0SUPPORT: SUPPORT_OPS, C0SECURE: SUPPORT_OPS };

/** Written out by hand from policy.example.yml, so a change to the example or the rules shows here. */
const EXPECTED: Record<Person, Record<Channel, readonly CardOp[]>> = {
  alice: AGENT,
  bob: AGENT,
  carol: { ...NOTHING, C0SUPPORT: SUPPORT_OPS, C0SECURE: CARD_OPS },
  dave: NOTHING,
  erin: NOTHING,
  mallory: NOTHING,
  stranger: NOTHING,
};

describe('rolesOf', () => {
  it('when users are listed directly or through a user group, then they hold those roles, sorted', () => {
    expect(rolesOfPerson('alice')).toEqual(['agent']);
    expect(rolesOfPerson('bob')).toEqual(['agent']);
    expect(rolesOfPerson('carol')).toEqual(['senior']);
    expect(rolesOfPerson('dave')).toEqual(['approver']);
    expect(rolesOfPerson('erin')).toEqual(['approver']);
    expect(rolesOfPerson('mallory')).toEqual(['manager']);
    expect(rolesOfPerson('stranger')).toEqual([]);
  });

  it('when bob is not (or no longer) in the group, then he holds no role', () => {
    expect(rolesOf(policy, 'U0AGENT02', new Set())).toEqual([]);
  });

  it('when someone holds several roles, then all are listed in order', () => {
    const both = load(
      'roles:\n  zeta: { users: [U1X] }\n  alpha: { usergroups: [S1X] }\noperations: {}\nchannels: {}\n',
    );
    expect(rolesOf(both, 'U1X', new Set(['S1X']))).toEqual(['alpha', 'zeta']);
  });
});

describe('authorise against policy.example.yml', () => {
  for (const person of Object.keys(PEOPLE) as Person[]) {
    for (const channel of CHANNELS) {
      const allowed = EXPECTED[person][channel];
      it(`when ${person} asks in ${channel}, then exactly [${allowed.join(', ')}] are allowed`, () => {
        const roles = rolesOfPerson(person);
        for (const op of CARD_OPS) {
          const decision = authorise(policy, { roles, channelId: channel, op });
          expect({ op, allowed: decision.allowed }).toEqual({ op, allowed: allowed.includes(op) });
          if (!decision.allowed) {
            const holdsRole = roles.some((role) => policy.operations[op]?.includes(role));
            expect({ op, why: decision.why }).toEqual({ op, why: holdsRole ? 'channel' : 'role' });
          }
        }
        expect(allowedOps(policy, roles, channel)).toEqual(CARD_OPS.filter((op) => allowed.includes(op)));
      });
    }
  }

  it('when an agent lacks the role, then the refusal names the roles that would do', () => {
    expect(authorise(policy, { roles: ['agent'], channelId: 'C0SECURE', op: 'pan' })).toEqual({
      allowed: false,
      why: 'role',
      message: 'You need the role `senior` to see card numbers. Your roles: `agent`.',
    });
    expect(authorise(policy, { roles: [], channelId: 'C0SUPPORT', op: 'block' })).toEqual({
      allowed: false,
      why: 'role',
      message: 'You need one of the roles `agent`, `senior` to block cards. You hold no cardops role.',
    });
  });

  it('when the channel does not allow the op, then the refusal lists where it is allowed, as mentions', () => {
    expect(authorise(policy, { roles: ['senior'], channelId: 'C0SUPPORT', op: 'pan' })).toEqual({
      allowed: false,
      why: 'channel',
      message: '`pan` is not allowed in this channel. You may run it in <#C0SECURE>.',
    });
    expect(authorise(policy, { roles: ['agent'], channelId: 'C0RANDOM', op: 'block' })).toEqual({
      allowed: false,
      why: 'channel',
      message: '`block` is not allowed in this channel. You may run it in <#C0SUPPORT>, <#C0SECURE>.',
    });
    expect(authorise(policy, { roles: ['agent'], channelId: 'D0ALICEDM', op: 'block' })).toMatchObject({
      why: 'channel',
      message: '`block` is not allowed in a direct message with the bot. You may run it in <#C0SUPPORT>, <#C0SECURE>.',
    });
  });

  it('when DMs allow an op, then other refusals name "a direct message with the bot" among the places', () => {
    const dmPolicy = load(
      'roles:\n  agent: { users: [U0AGENT01] }\noperations:\n  limit: [agent]\nchannels:\n  C0SUPPORT: []\n  dm: [limit]\n',
    );
    expect(authorise(dmPolicy, { roles: ['agent'], channelId: 'C0SUPPORT', op: 'limit' })).toMatchObject({
      message: '`limit` is not allowed in this channel. You may run it in a direct message with the bot.',
    });
    expect(authorise(dmPolicy, { roles: ['agent'], channelId: 'D0123', op: 'limit' })).toEqual({ allowed: true });
  });
});

describe('authorise: deny by default', () => {
  const bare = load(
    'roles:\n  agent: { users: [U0AGENT01] }\noperations:\n  block: []\nchannels:\n  C0SUPPORT: ["*"]\n',
  );

  it('when an op is listed with no roles or not at all, then nobody may run it, even in a "*" channel', () => {
    for (const op of CARD_OPS) {
      const decision = authorise(bare, { roles: ['agent'], channelId: 'C0SUPPORT', op });
      expect(decision).toMatchObject({ allowed: false, why: 'role' });
    }
    expect(authorise(bare, { roles: ['agent'], channelId: 'C0SUPPORT', op: 'limit' })).toMatchObject({
      message: 'Nobody may see card limits: the policy gives `limit` to no role.',
    });
  });

  it('when no channel allows the op, then the refusal says so', () => {
    const nowhere = load('roles:\n  agent: { users: [U0AGENT01] }\noperations:\n  block: [agent]\nchannels: {}\n');
    expect(authorise(nowhere, { roles: ['agent'], channelId: 'C0SUPPORT', op: 'block' })).toEqual({
      allowed: false,
      why: 'channel',
      message: '`block` is not allowed in this channel, nor in any other channel.',
    });
  });

  it('when cancel is granted but no approvals are configured, then cancel is refused as impossible', () => {
    const noApprovals = load(
      'roles:\n  agent: { users: [U0AGENT01] }\noperations:\n  cancel: [agent]\nchannels:\n  C0SUPPORT: ["*"]\n',
    );
    const decision = authorise(noApprovals, { roles: ['agent'], channelId: 'C0SUPPORT', op: 'cancel' });
    expect(decision).toMatchObject({ allowed: false, why: 'approval' });
    if (!decision.allowed) expect(decision.message).toContain('approvals.cancel');
    expect(allowedOps(noApprovals, ['agent'], 'C0SUPPORT')).toEqual([]);
    expect(mayApprove(noApprovals, ['agent'])).toBe(false);
  });
});

describe('channelKey, capabilities and groups', () => {
  it('when the channel is a DM with the bot, then its key is dm; other ids are kept', () => {
    expect(channelKey('D0123ABC')).toBe('dm');
    expect(channelKey('C0SUPPORT')).toBe('C0SUPPORT');
    expect(channelKey('G0PRIVATE')).toBe('G0PRIVATE');
  });

  it('when roles are checked for audit, approval and full PAN, then only the listed roles qualify', () => {
    expect(mayAudit(policy, rolesOfPerson('mallory'))).toBe(true);
    expect(mayAudit(policy, rolesOfPerson('carol'))).toBe(false);
    expect(mayApprove(policy, rolesOfPerson('dave'))).toBe(true);
    expect(mayApprove(policy, rolesOfPerson('erin'))).toBe(true);
    expect(mayApprove(policy, rolesOfPerson('carol'))).toBe(false);
    expect(mayApprove(policy, rolesOfPerson('stranger'))).toBe(false);
    expect(mayRevealFullPan(policy, rolesOfPerson('carol'))).toBe(true);
    expect(mayRevealFullPan(policy, rolesOfPerson('alice'))).toBe(false);
  });

  it('when the policy names user groups, then groupsReferenced lists each once', () => {
    expect(groupsReferenced(policy)).toEqual(['S0SUPPORT']);
    const many = load(
      'roles:\n  a: { usergroups: [S2, S1] }\n  b: { usergroups: [S1] }\noperations: {}\nchannels: {}\n'.replace(
        /S(\d)/g,
        'S0GROUP$1',
      ),
    );
    expect(groupsReferenced(many)).toEqual(['S0GROUP1', 'S0GROUP2']);
  });
});
