import type { KnownBlock } from '@slack/types';
import { AUDIT_FILTER_KEYS, AUDIT_FILTER_USAGE } from '../../domain/audit/audit-filters.js';
import type { AuditVerification } from '../../domain/audit/audit-looks.js';
import type { AuditFilter, AuditRow } from '../../domain/audit/audit-types.js';
import { MESSAGES } from '../../messages.js';
import { escapeMrkdwn, mentionChannel } from './mrkdwn.js';
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
  return channelId.startsWith('D') ? MESSAGES.auditDirectMessage() : mentionChannel(channelId);
}

/** The filters of an answer in words, for people: "op `pan`, card `c-1`, since 2026-05-01 00:00:00 UTC". */
export function describeAuditFilter(filter: AuditFilter): string {
  return MESSAGES.auditFilterDescribed({
    user: filter.actor,
    cardId: filter.cardId,
    op: filter.op,
    outcome: filter.outcome,
    channel: filter.channelId !== undefined ? where(filter.channelId) : undefined,
    since: filter.since !== undefined ? formatUtc(filter.since) : undefined,
    before: filter.until !== undefined ? formatUtc(filter.until) : undefined,
  });
}

/** One event as a mrkdwn paragraph: when, who, what, on which card, how it ended, why, and its ids. */
export function formatAuditEvent(row: AuditRow): string {
  return MESSAGES.auditEvent({
    id: row.id,
    when: formatUtc(row.ts),
    actor: row.actor,
    op: row.op,
    cardId: row.cardId,
    outcome: row.outcome,
    where: row.channelId !== null ? where(row.channelId) : null,
    reason: row.reason,
    error: row.error,
    requestId: row.approvalId,
    traceId: row.traceId,
  });
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
          text: { type: 'plain_text', text: MESSAGES.auditNextButton() },
          value: page.nextValue,
        },
      ],
    });
  }
  const fallback = MESSAGES.auditPageFallback({ page: page.page, count: rows.length, described });
  const text = options.sandbox ? `${fallback} ${MESSAGES.sandboxNoteShort()}` : fallback;
  return { text: text.length > 3000 ? `${text.slice(0, 2990)}…` : text, blocks };
}

export function buildAuditNoMatch(filter: AuditFilter, page: number, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.auditNoMatch({ page, described: describeAuditFilter(filter) })], options);
}

/** The usage of `/card-audit`, after what was wrong with the text given (if anything). */
export function buildAuditUsage(problem: string | undefined, options: ReplyOptions): SlackReply {
  const usage = MESSAGES.auditUsage();
  const filters = MESSAGES.auditFilters({ usages: AUDIT_FILTER_KEYS.map((key) => AUDIT_FILTER_USAGE[key]) });
  const paragraphs = problem ? [MESSAGES.problem({ problem }), usage, filters] : [usage, filters];
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
  return buildReply([MESSAGES.auditUnavailable()], options);
}

/** A page button that no longer makes sense (tampered with, or from an older cardops). */
export function buildAuditStalePage(options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.auditStalePage()], options);
}

export function buildExportStarted(count: number, filter: AuditFilter, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.auditExportStarted({ count, described: describeAuditFilter(filter) })], options);
}

export function buildExportEmpty(filter: AuditFilter, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.auditExportEmpty({ described: describeAuditFilter(filter) })], options);
}

export function buildExportDone(rows: number, fileName: string, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.auditExportDone({ rows, fileName })], options);
}

/** The comment above the file in the manager's DM. */
export function buildExportComment(rows: number, filter: AuditFilter, options: ReplyOptions): string {
  const comment = MESSAGES.auditExportComment({ rows, described: describeAuditFilter(filter) });
  return options.sandbox ? `${comment} ${MESSAGES.sandboxNoteDemoOnly()}` : comment;
}

export function buildExportFailed(step: string, problem: string, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.auditExportFailed({ step, problem })], options);
}

export function buildVerifyStarted(options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.auditVerifyStarted()], options);
}

export function buildVerifyResult(v: AuditVerification, options: ReplyOptions): SlackReply {
  const anchors = describeAnchorsForPeople(v);
  const tampered = MESSAGES.auditVerifyTampered();
  if (v.ok || !v.firstBroken) {
    const broken = v.anchors.broken !== undefined;
    const chain = MESSAGES.auditVerifyHolds({ checked: v.checked });
    return buildReply(
      broken ? [anchors.headline, chain, ...anchors.details, tampered] : [anchors.headline, chain, ...anchors.details],
      options,
    );
  }
  const { id, problem } = v.firstBroken;
  const text = v.tailCut
    ? MESSAGES.auditVerifyCut({ after: v.lastId ?? 0, upTo: id - 1, checked: v.checked })
    : MESSAGES.auditVerifyBroken({ row: id, problem, checked: v.checked });
  return buildReply([text, ...anchors.details, tampered], options);
}

/** What the signed checkpoints proved, for people: a headline when the chain holds, then the details. */
function describeAnchorsForPeople(v: AuditVerification): { headline: string; details: string[] } {
  const a = v.anchors;
  const total = v.lastId ?? 0;
  if (!a.keyed) return { headline: MESSAGES.auditUnanchored(), details: [] };
  const key = a.fingerprint ?? '?';
  const details: string[] = [];
  const sources = a.readings.map((r) =>
    MESSAGES.auditCheckpointSource({
      source: r.source,
      checkpoints: r.checkpoints?.length,
      problem: r.problem,
      partial: r.partial,
    }),
  );
  details.push(
    sources.length === 0
      ? MESSAGES.auditCheckpointsNoSource()
      : MESSAGES.auditCheckpointsRead({ sources, valid: a.valid, key, unverifiable: a.unverifiable }),
  );
  let headline: string;
  if (a.broken) {
    const c = a.broken.checkpoint;
    headline = MESSAGES.auditCheckpointContradicts({
      number: c.number,
      time: formatUtc(c.time),
      key,
      kind: a.broken.kind,
      row: c.row,
    });
    if (a.proven) details.push(MESSAGES.auditCheckpointStillMatch({ row: a.proven.row, number: a.proven.number }));
  } else if (a.proven) {
    const p = a.proven;
    headline = MESSAGES.auditCheckpointProven({ row: p.row, number: p.number, time: formatUtc(p.time), key, total });
  } else {
    headline = MESSAGES.auditCheckpointNone();
  }
  if (v.firstBroken && a.proven && !a.broken)
    details.unshift(MESSAGES.auditCheckpointMatch({ row: a.proven.row, number: a.proven.number }));
  return { headline, details };
}

export function buildAuditFailed(options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.auditReadFailed()], options);
}
