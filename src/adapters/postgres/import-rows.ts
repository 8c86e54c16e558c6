import type { AuditRow } from '../../domain/audit/audit-types.js';
import { toChainedTuple } from '../../domain/audit/hash-chain.js';
import { AUDIT_COLUMNS } from '../shared/audit-rows.js';
import { inTransaction, type Pool } from './pool.js';

/**
 * Rows moved in from another cardops database (`npm run migrate-store`), kept exactly as they
 * were: ids, times and hashes are copied, not recomputed, so the moved chain is the same chain and
 * verifies against the same exports and checkpoints. Each batch must continue the chain where the
 * target's head is; the head moves with it in the same transaction.
 */

const APPROVAL_COLUMNS =
  'id, op, card_id, requester, team_id, request_channel, reason, state, created_at, expires_at, decided_by, decided_at, decision_reason, message_channel, message_ts, trace_id, error';

/** True when the target holds no audit row, no approval and its chain head is at the start. */
export async function isEmptyTarget(pool: Pool): Promise<{ empty: boolean; auditRows: number; approvals: number }> {
  const result = await pool.query<{ audit_rows: string; approvals: string; head: string }>(
    `SELECT (SELECT count(*) FROM audit) AS audit_rows, (SELECT count(*) FROM approvals) AS approvals,
            (SELECT last_id FROM audit_head WHERE one) AS head`,
  );
  const row = result.rows[0];
  const auditRows = Number(row?.audit_rows ?? 0);
  const approvals = Number(row?.approvals ?? 0);
  return { empty: auditRows === 0 && approvals === 0 && Number(row?.head ?? 0) === 0, auditRows, approvals };
}

/** Appends stored rows as they are; refuses a batch that does not continue the target's chain. */
export async function importAuditRows(pool: Pool, rows: readonly AuditRow[]): Promise<void> {
  const first = rows[0];
  const last = rows.at(-1);
  if (!first || !last) return;
  await inTransaction(pool, async (client) => {
    const head = await client.query<{ last_id: string; last_hash: string }>(
      'SELECT last_id, last_hash FROM audit_head WHERE one FOR UPDATE',
    );
    const at = head.rows[0];
    if (!at || Number(at.last_id) !== first.id - 1 || at.last_hash !== first.prevHash) {
      throw new Error(
        `row ${first.id} does not continue the target's chain (its head is at row ${at?.last_id ?? '?'})`,
      );
    }
    const columns: (string | number | null)[][] = Array.from({ length: 14 }, () => []);
    for (const r of rows) {
      const values = [...toChainedTuple(r), r.prevHash, r.hash];
      for (let c = 0; c < 14; c += 1) columns[c]!.push(values[c]!);
    }
    await client.query(
      `INSERT INTO audit (${AUDIT_COLUMNS})
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])`,
      columns,
    );
    await client.query('UPDATE audit_head SET last_id = $1, last_hash = $2, last_ts = $3 WHERE one', [
      last.id,
      last.hash,
      last.ts,
    ]);
  });
}

/** Copies approval rows as stored (snake_case columns), with no owner: no replica of the target holds them. */
export async function importApprovals(pool: Pool, records: readonly Record<string, unknown>[]): Promise<void> {
  if (records.length === 0) return;
  const names = APPROVAL_COLUMNS.split(', ');
  const columns = names.map((name) => records.map((r) => (r[name] === undefined ? null : r[name])));
  await pool.query(
    `INSERT INTO approvals (${APPROVAL_COLUMNS})
     SELECT * FROM unnest(${names.map((_, i) => `$${i + 1}::text[]`).join(', ')})`,
    columns,
  );
}
