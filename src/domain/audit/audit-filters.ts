import { z } from 'zod';
import { scrubText } from '../../logger.js';
import { MESSAGES } from '../../messages.js';
import { cardIdProblem } from '../cards/card-command.js';
import { CARD_OPS } from '../ops.js';
import { APPROVAL_OP, AUDIT_OUTCOMES, type AuditFilter } from './audit-types.js';

/**
 * The filters of `/card-audit` (SPEC §5): `key:value` tokens, any order, all ANDed, each key at
 * most once. Values are checked here, before any query: a bad filter answers with the usage,
 * never with results. `since`/`until` are resolved to absolute times once, so that paging through
 * an answer later keeps the same window.
 */

/**
 * Every `op:` value `/card-audit` takes: the card ops and the events that are not issuer calls
 * (`history`, `audit`, `command`), plus `approval`, which finds the approval events of cancel
 * requests (requested, approved, rejected, withdrawn, expired, refused, reminded; APPROVAL_OP).
 */
export const AUDIT_OPS = [...CARD_OPS, 'history', APPROVAL_OP, 'audit', 'command'] as const;

export const AUDIT_FILTER_KEYS = ['user', 'card', 'op', 'outcome', 'channel', 'since', 'until'] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];

/** One line per filter, with examples, for the usage answer (worded in the catalogue). */
export const AUDIT_FILTER_USAGE = Object.fromEntries(
  AUDIT_FILTER_KEYS.map((key) => [key, MESSAGES.auditFilterUsage({ key, ops: AUDIT_OPS, outcomes: AUDIT_OUTCOMES })]),
) as Record<AuditFilterKey, string>;

export type AuditFilterParse =
  | {
      ok: true;
      filter: AuditFilter;
      /** The filter as text with absolute times: parses back to the same filter, at any later time. */
      canonical: string;
    }
  | { ok: false; problem: string };

/** Longest filter text accepted: the canonical form must fit a button value (2000) with room to spare. */
export const MAX_FILTER_TEXT = 1000;

const MINUTE = 60_000;
const RELATIVE_UNITS_MS = { m: MINUTE, h: 60 * MINUTE, d: 24 * 60 * MINUTE, w: 7 * 24 * 60 * MINUTE } as const;
/** Ten years back is as far as a relative time reaches; older windows take a date. */
const MAX_RELATIVE_MS = 3660 * 24 * 60 * MINUTE;

const USER_ID = /^[UW][A-Z0-9]{2,30}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,30}$/;
/** `<@U123>` or `<@U123|name>`, as Slack sends a picked mention when escaping is on. */
const USER_MENTION = /^<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>$/;
/** `<#C123>`, `<#C123|name>` or `<#C123|>` (private channels arrive with an empty name). */
const CHANNEL_MENTION = /^<#([CGD][A-Z0-9]{2,30})(?:\|[^>]*)?>$/;
const RELATIVE = /^(\d{1,5})([mhdw])$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;

/** A typed value echoed back: cut short, and card-number-like runs masked (they may never be shown back). */
const shown = (text: string) => scrubText(text.length > 40 ? `${text.slice(0, 40)}…` : text);

const userSchema = z.string().transform((value, ctx) => {
  const mention = USER_MENTION.exec(value);
  if (mention?.[1]) return mention[1];
  const id = value.toUpperCase();
  if (USER_ID.test(id)) return id;
  ctx.addIssue({
    code: 'custom',
    message: value.startsWith('@')
      ? MESSAGES.auditFilterUserName({ shown: shown(value) })
      : MESSAGES.auditFilterNotUser({ shown: shown(value) }),
  });
  return z.NEVER;
});

const channelSchema = z.string().transform((value, ctx) => {
  const mention = CHANNEL_MENTION.exec(value);
  if (mention?.[1]) return mention[1];
  const id = value.toUpperCase();
  if (CHANNEL_ID.test(id)) return id;
  ctx.addIssue({
    code: 'custom',
    message: value.startsWith('#')
      ? MESSAGES.auditFilterChannelName({ shown: shown(value) })
      : MESSAGES.auditFilterNotChannel({ shown: shown(value) }),
  });
  return z.NEVER;
});

const cardSchema = z.string().superRefine((value, ctx) => {
  const problem = cardIdProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: MESSAGES.auditFilterCard({ problem }) });
});

const opSchema = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(
    z.enum(AUDIT_OPS, {
      error: (issue) => MESSAGES.auditFilterNotOp({ shown: shown(String(issue.input)), ops: AUDIT_OPS }),
    }),
  );

const outcomeSchema = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(
    z.enum(AUDIT_OUTCOMES, {
      error: (issue) => MESSAGES.auditFilterNotOutcome({ shown: shown(String(issue.input)), outcomes: AUDIT_OUTCOMES }),
    }),
  );

/** A time bound as typed, resolved against `now`; undefined when the text is not one of the forms. */
export function parseTimeBound(text: string, now: Date, bound: 'since' | 'until'): string | undefined {
  const relative = RELATIVE.exec(text.toLowerCase());
  if (relative) {
    const ms = Number(relative[1]) * RELATIVE_UNITS_MS[relative[2] as keyof typeof RELATIVE_UNITS_MS];
    if (ms > MAX_RELATIVE_MS) return undefined;
    return new Date(now.getTime() - ms).toISOString();
  }
  const date = DATE_ONLY.exec(text);
  if (date) {
    const ms = utcMs(Number(date[1]), Number(date[2]), Number(date[3]), 0, 0, 0, 0);
    if (ms === undefined) return undefined;
    // until:2026-05-31 reads "through the 31st": the exclusive bound is the next midnight.
    return new Date(bound === 'until' ? ms + 24 * 60 * MINUTE : ms).toISOString();
  }
  const full = DATE_TIME.exec(text.toUpperCase());
  if (full) {
    const [, y, mo, d, h, mi, s, frac, zone] = full;
    const ms = utcMs(
      Number(y),
      Number(mo),
      Number(d),
      Number(h),
      Number(mi),
      Number(s ?? 0),
      Number((frac ?? '0').padEnd(3, '0')),
    );
    if (ms === undefined || zone === undefined) return undefined;
    let offset = 0;
    if (zone !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const oh = Number(zone.slice(1, 3));
      const om = Number(zone.slice(4, 6));
      if (oh > 23 || om > 59) return undefined;
      offset = sign * (oh * 60 + om) * MINUTE;
    }
    return new Date(ms - offset).toISOString();
  }
  return undefined;
}

/** Milliseconds of a UTC calendar time, or undefined when a part is out of range (2026-02-30). */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | undefined {
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > daysInMonth) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** Splits filter text into tokens; a Slack mention `<…>` is one token even if its label has spaces. */
export function tokenize(text: string): string[] {
  return text.match(/(?:<[^>]*>|[^\s<])+/g) ?? [];
}

/** Parses filter tokens (`user:… op:…`). Never throws; a problem is one sentence safe to show. */
export function parseAuditFilters(tokens: readonly string[], now: Date): AuditFilterParse {
  const filter: AuditFilter = {};
  const seen = new Set<AuditFilterKey>();
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] ?? '';
    const colon = token.indexOf(':');
    if (colon <= 0) {
      return { ok: false, problem: MESSAGES.auditFilterNotFilter({ shown: shown(token) }) };
    }
    const rawKey = token.slice(0, colon).toLowerCase();
    let value = token.slice(colon + 1);
    if (!isFilterKey(rawKey)) {
      return {
        ok: false,
        problem: MESSAGES.auditFilterUnknownKey({ shown: shown(rawKey), keys: AUDIT_FILTER_KEYS }),
      };
    }
    const key = rawKey;
    if (seen.has(key)) return { ok: false, problem: MESSAGES.auditFilterTwice({ key }) };
    seen.add(key);
    // "user: @alice": a space after the colon (Slack turns the name into a mention on its own).
    const next = tokens[i + 1];
    if (value === '' && next !== undefined && !startsWithFilterKey(next)) {
      value = next;
      i += 1;
    }
    if (value === '')
      return {
        ok: false,
        problem: MESSAGES.auditFilterNeedsValue({ key, example: AUDIT_FILTER_USAGE[key].split(' ')[0] ?? key }),
      };
    const problem = applyFilter(filter, key, value, now);
    if (problem) return { ok: false, problem };
  }
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
    return { ok: false, problem: MESSAGES.auditFilterEmptyWindow() };
  }
  return { ok: true, filter, canonical: formatAuditFilter(filter) };
}

function applyFilter(filter: AuditFilter, key: AuditFilterKey, value: string, now: Date): string | undefined {
  const first = (result: z.ZodSafeParseResult<unknown>) =>
    result.success ? undefined : (result.error.issues[0]?.message ?? MESSAGES.auditFilterBadValue({ key }));
  switch (key) {
    case 'user': {
      const parsed = userSchema.safeParse(value);
      if (parsed.success) filter.actor = parsed.data;
      return first(parsed);
    }
    case 'channel': {
      const parsed = channelSchema.safeParse(value);
      if (parsed.success) filter.channelId = parsed.data;
      return first(parsed);
    }
    case 'card': {
      const parsed = cardSchema.safeParse(value);
      if (parsed.success) filter.cardId = parsed.data;
      return first(parsed);
    }
    case 'op': {
      const parsed = opSchema.safeParse(value);
      if (parsed.success) filter.op = parsed.data;
      return first(parsed);
    }
    case 'outcome': {
      const parsed = outcomeSchema.safeParse(value);
      if (parsed.success) filter.outcome = parsed.data;
      return first(parsed);
    }
    case 'since':
    case 'until': {
      const time = parseTimeBound(value, now, key);
      if (time === undefined) {
        return MESSAGES.auditFilterNotTime({ key, shown: shown(value) });
      }
      filter[key] = time;
      return undefined;
    }
  }
}

function startsWithFilterKey(token: string): boolean {
  const colon = token.indexOf(':');
  return colon > 0 && isFilterKey(token.slice(0, colon).toLowerCase());
}

function isFilterKey(key: string): key is AuditFilterKey {
  return (AUDIT_FILTER_KEYS as readonly string[]).includes(key);
}

/** The filter as text, times absolute; `parseAuditFilters(tokenize(text))` gives the same filter back. */
export function formatAuditFilter(filter: AuditFilter): string {
  const parts: string[] = [];
  if (filter.actor !== undefined) parts.push(`user:${filter.actor}`);
  if (filter.cardId !== undefined) parts.push(`card:${filter.cardId}`);
  if (filter.op !== undefined) parts.push(`op:${filter.op}`);
  if (filter.outcome !== undefined) parts.push(`outcome:${filter.outcome}`);
  if (filter.channelId !== undefined) parts.push(`channel:${filter.channelId}`);
  if (filter.since !== undefined) parts.push(`since:${filter.since}`);
  if (filter.until !== undefined) parts.push(`until:${filter.until}`);
  return parts.join(' ');
}
