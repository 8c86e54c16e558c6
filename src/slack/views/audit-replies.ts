import type { KnownBlock } from '@slack/types';
import { AUDIT_FILTER_KEYS, AUDIT_FILTER_USAGE } from '../../domain/audit/audit-filters.js';
import type { AuditVerification } from '../../domain/audit/audit-looks.js';
import type { AuditFilter, AuditRow } from '../../domain/audit/audit-types.js';
import { count, MESSAGES } from '../../messages.js';
import { code, escapeMrkdwn, mentionChannel, mentionUser } from './mrkdwn.js';
import { buildReply, SANDBOX_NOTE, type SlackReply } from './reply.js';

interface ReplyOptions {
  sandbox: boolean;
}

/** The action id of the Next button of a query answer. */
export const AUDIT_NEXT_PAGE_ACTION = 'audit_next_page';

/** `2026-05-21T10:15:03.123Z` as `2026-05-21 10:15:03 UTC`. */
export function formatUtc(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : escapeMrkdwn(iso);
}

function where(channelId: string): string {
  return channelId.startsWith('D') ? 'a direct message' : mentionChannel(channelId);
}

/** The filters of an answer in words, for people: "op `pan`, card `c-1`, since 2026-05-01 00:00:00 UTC". */
export function describeAuditFilter(filter: AuditFilter): string {
  const parts: string[] = [];
  if (filter.actor !== undefined) parts.push(`user ${mentionUser(filter.actor)}`);
  if (filter.cardId !== undefined) parts.push(`card ${code(filter.cardId)}`);
  if (filter.op !== undefined) parts.push(`op ${code(filter.op)}`);
  if (filter.outcome !== undefined) parts.push(`outcome ${code(filter.outcome)}`);
  if (filter.channelId !== undefined) parts.push(`channel ${where(filter.channelId)}`);
  if (filter.since !== undefined) parts.push(`since ${formatUtc(filter.since)}`);
  if (filter.until !== undefined) parts.push(`before ${formatUtc(filter.until)}`);
  return parts.length === 0 ? 'all events' : parts.join(', ');
}

/** One event as a mrkdwn paragraph: when, who, what, on which card, how it ended, why, and its ids. */
export function formatAuditEvent(row: AuditRow): string {
  const head = [
    `*${formatUtc(row.ts)}*`,
    mentionUser(row.actor),
    code(row.op),
    row.cardId !== null ? `card ${code(row.cardId)}` : undefined,
    `*${escapeMrkdwn(row.outcome)}*`,
  ].filter((part) => part !== undefined);
  const context = [
    row.channelId !== null ? `in ${where(row.channelId)}` : undefined,
    row.reason !== null && row.reason !== '' ? `reason: ${escapeMrkdwn(row.reason)}` : undefined,
    row.error !== null && row.error !== '' ? `error: ${escapeMrkdwn(row.error)}` : undefined,
  ].filter((part) => part !== undefined);
  const ids = [
    `event #${row.id}`,
    row.approvalId !== null ? `request ${code(row.approvalId)}` : undefined,
    row.traceId !== null ? `trace ${code(row.traceId)}` : undefined,
  ].filter((part) => part !== undefined);
  return [head.join(' · '), ...(context.length > 0 ? [context.join(' · ')] : []), ids.join(' · ')].join('\n');
}

const MAX_SECTION = 2900;
const clip = (text: string) => (text.length > MAX_SECTION ? `${text.slice(0, MAX_SECTION)}…` : text);

/**
 * A page of a query answer: a heading, one section per event (at most 20 + 3 blocks, under the 50
 * a message may hold), and a Next button when older events match. `nextValue` is the button value.
 */
export function buildAuditPage(
  page: { rows: AuditRow[]; filter: AuditFilter; page: number; nextValue: string | undefined },
  options: ReplyOptions,
): SlackReply {
  const { rows, filter } = page;
  const described = describeAuditFilter(filter);
  const heading = MESSAGES.auditPageHeading({ page: page.page, count: rows.length, described });
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(heading) } }];
  for (const row of rows) {
    blocks.push({
      type: 'section',
      block_id: `audit_event_${row.id}`,
      text: { type: 'mrkdwn', text: clip(formatAuditEvent(row)) },
    });
  }
  const first = rows[0]?.id;
  const last = rows.at(-1)?.id;
  const context = [
    MESSAGES.auditPageContext({ first: first ?? 0, last: last ?? 0, more: page.nextValue !== undefined }),
    ...(options.sandbox ? [SANDBOX_NOTE] : []),
  ];
  blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) });
  if (page.nextValue !== undefined) {
    blocks.push({
      type: 'actions',
      block_id: 'audit_paging',
      elements: [
        {
          type: 'button',
          action_id: AUDIT_NEXT_PAGE_ACTION,
          text: { type: 'plain_text', text: 'Next 20 (older)' },
          value: page.nextValue,
        },
      ],
    });
  }
  const text = `${MESSAGES.auditPageFallback({ page: page.page, count: rows.length, described })}${options.sandbox ? ' (sandbox issuer)' : ''}`;
  return { text: text.length > 3000 ? `${text.slice(0, 2990)}…` : text, blocks };
}

export function buildAuditNoMatch(filter: AuditFilter, page: number, options: ReplyOptions): SlackReply {
  const text =
    page === 1
      ? `:mag: No audit events match ${describeAuditFilter(filter)}.`
      : `:mag: No older audit events match ${describeAuditFilter(filter)}.`;
  return buildReply([text], options);
}

/** The usage of `/card-audit`, after what was wrong with the text given (if anything). */
export function buildAuditUsage(problem: string | undefined, options: ReplyOptions): SlackReply {
  const usage = [
    '*Usage:*',
    `${code('/card-audit [filters]')} — the newest 20 matching events, with a button for older ones`,
    `${code('/card-audit export [filters]')} — every matching event as a CSV file, sent to your DM with cardops`,
    `${code('/card-audit verify')} — recompute the whole hash chain and report the first row that breaks it`,
  ].join('\n');
  const filters = [
    '*Filters* (any order, all must match, each at most once):',
    ...AUDIT_FILTER_KEYS.map((key) => `• ${escapeMrkdwn(AUDIT_FILTER_USAGE[key])}`),
    `Example: ${code('/card-audit card:card-active-1 op:pan since:30d')}`,
  ].join('\n');
  const paragraphs = problem ? [`:grey_question: ${escapeMrkdwn(problem)}`, usage, filters] : [usage, filters];
  return buildReply(paragraphs, options);
}

export function buildAuditDenied(
  auditRoles: readonly string[],
  roles: readonly string[],
  options: ReplyOptions,
): SlackReply {
  return buildReply([MESSAGES.refusedAudit({ auditRoles, roles })], options);
}

export function buildAuditUnavailable(options: ReplyOptions): SlackReply {
  return buildReply(
    [
      ':floppy_disk: The audit log could not be written, so this look at it could not be recorded and nothing is shown. Tell the operator.',
    ],
    options,
  );
}

/** A page button that no longer makes sense (tampered with, or from an older cardops). */
export function buildAuditStalePage(options: ReplyOptions): SlackReply {
  return buildReply(
    [`:grey_question: That page button is not valid any more. Run ${code('/card-audit')} again.`],
    options,
  );
}

export function buildExportStarted(count: number, filter: AuditFilter, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.auditExportStarted({ count, described: describeAuditFilter(filter) })], options);
}

export function buildExportEmpty(filter: AuditFilter, options: ReplyOptions): SlackReply {
  return buildReply(
    [`:mag: No audit events match ${describeAuditFilter(filter)}, so there is nothing to export.`],
    options,
  );
}

export function buildExportDone(rows: number, fileName: string, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.auditExportDone({ rows, fileName })], options);
}

/** The comment above the file in the manager's DM. */
export function buildExportComment(rows: number, filter: AuditFilter, options: ReplyOptions): string {
  return `${MESSAGES.auditExportComment({ rows, described: describeAuditFilter(filter) })}${options.sandbox ? ' (sandbox issuer: demo cards only)' : ''}`;
}

export function buildExportFailed(step: string, problem: string, options: ReplyOptions): SlackReply {
  return buildReply(
    [
      `:warning: The export could not be delivered: Slack refused ${code(step)} (${escapeMrkdwn(problem)}). Nothing was sent to your DM. Try again; if it keeps failing, tell the operator.`,
    ],
    options,
  );
}

export function buildVerifyStarted(options: ReplyOptions): SlackReply {
  return buildReply(
    [':hourglass_flowing_sand: Verifying the whole audit hash chain… The result follows here.'],
    options,
  );
}

const PROBLEM_WORDS: Record<NonNullable<AuditVerification['firstBroken']>['problem'], string> = {
  edited: 'it was edited after it was written (its content no longer matches its hash)',
  'deleted-before': 'one or more rows just before it were deleted',
  reordered:
    'rows were swapped or moved (it carries the link of a row further on, or is stamped earlier than the row before it)',
  'bad-link':
    'it does not follow the row before it: that row was rewritten with a recomputed hash, or this one was forged',
};

export function buildVerifyResult(v: AuditVerification, options: ReplyOptions): SlackReply {
  const checked = v.checked.toLocaleString('en-US');
  const anchors = describeAnchorsForPeople(v);
  if (v.ok || !v.firstBroken) {
    const broken = v.anchors.broken !== undefined;
    const chain =
      v.checked === 1
        ? 'The hash chain of the one row recomputes: the row is consistent with the start of the chain.'
        : `The hash chain of all ${checked} rows recomputes: the rows are consistent with each other.`;
    return buildReply(
      broken ? [anchors.headline, chain, ...anchors.details, TAMPERED] : [anchors.headline, chain, ...anchors.details],
      options,
    );
  }
  const { id, problem } = v.firstBroken;
  const text = v.tailCut
    ? `:rotating_light: The audit log has been cut: rows after #${v.lastId ?? 0} (up to #${id - 1}) were deleted. The ${count(v.checked, 'row')} before hold.`
    : `:rotating_light: Row #${id} breaks the audit chain: ${PROBLEM_WORDS[problem]}. ${v.checked === 1 ? '1 row was' : `${checked} rows were`} checked and hold before it.`;
  return buildReply([text, ...anchors.details, TAMPERED], options);
}

const TAMPERED = 'Keep this result for the auditors, and tell the operator: the database file has been tampered with.';

/** What the signed checkpoints proved, for people: a headline when the chain holds, then the details. */
function describeAnchorsForPeople(v: AuditVerification): { headline: string; details: string[] } {
  const a = v.anchors;
  const total = v.lastId ?? 0;
  if (!a.keyed) {
    return {
      headline:
        ':warning: The audit log is *unanchored*: no signing key is configured (`AUDIT_SIGNING_KEY_FILE`), so nothing proves the rows were not rewritten by someone who can write the database.',
      details: [],
    };
  }
  const key = code(a.fingerprint ?? '?');
  const details: string[] = [];
  const sources = a.readings.map((r) =>
    r.checkpoints === undefined
      ? `the ${r.source === 'channel' ? 'anchor channel' : 'checkpoint file'} could not be read (${escapeMrkdwn(r.problem ?? 'unavailable')})`
      : `${r.checkpoints.length} from the ${r.source === 'channel' ? 'anchor channel' : 'checkpoint file'}${r.partial ? ' (its newest messages only)' : ''}`,
  );
  details.push(
    sources.length === 0
      ? 'No checkpoint source is configured (`audit.anchor_channel` in the policy, `AUDIT_CHECKPOINT_FILE`).'
      : `Checkpoints read back: ${sources.join('; ')}. ${a.valid} signed by key ${key}${a.unverifiable > 0 ? `; ${a.unverifiable} could not be verified with that key and prove nothing` : ''}.`,
  );
  let headline: string;
  if (a.broken) {
    const c = a.broken.checkpoint;
    const why =
      a.broken.kind === 'row-missing'
        ? `row #${c.row}, which it signed, is gone`
        : a.broken.kind === 'hash-differs'
          ? `row #${c.row} no longer has the hash it signed: a row up to #${c.row} was changed, removed or renumbered and the hashes recomputed`
          : 'it was signed over another log: row #1 is not the row it names, so the log was replaced or rewritten from its first row';
    headline = `:rotating_light: Checkpoint ${c.number} (signed at ${formatUtc(c.time)} by key ${key}) contradicts the database: ${why}.`;
    if (a.proven) details.push(`Rows 1–${a.proven.row} still match checkpoint ${a.proven.number}.`);
  } else if (a.proven) {
    const p = a.proven;
    const rest =
      total > p.row
        ? ` Rows after it (#${p.row + 1}–#${total}) are not yet anchored: they are only consistent with each other.`
        : '';
    headline = `:white_check_mark: Rows 1–${p.row} match checkpoint ${p.number} signed at ${formatUtc(p.time)} by key ${key}: they are as written then.${rest}`;
  } else {
    headline = `:warning: No signed checkpoint of this log proves any row yet, so nothing proves the rows were not rewritten by someone who can write the database.`;
  }
  if (v.firstBroken && a.proven && !a.broken)
    details.unshift(`Rows 1–${a.proven.row} match checkpoint ${a.proven.number}.`);
  return { headline, details };
}

export function buildAuditFailed(options: ReplyOptions): SlackReply {
  return buildReply(
    [':warning: The audit log could not be read just now. Try again; if it keeps failing, tell the operator.'],
    options,
  );
}
