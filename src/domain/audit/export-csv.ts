import { type Options, stringify } from 'csv-stringify/sync';
import type { AuditRow } from './audit-types.js';
import { toChainedTuple } from './hash-chain.js';

/**
 * The audit export as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold
 * a comma, a quote or a line break, quotes doubled), one header row, then one row per event in id
 * order. An empty cell is a missing value (null); `""` is an empty text. The columns are the §7
 * fields in table order, so that an auditor can recompute the hash
 * chain from the file alone. Column names are a contract: keep them stable.
 *
 * Spreadsheet safety (CSV injection): a cell that starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return would be run as a formula by Excel, LibreOffice or Google Sheets. Such a cell is
 * written with a leading `'`, which spreadsheets show as text and hide. A cell that itself starts
 * with `'` gets one too, so the rule reverses without ambiguity: a cell starting with `'` had one
 * added; drop it to get the stored value (a verifier recomputing hashes does that first). Only
 * free text (reason, error) can start that way: ids, times and hashes never do.
 */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'time_utc',
  'actor',
  'team_id',
  'channel_id',
  'op',
  'card_id',
  'outcome',
  'reason',
  'approval_id',
  'trace_id',
  'error',
  'prev_hash',
  'hash',
  'actor_name',
  'export_scope',
] as const;

/** `export_scope` of an export of the whole log: the only kind whose chain can be checked alone. */
export const WHOLE_LOG_SCOPE = 'whole log';
/** `export_scope` of a filtered export: rows that do not match are missing, so its chain cannot be checked alone. */
export const filteredScope = (canonical: string) => `filtered: ${canonical}`;

/** What an export adds beside the stored columns: who the actor is by name, and what the file covers. */
export interface CsvContext {
  scope: string;
  /** Slack's names of the given user ids, where Slack gives them; ids without one are left out. */
  names?: (ids: readonly string[]) => Promise<ReadonlyMap<string, string>>;
}

const FORMULA_START = /^[=+\-@\t\r']/;

/** A cell as written: formula-looking text (or text starting with `'`) gets a leading `'`; null stays null. */
export function neutraliseCsvCell(value: string | number | null): string | null {
  if (value === null) return null;
  const text = String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * One audit row as CSV cells, in AUDIT_CSV_COLUMNS order: the hashed tuple, the two hashes, then
 * the actor's name and the export's scope (neither hashed); null for a missing value.
 */
export function auditRowToCsvRecord(
  row: AuditRow,
  extra: { actorName?: string | undefined; scope: string } = { scope: WHOLE_LOG_SCOPE },
): (string | null)[] {
  return [...toChainedTuple(row), row.prevHash, row.hash, extra.actorName ?? null, extra.scope].map(neutraliseCsvCell);
}

const CSV_OPTIONS: Options = {
  record_delimiter: 'windows',
  // csv-stringify quotes a line break only when it is the record delimiter; RFC 4180 wants every
  // field holding CR or LF quoted, or a reader splits the record. An empty string is written `""`
  // and a missing value (null) as nothing, so the two stay apart in the file.
  quoted_match: [/[\r\n]/, /^$/],
};

/** The header line of the export. */
export function auditCsvHeader(): string {
  return stringify([[...AUDIT_CSV_COLUMNS]], CSV_OPTIONS);
}

/** The CSV lines of a batch of rows (no header). */
export function auditCsvLines(
  rows: readonly AuditRow[],
  scope = WHOLE_LOG_SCOPE,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  if (rows.length === 0) return '';
  return stringify(
    rows.map((row) => auditRowToCsvRecord(row, { actorName: names.get(row.actor), scope })),
    CSV_OPTIONS,
  );
}

/**
 * Writes the header, then each batch as it comes (the store's `iterate` yields to the event loop
 * between batches, so a large export never holds it for long). `write` may be async: it is awaited
 * per batch, which is the back-pressure. Returns the number of data rows written.
 */
export async function writeAuditCsv(
  batches: AsyncIterable<readonly AuditRow[]> | Iterable<readonly AuditRow[]>,
  write: (chunk: string) => void | Promise<void>,
  context: CsvContext = { scope: WHOLE_LOG_SCOPE },
): Promise<number> {
  await write(auditCsvHeader());
  let rows = 0;
  const names = new Map<string, string>();
  const asked = new Set<string>();
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    const unknown = [...new Set(batch.map((row) => row.actor))].filter((id) => !asked.has(id));
    if (context.names && unknown.length > 0) {
      for (const id of unknown) asked.add(id);
      for (const [id, name] of await context.names(unknown)) names.set(id, name);
    }
    await write(auditCsvLines(batch, context.scope, names));
    rows += batch.length;
  }
  return rows;
}

/** The whole export in memory (tests, the benchmark); the bot writes large exports to a file instead. */
export async function auditCsvBuffer(
  batches: AsyncIterable<readonly AuditRow[]> | Iterable<readonly AuditRow[]>,
): Promise<{ content: Buffer; rows: number }> {
  const chunks: Buffer[] = [];
  const rows = await writeAuditCsv(batches, (chunk) => {
    chunks.push(Buffer.from(chunk, 'utf8'));
  });
  return { content: Buffer.concat(chunks), rows };
}
