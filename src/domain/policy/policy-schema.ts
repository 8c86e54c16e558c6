import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CARD_OPS, type CardOp, isCardOp } from '../ops.js';

/** The role policy of SPEC §4, validated and with its defaults filled in. */
export interface Policy {
  roles: Record<string, { users: string[]; usergroups: string[] }>;
  /** op → roles that may run it; an op not listed may be run by nobody. */
  operations: Partial<Record<CardOp, string[]>>;
  /** channel key (C…, G… or `dm`) → ops allowed there; `*` allows all. */
  channels: Record<string, ('*' | CardOp)[]>;
  /** Without `cancel`, no card can be cancelled: a cancel always needs a second person. */
  approvals: { cancel?: { approvers: string[]; channel: string; ttlMs: number } };
  /** `anchorChannel`: where signed audit checkpoints are posted and read back (SPEC §7). */
  audit: { roles: string[]; anchorChannel?: string };
  reveal: { fullPan: string[] };
  limits: { revealsPerHour: number };
}

export type PolicyResult =
  | {
      ok: true;
      policy: Policy /** Valid but probably not what the operator meant; worth logging. */;
      warnings: string[];
    }
  | { ok: false; problems: string[] };

export const USER_ID_PATTERN = /^[UW][A-Z0-9]{2,}$/;
export const USERGROUP_ID_PATTERN = /^S[A-Z0-9]{2,}$/;
export const CHANNEL_ID_PATTERN = /^[CG][A-Z0-9]{2,}$/;
export const DM_CHANNEL_KEY = 'dm';
const ROLE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
const DURATION_PATTERN = /^([1-9][0-9]*)\s*([mhd])$/;
const DURATION_UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Longer than a week, a pending cancel is forgotten rather than decided; it also keeps timers in range. */
const MAX_APPROVAL_TTL_MS = 7 * 86_400_000;

const OPS_LIST = CARD_OPS.join(', ');

/** Parses `30m`, `2h`, `1d` into milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS];
}

const quote = (value: unknown) => JSON.stringify(value);

/** A strict object whose unknown keys are reported one by one with the keys it does accept. */
function strictObject<T extends z.ZodRawShape>(shape: T) {
  const expected = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key (expected one of ${expected})` : undefined),
  });
}

const idString = (pattern: RegExp, what: string) =>
  z.string().superRefine((value, ctx) => {
    if (!pattern.test(value)) ctx.addIssue({ code: 'custom', message: `${quote(value)} is not ${what}` });
  });

const userId = idString(USER_ID_PATTERN, 'a Slack user id (U… or W…)');
const usergroupId = idString(USERGROUP_ID_PATTERN, 'a Slack user group id (S…)');

/**
 * The schema depends on the role names the file declares, so that every reference to an
 * undeclared role is reported at its own path in the same pass as every other problem.
 */
function buildSchema(roleNames: readonly string[]) {
  const declared = new Set(roleNames);
  const rolesHint = roleNames.length > 0 ? `roles are ${roleNames.join(', ')}` : 'no roles are declared';
  const roleRef = z.string().superRefine((value, ctx) => {
    if (!declared.has(value)) ctx.addIssue({ code: 'custom', message: `unknown role ${quote(value)} (${rolesHint})` });
  });
  const roleList = z.array(roleRef);

  const role = strictObject({
    users: z.array(userId).default([]),
    usergroups: z.array(usergroupId).default([]),
  });

  const roleName = z.string().superRefine((value, ctx) => {
    if (!ROLE_NAME_PATTERN.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${quote(value)} is not a valid role name (a letter, then letters, digits, - or _)`,
      });
    }
  });

  const opKey = z.string().superRefine((value, ctx) => {
    if (!isCardOp(value)) ctx.addIssue({ code: 'custom', message: `unknown operation (expected one of ${OPS_LIST})` });
  });

  const channelKey = z.string().superRefine((value, ctx) => {
    if (value !== DM_CHANNEL_KEY && !CHANNEL_ID_PATTERN.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${quote(value)} is not a channel id (C… or G…) or "${DM_CHANNEL_KEY}" for direct messages with the bot`,
      });
    }
  });

  const allowedOp = z.string().superRefine((value, ctx) => {
    if (value !== '*' && !isCardOp(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown operation ${quote(value)} (expected "*" or one of ${OPS_LIST})`,
      });
    }
  });

  const ttl = z.string().superRefine((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'must be a duration like 30m, 2h, 1d' });
    else if (ms > MAX_APPROVAL_TTL_MS) ctx.addIssue({ code: 'custom', message: 'must be at most 7d' });
  });

  return strictObject({
    roles: z.record(roleName, role),
    operations: z.record(opKey, roleList),
    channels: z.record(channelKey, z.array(allowedOp)),
    approvals: strictObject({
      cancel: strictObject({
        approvers: roleList.min(1, { error: 'must name at least one role' }),
        channel: z.string().superRefine((value, ctx) => {
          if (!CHANNEL_ID_PATTERN.test(value)) {
            ctx.addIssue({
              code: 'custom',
              message: `${quote(value)} is not a channel id (C… or G…): the channel where approvers decide`,
            });
          }
        }),
        ttl,
      }).optional(),
    }).default({}),
    audit: strictObject({
      roles: roleList.default([]),
      anchor_channel: z
        .string()
        .superRefine((value, ctx) => {
          if (!CHANNEL_ID_PATTERN.test(value)) {
            ctx.addIssue({
              code: 'custom',
              message: `${quote(value)} is not a channel id (C… or G…): the channel that receives signed audit checkpoints`,
            });
          }
        })
        .optional(),
    }).default({ roles: [] }),
    reveal: strictObject({ full_pan: roleList.default([]) }).default({ full_pan: [] }),
    limits: strictObject({
      reveals_per_hour: z
        .number()
        .int({ error: 'must be a whole number greater than 0' })
        .positive({ error: 'must be a whole number greater than 0' })
        .default(20),
    }).default({ reveals_per_hour: 20 }),
  });
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${quote(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Plain-language wording for structural problems; schema-level messages take precedence. */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'is required';
  const got = describeValue(issue.input);
  switch (issue.expected) {
    case 'array':
      return `must be a list, like [a, b] (got ${got})`;
    case 'object':
    case 'record':
      return `must be a mapping of keys to values (got ${got})`;
    case 'string':
      return `must be text (got ${got})`;
    case 'number':
    case 'int':
      return `must be a whole number greater than 0 (got ${got})`;
    default:
      return `must be ${issue.expected} (got ${got})`;
  }
};

/** `roles.agent.users[1]`: the path of an entry as an operator would look for it in the file. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function issueLines(issue: z.core.$ZodIssue, source: string): string[] {
  const at = (path: readonly PropertyKey[], message: string) =>
    path.length > 0 ? `${source}: ${formatPath(path)}: ${message}` : `${source}: ${message}`;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => at([...issue.path, key], issue.message));
  }
  if (issue.code === 'invalid_key') {
    return issue.issues.map((inner) => at(issue.path, inner.message));
  }
  return [at(issue.path, issue.message)];
}

function roleNamesOf(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const roles = (raw as Record<string, unknown>)['roles'];
  if (!roles || typeof roles !== 'object' || Array.isArray(roles)) return [];
  return Object.keys(roles);
}

/**
 * Parses and validates a policy file's text. Every problem is one line naming the source and
 * the path of the bad entry; all problems are reported at once.
 */
export function parsePolicy(yamlText: string, source = 'policy.yml'): PolicyResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const { line, col } = lineCounter.linePos(syntaxError.pos[0]);
    return {
      ok: false,
      problems: [`${source}: line ${line}, column ${col}: YAML syntax error: ${syntaxError.message.split('\n')[0]}`],
    };
  }
  let raw: unknown;
  try {
    // An unresolved or runaway alias (`[*agent]`) throws here rather than in parsing.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, problems: [`${source}: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (raw === null || raw === undefined) {
    return {
      ok: false,
      problems: [`${source}: the file is empty (expected the sections roles, operations, channels)`],
    };
  }

  const parsed = buildSchema(roleNamesOf(raw)).safeParse(raw, { error: errorMap });
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => issueLines(issue, source));
    return { ok: false, problems: [...new Set(problems)] };
  }

  const data = parsed.data;
  const operations: Partial<Record<CardOp, string[]>> = {};
  for (const [op, roles] of Object.entries(data.operations)) {
    if (isCardOp(op)) operations[op] = roles;
  }
  const channels: Record<string, ('*' | CardOp)[]> = {};
  for (const [key, ops] of Object.entries(data.channels)) {
    channels[key] = ops.filter((op): op is '*' | CardOp => op === '*' || isCardOp(op));
  }
  const cancel = data.approvals.cancel;
  const policy: Policy = {
    roles: data.roles,
    operations,
    channels,
    approvals: cancel
      ? { cancel: { approvers: cancel.approvers, channel: cancel.channel, ttlMs: parseDuration(cancel.ttl) ?? 0 } }
      : {},
    audit: {
      roles: data.audit.roles,
      ...(data.audit.anchor_channel ? { anchorChannel: data.audit.anchor_channel } : {}),
    },
    reveal: { fullPan: data.reveal.full_pan },
    limits: { revealsPerHour: data.limits.reveals_per_hour },
  };
  return { ok: true, policy, warnings: warningsOf(policy, source) };
}

function warningsOf(policy: Policy, source: string): string[] {
  const warnings: string[] = [];
  if ((policy.operations.cancel?.length ?? 0) > 0 && !policy.approvals.cancel) {
    warnings.push(
      `${source}: operations.cancel: approvals.cancel is missing, so every cancel request will be refused (a cancel needs an approver)`,
    );
  }
  for (const [name, role] of Object.entries(policy.roles)) {
    if (role.users.length === 0 && role.usergroups.length === 0) {
      warnings.push(`${source}: roles.${name}: has no users and no usergroups, so nobody holds it`);
    }
  }
  return warnings;
}
