import type { AuditRow } from './audit-types.js';
import { AUDIT_CSV_COLUMNS, WHOLE_LOG_SCOPE } from './export-csv.js';
import { chainHash, GENESIS_HASH, toChainedTuple } from './hash-chain.js';

/**
 * Reading an audit export back (the auditor's side of SPEC §7): RFC 4180 with the export's
 * conventions undone — an empty unquoted cell is a missing value, `""` an empty text, and one
 * leading `'` added against spreadsheet formulas is dropped.
 */

/** One CSV record's cells; null for an empty unquoted cell. */
export function parseCsv(text: string): (string | null)[][] {
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let cell = '';
  let quoted = false;
  let inQuotes = false;
  let i = 0;
  const endCell = () => {
    record.push(quoted || cell !== '' ? cell : null);
    cell = '';
    quoted = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') inQuotes = false;
      else cell += c;
      i += 1;
      continue;
    }
    if (c === '"' && cell === '') {
      inQuotes = true;
      quoted = true;
    } else if (c === ',') {
      endCell();
    } else if (c === '\r' && text[i + 1] === '\n') {
      endCell();
      records.push(record);
      record = [];
      i += 1;
    } else if (c === '\n') {
      endCell();
      records.push(record);
      record = [];
    } else {
      cell += c;
    }
    i += 1;
  }
  if (cell !== '' || quoted || record.length > 0) {
    endCell();
    records.push(record);
  }
  return records;
}

const unneutralise = (value: string | null) => (value?.startsWith("'") ? value.slice(1) : value);

/** The stored columns, in the export's order: the hashed tuple, then the two hashes. */
const REQUIRED = AUDIT_CSV_COLUMNS.slice(0, 14);

export type ExportRead =
  | { ok: true; rows: AuditRow[]; scope: string; filtered: boolean }
  | { ok: false; problem: string };

/** The rows of an export, by column name; says what is wrong with a file that is not one. */
export function readAuditExport(text: string): ExportRead {
  const records = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = records[0]?.map((h) => h ?? '');
  if (!header) return { ok: false, problem: 'the file is empty' };
  const at = new Map(header.map((name, i) => [name, i]));
  const missing = REQUIRED.filter((name) => !at.has(name));
  if (missing.length > 0) return { ok: false, problem: `not an audit export: no column ${missing.join(', ')}` };
  const get = (record: (string | null)[], name: string) => unneutralise(record[at.get(name) ?? -1] ?? null);
  const rows: AuditRow[] = [];
  const scopes = new Set<string>();
  for (const [n, record] of records.slice(1).entries()) {
    if (record.length === 1 && record[0] === null) continue;
    const id = Number(get(record, 'id'));
    if (!Number.isSafeInteger(id)) return { ok: false, problem: `line ${n + 2}: the id is not a number` };
    rows.push({
      id,
      ts: get(record, 'time_utc') ?? '',
      actor: get(record, 'actor') ?? '',
      teamId: get(record, 'team_id'),
      channelId: get(record, 'channel_id'),
      op: get(record, 'op') ?? '',
      cardId: get(record, 'card_id'),
      outcome: (get(record, 'outcome') ?? '') as AuditRow['outcome'],
      reason: get(record, 'reason'),
      approvalId: get(record, 'approval_id'),
      traceId: get(record, 'trace_id'),
      error: get(record, 'error'),
      prevHash: get(record, 'prev_hash') ?? '',
      hash: get(record, 'hash') ?? '',
    });
    // An export from before export_scope existed is taken as what it claims to be: the whole log.
    scopes.add(at.has('export_scope') ? (get(record, 'export_scope') ?? '') : WHOLE_LOG_SCOPE);
  }
  const scope = scopes.size === 1 ? [...scopes][0]! : [...scopes].join(' | ');
  return { ok: true, rows, scope: scope || WHOLE_LOG_SCOPE, filtered: [...scopes].some((s) => s !== WHOLE_LOG_SCOPE) };
}

export type RowsBreak = {
  id: number;
  problem: 'edited' | 'deleted-before' | 'bad-link' | 'reordered' | 'not-from-start';
};

/**
 * Recomputes the chain of rows given in id order, the way the store's verify walks the table:
 * each row's hash from its own previous hash and content, then that it follows the row before.
 * Returns how many rows hold before the first break.
 */
export function verifyRowChain(rows: readonly AuditRow[]): {
  checked: number;
  broken: RowsBreak | undefined;
  selfHolding: number;
} {
  let checked = 0;
  let broken: RowsBreak | undefined;
  let selfHolding = 0;
  let prev: AuditRow | undefined;
  for (const row of rows) {
    const tuple = toChainedTuple(row);
    const holds = chainHash(row.prevHash, tuple) === row.hash;
    if (holds) selfHolding += 1;
    if (!broken) {
      let problem: RowsBreak['problem'] | undefined;
      if (!holds) problem = rows.some((r) => r.id > row.id && r.hash === row.prevHash) ? 'reordered' : 'edited';
      else if (prev === undefined && row.id !== 1) problem = 'not-from-start';
      else if (prev === undefined && row.prevHash !== GENESIS_HASH) problem = 'bad-link';
      else if (prev !== undefined && row.id !== prev.id + 1) problem = 'deleted-before';
      else if (prev !== undefined && row.prevHash !== prev.hash) problem = 'bad-link';
      else if (prev !== undefined && row.ts < prev.ts) problem = 'reordered';
      if (problem) broken = { id: row.id, problem };
      else checked += 1;
    }
    prev = row;
  }
  return { checked, broken, selfHolding };
}
