import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { AUDIT_COLUMNS, type RawAuditRow } from '../../src/adapters/sqlite/audit-append.js';
import type { AuditRow } from '../../src/domain/audit/audit-types.js';
import { auditCsvHeader, auditCsvLines } from '../../src/domain/audit/export-csv.js';
import { type ChainedTuple, chainHash, GENESIS_HASH, toChainedTuple } from '../../src/domain/audit/hash-chain.js';
import { readAuditExport } from '../../src/domain/audit/read-export.js';

/**
 * What an insider with write access to the database file does (issue 13), from a plain connection
 * of their own: no recursive_triggers, no cardops code.
 */

const TRIGGERS = ['audit_no_update', 'audit_no_delete', 'audit_insert_at_head'];

/** Reads every row, lets `edit` change, drop or reorder them, renumbers 1…n and recomputes every hash. */
function rechain(rows: RawAuditRow[], edit: (rows: RawAuditRow[]) => RawAuditRow[]): RawAuditRow[] {
  let prev = GENESIS_HASH;
  return edit(rows).map((row, i) => {
    const tuple = [i + 1, ...row.slice(1, 12)] as ChainedTuple;
    const hash = chainHash(prev, tuple);
    const out = [...tuple, prev, hash] as RawAuditRow;
    prev = hash;
    return out;
  });
}

/**
 * The first attack: triggers dropped, rows edited and deleted, the rest renumbered with every hash
 * recomputed, sqlite_sequence fixed, and the triggers put back as they were.
 */
export function rewriteWithTriggersDropped(path: string, edit: (rows: RawAuditRow[]) => RawAuditRow[]): void {
  const db = new BetterSqlite3(path);
  try {
    const saved = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'`)
      .all() as { name: string; sql: string }[];
    const rows = db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY id`).raw().all() as RawAuditRow[];
    const forged = rechain(rows, edit);
    db.transaction(() => {
      for (const t of TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
      db.exec('DELETE FROM audit');
      const insert = db.prepare(
        `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (${AUDIT_COLUMNS.split(',')
          .map(() => '?')
          .join(', ')})`,
      );
      for (const row of forged) insert.run(...row);
      db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit'").run(forged.length);
      for (const t of saved) db.exec(t.sql);
    })();
  } finally {
    db.close();
  }
}

/**
 * The second attack: INSERT OR REPLACE of every row with recomputed hashes, from a connection
 * without recursive_triggers, so that the replaced rows are deleted without firing a trigger.
 * `dropTriggers` first drops every trigger (a determined insider); without it the attempt meets
 * the triggers as they are. Throws what SQLite throws.
 */
export function replaceEveryRow(
  path: string,
  edit: (rows: RawAuditRow[]) => RawAuditRow[],
  options: { dropTriggers: boolean },
): void {
  const db = new BetterSqlite3(path);
  try {
    db.pragma('recursive_triggers = OFF');
    const rows = db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY id`).raw().all() as RawAuditRow[];
    const forged = rechain(rows, edit);
    db.transaction(() => {
      if (options.dropTriggers) for (const t of TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
      const replace = db.prepare(
        `INSERT OR REPLACE INTO audit (${AUDIT_COLUMNS}) VALUES (${AUDIT_COLUMNS.split(',')
          .map(() => '?')
          .join(', ')})`,
      );
      for (const row of forged) replace.run(...row);
    })();
  } finally {
    db.close();
  }
}

/** Edits rows of an exported CSV and recomputes every hash in it, as someone holding only the file would. */
export function rewriteExport(csvPath: string, edit: (row: AuditRow) => AuditRow): void {
  const read = readAuditExport(fs.readFileSync(csvPath, 'utf8'));
  if (!read.ok) throw new Error(read.problem);
  let prev = GENESIS_HASH;
  const rows = read.rows.map((original) => {
    const row = edit(original);
    const hash = chainHash(prev, toChainedTuple(row));
    const out = { ...row, prevHash: prev, hash };
    prev = hash;
    return out;
  });
  fs.writeFileSync(csvPath, auditCsvHeader() + auditCsvLines(rows));
}
