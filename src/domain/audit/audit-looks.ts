import { AppError, isAppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { type AnchorReport, checkAgainstCheckpoints, describeAnchoring } from './anchor-check.js';
import type { AuditAnchoring } from './anchoring.js';
import type { AuditFilter, AuditOutcome, AuditPage, AuditStore, VerifyResult } from './audit-types.js';
import { type CsvContext, filteredScope, WHOLE_LOG_SCOPE, writeAuditCsv } from './export-csv.js';

/**
 * Looks at the audit log are audited too (SPEC §7): every query page, export and verification is
 * a row with op `audit`, written durably BEFORE its result is shown or sent, so a look that could
 * not be recorded shows nothing. Refusals and bad input are rows too.
 */

/** Who looks, from where. */
export interface AuditLooker {
  actor: string;
  teamId: string | null;
  channelId: string;
}

export type AuditLookResult<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Events per page of a query answer (SPEC §5: the newest 20). */
export const AUDIT_PAGE_SIZE = 20;
/** Rows per batch read while exporting: big enough to be quick, small enough not to hold the event loop. */
export const EXPORT_BATCH_ROWS = 1000;

const AUDIT_OP = 'audit';

/** Writes one `audit` row; throws AppError(AUDIT_UNAVAILABLE) when it cannot be written. */
export async function recordAuditLook(
  audit: Pick<AuditStore, 'append'>,
  who: AuditLooker,
  outcome: AuditOutcome,
  reason: string,
): Promise<void> {
  try {
    await audit.append({
      actor: who.actor,
      teamId: who.teamId,
      channelId: who.channelId,
      op: AUDIT_OP,
      outcome,
      reason,
    });
  } catch (error) {
    throw isAppError(error) ? error : new AppError('AUDIT_UNAVAILABLE', 'audit look could not be recorded');
  }
}

/** Records a refusal or bad input; never throws (the asker is answered either way). */
export async function recordAuditRefusal(
  deps: { audit: Pick<AuditStore, 'append'>; logger: Logger },
  who: AuditLooker,
  outcome: 'denied' | 'invalid',
  reason: string,
): Promise<void> {
  try {
    await recordAuditLook(deps.audit, who, outcome, reason);
  } catch (error) {
    deps.logger.error({ err: error, outcome }, 'audit refusal could not be recorded');
  }
}

const filterText = (canonical: string) => (canonical === '' ? '(no filters)' : canonical);

/** One page of matching events, newest first, older than `before`; recorded as `queried` first. */
export async function lookUpAuditPage(
  audit: Pick<AuditStore, 'append' | 'query'>,
  who: AuditLooker,
  request: { filter: AuditFilter; canonical: string; before?: number; page: number },
): Promise<AuditLookResult<AuditPage>> {
  const page = await audit.query(request.filter, {
    limit: AUDIT_PAGE_SIZE,
    ...(request.before !== undefined ? { before: request.before } : {}),
  });
  const first = page.rows[0]?.id;
  const last = page.rows.at(-1)?.id;
  const shown = first === undefined ? 'no events' : `${page.rows.length} events (#${first}–#${last})`;
  const more = page.nextCursor !== undefined ? '; more older' : '';
  const reason = `query ${filterText(request.canonical)}; page ${request.page}: ${shown}${more}`;
  try {
    await recordAuditLook(audit, who, 'queried', reason);
  } catch (error) {
    return { ok: false, error: error as AppError };
  }
  return { ok: true, value: page };
}

/**
 * Writes every matching row as CSV through `write`, oldest first, in batches that yield to the
 * event loop. Returns the number of rows; recording the export is the caller's next step, once it
 * knows the file is complete and before the file leaves.
 */
export function writeAuditExport(
  audit: Pick<AuditStore, 'iterate'>,
  request: { filter: AuditFilter; canonical: string; names?: CsvContext['names'] },
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  // A filtered export says so on every row: its chain cannot be checked alone (SPEC §7).
  const scope = request.canonical === '' ? WHOLE_LOG_SCOPE : filteredScope(request.canonical);
  return writeAuditCsv(audit.iterate(request.filter, EXPORT_BATCH_ROWS), write, {
    scope,
    ...(request.names ? { names: request.names } : {}),
  });
}

/**
 * Records an export about to be sent; throws AppError(AUDIT_UNAVAILABLE). The file is named by the
 * time it was asked for (`fileTime`, ISO UTC to the second): its name, a run of 14 digits, would be
 * masked as card-number-like in free text.
 */
export function recordAuditExport(
  audit: Pick<AuditStore, 'append'>,
  who: AuditLooker,
  done: { canonical: string; rows: number; fileTime: string | undefined },
): Promise<void> {
  const file = done.fileTime ? `CSV of ${done.fileTime} for the requester's DM` : 'nothing sent';
  return recordAuditLook(audit, who, 'exported', `export ${filterText(done.canonical)}; ${done.rows} rows; ${file}`);
}

/** Records that an export did not reach the DM, at which step and why; never throws. */
export async function recordAuditExportFailed(
  deps: { audit: Pick<AuditStore, 'append'>; logger: Logger },
  who: AuditLooker,
  failure: { canonical: string; fileTime: string; step: string; problem: string },
): Promise<void> {
  const reason = `export ${filterText(failure.canonical)}; CSV of ${failure.fileTime} not delivered: ${failure.step}: ${failure.problem}`;
  try {
    await recordAuditLook(deps.audit, who, 'failed', reason);
  } catch (error) {
    deps.logger.error({ err: error }, 'failed export could not be recorded');
  }
}

/** A verification, with where the log ends now (to tell rows cut from the end from rows cut before one). */
export interface AuditVerification extends VerifyResult {
  /** The highest id in the table once the check finished; undefined when the table is empty. */
  lastId: number | undefined;
  /** True when the break is rows deleted from the end of the log, not before a row that remains. */
  tailCut: boolean;
  /** What the signed checkpoints read back proved; `keyed: false` when the log is unanchored. */
  anchors: AnchorReport;
}

/** The stored hash of one row, or undefined when that row is not there. */
export async function storedHashAt(audit: Pick<AuditStore, 'query'>, row: number): Promise<string | undefined> {
  const found = (await audit.query({}, { limit: 1, before: row + 1 })).rows[0];
  return found?.id === row ? found.hash : undefined;
}

/**
 * Recomputes the whole chain (in chunks, yielding between them), then checks the database against
 * every signed checkpoint read back (SPEC §7); the result is recorded as `verified` first.
 */
export async function verifyAuditLog(
  audit: Pick<AuditStore, 'append' | 'query' | 'verify'>,
  who: AuditLooker,
  options: { chunkSize?: number; onProgress?: (checked: number) => void; anchoring?: AuditAnchoring } = {},
): Promise<AuditLookResult<AuditVerification>> {
  const { anchoring, ...chainOptions } = options;
  const result = await audit.verify(chainOptions);
  const lastId = (await audit.query({}, { limit: 1 })).rows[0]?.id;
  const broken = result.firstBroken;
  const tailCut = broken?.problem === 'deleted-before' && (lastId === undefined || broken.id > lastId);
  const signer = anchoring?.signer;
  const anchors = await checkAgainstCheckpoints({
    publicKey: signer?.publicKey,
    fingerprint: signer?.fingerprint,
    readings: signer && anchoring ? await anchoring.readCheckpoints() : [],
    logId: await storedHashAt(audit, 1),
    chainHolds: result.checked,
    hashAt: (row) => storedHashAt(audit, row),
  });
  const verification: AuditVerification = { ...result, lastId, tailCut, anchors };
  try {
    await recordAuditLook(
      audit,
      who,
      'verified',
      `verify: ${describeVerification(verification)}; ${describeAnchoring(anchors)}`,
    );
  } catch (error) {
    return { ok: false, error: error as AppError };
  }
  return { ok: true, value: verification };
}

/** The result of a verification in one plain line (the audit reason; views word it for people). */
export function describeVerification(v: AuditVerification): string {
  if (v.ok || !v.firstBroken) return v.checked === 1 ? 'the one row holds' : `all ${v.checked} rows hold`;
  const { id, problem } = v.firstBroken;
  if (v.tailCut) return `rows after #${v.lastId ?? 0} up to #${id - 1} were deleted; ${v.checked} rows hold before`;
  return `row #${id} breaks the chain (${problem}); ${v.checked} rows hold before it`;
}
