import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Policy, parseDuration, parsePolicy } from '../../src/domain/policy/policy-schema.js';

const EXAMPLE_PATH = new URL('../../policy.example.yml', import.meta.url);
const exampleText = readFileSync(EXAMPLE_PATH, 'utf8');

function problemsOf(yamlText: string): string[] {
  const result = parsePolicy(yamlText);
  if (result.ok) throw new Error('expected the policy to be refused');
  return result.problems;
}

function policyOf(yamlText: string): Policy {
  const result = parsePolicy(yamlText);
  if (!result.ok) throw new Error(`expected a valid policy, got:\n${result.problems.join('\n')}`);
  return result.policy;
}

const MINIMAL = `
roles:
  agent: { users: [U0AGENT01] }
operations:
  block: [agent]
channels:
  C0SUPPORT: [block]
`;

describe('parsePolicy', () => {
  it('when the example policy is parsed, then it is valid and matches SPEC §4', () => {
    const result = parsePolicy(exampleText, 'policy.example.yml');
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.warnings).toEqual([]);
    const policy = result.policy;
    expect(policy.roles).toEqual({
      agent: { users: ['U0AGENT01'], usergroups: ['S0SUPPORT'] },
      senior: { users: ['U0SENIOR1'], usergroups: [] },
      approver: { users: ['U0ONCALL1', 'U0ONCALL2'], usergroups: [] },
      manager: { users: ['U0MANAGER'], usergroups: [] },
    });
    expect(policy.operations.block).toEqual(['agent', 'senior']);
    expect(policy.operations.pan).toEqual(['senior']);
    expect(policy.channels).toEqual({
      C0SUPPORT: ['block', 'unblock', 'activate', 'cancel', 'expiry', 'limit', 'history'],
      C0SECURE: ['*'],
      dm: [],
    });
    expect(policy.approvals.cancel).toEqual({ approvers: ['approver'], channel: 'C0APPROVE', ttlMs: 30 * 60_000 });
    expect(policy.audit.roles).toEqual(['manager']);
    expect(policy.reveal.fullPan).toEqual(['senior']);
    expect(policy.operations.history).toEqual(['agent', 'senior']);
    expect(policy.limits).toEqual({
      revealsPerHour: 20,
      activationChecksPerHour: 10,
      activationChecksPerCard: 5,
      cancelRequestsLive: 5,
      cancelRequestsPerHour: 20,
    });
  });

  it('when optional sections are left out, then the defaults of SPEC §4 apply', () => {
    const policy = policyOf(MINIMAL);
    expect(policy.roles.agent).toEqual({ users: ['U0AGENT01'], usergroups: [] });
    expect(policy.approvals).toEqual({});
    expect(policy.audit.roles).toEqual([]);
    expect(policy.reveal.fullPan).toEqual([]);
    expect(policy.limits).toEqual({
      revealsPerHour: 20,
      activationChecksPerHour: 10,
      activationChecksPerCard: 5,
      cancelRequestsLive: 5,
      cancelRequestsPerHour: 20,
    });
  });

  it('when cancel is granted but approvals are missing, then the policy loads with a warning', () => {
    const result = parsePolicy(MINIMAL.replace('block: [agent]', 'block: [agent]\n  cancel: [agent]'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([
      expect.stringMatching(/^policy\.yml: operations\.cancel: approvals\.cancel is missing/),
    ]);
  });

  it('when an operation name is misspelt, then the problem names the path and the known operations', () => {
    expect(problemsOf(MINIMAL.replace('block: [agent]', 'blok: [agent]'))).toEqual([
      'policy.yml: operations.blok: unknown operation (expected one of block, unblock, activate, cancel, pan, cvv, expiry, pin, unblock-pin, change-pin, limit, set-limit, history)',
    ]);
  });

  it('when the file has several bad entries, then each is reported at once with its path', () => {
    const text = `
roles:
  agent: { users: [U0AGENT01, X123], usergroups: [G0NOTAGROUP] }
  senior: { user: [U0SENIOR1] }
operations:
  blok: [agent]
  pan: [seniro]
channels:
  C0SUPPORT: [block, unblock, blok]
  general: [block]
approvals:
  cancel: { approvers: [approvers], channel: dm, ttl: 30 minutes }
audit:
  roles: [managers]
reveal:
  full_pan: [boss]
limits:
  reveals_per_hour: 0
extra: true
`;
    const problems = problemsOf(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        'policy.yml: roles.agent.users[1]: "X123" is not a Slack user id (U… or W…)',
        'policy.yml: roles.agent.usergroups[0]: "G0NOTAGROUP" is not a Slack user group id (S…)',
        'policy.yml: roles.senior.user: unknown key (expected one of users, usergroups)',
        expect.stringMatching(/^policy\.yml: operations\.blok: unknown operation \(expected one of block, unblock,/),
        'policy.yml: operations.pan[0]: unknown role "seniro" (roles are agent, senior)',
        expect.stringMatching(/^policy\.yml: channels\.C0SUPPORT\[2\]: unknown operation "blok"/),
        expect.stringMatching(/^policy\.yml: channels\.general: "general" is not a channel id \(C… or G…\)/),
        'policy.yml: approvals.cancel.approvers[0]: unknown role "approvers" (roles are agent, senior)',
        expect.stringMatching(/^policy\.yml: approvals\.cancel\.channel: "dm" is not a channel id/),
        'policy.yml: approvals.cancel.ttl: must be a duration like 30m, 2h, 1d',
        'policy.yml: audit.roles[0]: unknown role "managers" (roles are agent, senior)',
        'policy.yml: reveal.full_pan[0]: unknown role "boss" (roles are agent, senior)',
        'policy.yml: limits.reveals_per_hour: must be a whole number greater than 0',
        'policy.yml: extra: unknown key (expected one of roles, operations, channels, approvals, audit, reveal, limits)',
      ]),
    );
    expect(problems).toHaveLength(14);
    for (const line of problems) expect(line).not.toContain('\n');
  });

  it('when a section has the wrong shape or is missing, then the problem says what was expected', () => {
    const problems = problemsOf(`
roles:
  agent: U0AGENT01
operations: [block]
limits: { reveals_per_hour: "many" }
`);
    expect(problems).toEqual([
      'policy.yml: roles.agent: must be a mapping of keys to values (got the text "U0AGENT01")',
      'policy.yml: operations: must be a mapping of keys to values (got a list)',
      'policy.yml: channels: is required',
      'policy.yml: limits.reveals_per_hour: must be a whole number greater than 0 (got the text "many")',
    ]);
  });

  it('when the approvals section is incomplete, then each missing field is named', () => {
    const problems = problemsOf(`${MINIMAL}approvals:\n  cancel: { approvers: [] }\n`);
    expect(problems).toEqual([
      'policy.yml: approvals.cancel.approvers: must name at least one role',
      'policy.yml: approvals.cancel.channel: is required',
      'policy.yml: approvals.cancel.ttl: is required',
    ]);
  });

  it('when the YAML is malformed, then one problem gives the line and column', () => {
    const problems = problemsOf('roles:\n  agent:\n    users: [U0AGENT01\noperations: {}\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^policy\.yml: line \d+, column \d+: YAML syntax error: /);
  });

  it('when a key is duplicated, then it is a syntax problem rather than a silent override', () => {
    const problems = problemsOf(`${MINIMAL}roles:\n  other: { users: [U0OTHER01] }\n`);
    expect(problems).toEqual([
      expect.stringMatching(/^policy\.yml: line 8, column 1: YAML syntax error: Map keys must be unique$/),
    ]);
  });

  it('when the file is empty, then the problem says which sections are expected', () => {
    expect(problemsOf('# nothing yet\n')).toEqual([
      'policy.yml: the file is empty (expected the sections roles, operations, channels)',
    ]);
  });

  it('when a source name is given, then every problem starts with it', () => {
    const result = parsePolicy(MINIMAL.replace('U0AGENT01', 'alice'), '/etc/cardops/policy.yml');
    expect(result).toEqual({
      ok: false,
      problems: ['/etc/cardops/policy.yml: roles.agent.users[0]: "alice" is not a Slack user id (U… or W…)'],
    });
  });
});

describe('parseDuration', () => {
  it('when given minutes, hours or days, then it answers milliseconds; otherwise undefined', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('0m')).toBeUndefined();
    expect(parseDuration('30')).toBeUndefined();
    expect(parseDuration('1w')).toBeUndefined();
  });

  it('when the approval ttl is longer than a week, then the policy is refused', () => {
    expect(problemsOf(`${MINIMAL}approvals:\n  cancel: { approvers: [agent], channel: C0APPROVE, ttl: 8d }\n`)).toEqual(
      ['policy.yml: approvals.cancel.ttl: must be at most 7d'],
    );
  });
});

describe('policy YAML aliases', () => {
  it('when an alias is unresolved, then it is one problem line, not a crash', () => {
    const result = parsePolicy(
      'roles:\n  agent: { users: [U0AGENT01] }\noperations:\n  block: [*agent]\nchannels: {}\n',
      'p.yml',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([expect.stringMatching(/^p\.yml: .*alias/i)]);
  });
});
