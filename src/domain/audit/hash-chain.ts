import * as crypto from 'node:crypto';
import type { AuditRow } from './audit-types.js';

/** The `prev_hash` of the first row of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hashed fields of a row: every §7 column but the two hashes (the outcome as stored text). */
export type ChainedContent = Omit<AuditRow, 'outcome' | 'prevHash' | 'hash'> & { outcome: string };

/**
 * A row as a fixed-order tuple, the order of the `audit` columns from `id` to `error`. The id is
 * part of it so that a deleted, moved or renumbered row breaks the chain.
 */
export type ChainedTuple = [
  id: number,
  ts: string,
  actor: string,
  teamId: string | null,
  channelId: string | null,
  op: string,
  cardId: string | null,
  outcome: string,
  reason: string | null,
  approvalId: string | null,
  traceId: string | null,
  error: string | null,
];

// One-shot `crypto.hash` (Node ≥ 20.12) is about twice as fast as createHash for short inputs.
/** SHA-256 of a text, as 64 lower-case hex digits. */
export const sha256hex: (data: string) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

/** The canonical content of a row: a JSON array of the tuple, nulls kept as `null`. */
export function canonicalContent(tuple: ChainedTuple): string {
  return JSON.stringify(tuple);
}

/** `sha256hex(prevHash + canonical content)`: the row hash of SPEC §7. */
export function chainHash(prevHash: string, tuple: ChainedTuple): string {
  return sha256hex(prevHash + JSON.stringify(tuple));
}

/** The tuple of a row given as named fields: the one place that puts the fields in column order. */
export function toChainedTuple(row: ChainedContent): ChainedTuple {
  return [
    row.id,
    row.ts,
    row.actor,
    row.teamId,
    row.channelId,
    row.op,
    row.cardId,
    row.outcome,
    row.reason,
    row.approvalId,
    row.traceId,
    row.error,
  ];
}
