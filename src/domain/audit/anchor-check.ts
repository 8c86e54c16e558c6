import type { KeyObject } from 'node:crypto';
import { type SignedCheckpoint, signatureHolds } from './checkpoint.js';

/** Where a checkpoint was read back from. */
export type CheckpointSource = 'channel' | 'file';

/** What could be read from one source: the checkpoints found, or why none could be. */
export interface CheckpointReading {
  source: CheckpointSource;
  /** Undefined when the source could not be read; `problem` says why. */
  checkpoints: SignedCheckpoint[] | undefined;
  problem?: string;
  /** Lines or messages that looked like checkpoints but did not parse. */
  malformed: number;
  /** True when only the newest part of the source was read (a long channel history). */
  partial?: boolean;
}

/** A checkpoint as an answer names it. */
export interface CheckpointRef {
  /** 1-based position among the valid checkpoints of this log, oldest row first. */
  number: number;
  row: number;
  time: string;
  fingerprint: string;
  source: CheckpointSource;
}

export type AnchorBreak =
  /** The row the checkpoint names is gone (rows were deleted or the log cut). */
  | { kind: 'row-missing'; checkpoint: CheckpointRef }
  /** The row is there with another hash: it, or a row before it, was changed and the chain recomputed. */
  | { kind: 'hash-differs'; checkpoint: CheckpointRef }
  /** A checkpoint signed by this key names another log: the first row is not the one it was signed over. */
  | { kind: 'other-log'; checkpoint: CheckpointRef };

export interface AnchorReport {
  /** False when no key was available: nothing can be proven against someone who can write the database. */
  keyed: boolean;
  fingerprint: string | undefined;
  readings: CheckpointReading[];
  /** Checkpoints whose signature holds for this key. */
  valid: number;
  /** Signed by another key (or the signature does not hold): not evidence either way. */
  unverifiable: number;
  /** The newest checkpoint that the rows still match and the chain holds up to. */
  proven: CheckpointRef | undefined;
  /** The first checkpoint the database contradicts. */
  broken: AnchorBreak | undefined;
}

export interface AnchorCheckInput {
  publicKey: KeyObject | undefined;
  fingerprint: string | undefined;
  readings: CheckpointReading[];
  /** The log id of the database (hash of row 1); undefined for an empty log or a missing first row. */
  logId: string | undefined;
  /** Rows 1–`chainHolds` recompute and link (the chain check's result). */
  chainHolds: number;
  /** The stored hash of a row, or undefined when the row is not there. */
  hashAt(row: number): Promise<string | undefined>;
}

/**
 * Checks the database against every checkpoint read back (SPEC §7): the signature with the public
 * key, then that the row it names still has the hash it was signed with. A checkpoint over row N
 * proves rows 1–N only where the chain also recomputes up to N. Checkpoints are taken in row order;
 * the first one the database contradicts is the break (later ones would only repeat it).
 */
export async function checkAgainstCheckpoints(input: AnchorCheckInput): Promise<AnchorReport> {
  const report: AnchorReport = {
    keyed: input.publicKey !== undefined,
    fingerprint: input.fingerprint,
    readings: input.readings,
    valid: 0,
    unverifiable: 0,
    proven: undefined,
    broken: undefined,
  };
  const publicKey = input.publicKey;
  if (!publicKey) return report;

  const valid: { checkpoint: SignedCheckpoint; source: CheckpointSource }[] = [];
  const seen = new Set<string>();
  for (const reading of input.readings) {
    for (const checkpoint of reading.checkpoints ?? []) {
      if (checkpoint.key !== input.fingerprint || !signatureHolds(checkpoint, publicKey)) {
        report.unverifiable += 1;
        continue;
      }
      // The same checkpoint in the channel and the file counts once.
      if (seen.has(checkpoint.sig)) continue;
      seen.add(checkpoint.sig);
      valid.push({ checkpoint, source: reading.source });
    }
  }
  valid.sort((a, b) => a.checkpoint.row - b.checkpoint.row || a.checkpoint.time.localeCompare(b.checkpoint.time));
  report.valid = valid.length;

  for (const [i, { checkpoint, source }] of valid.entries()) {
    const ref: CheckpointRef = {
      number: i + 1,
      row: checkpoint.row,
      time: checkpoint.time,
      fingerprint: checkpoint.key,
      source,
    };
    if (checkpoint.log !== input.logId) {
      report.broken = { kind: 'other-log', checkpoint: ref };
      break;
    }
    const stored = await input.hashAt(checkpoint.row);
    if (stored === undefined) {
      report.broken = { kind: 'row-missing', checkpoint: ref };
      break;
    }
    if (stored !== checkpoint.head) {
      report.broken = { kind: 'hash-differs', checkpoint: ref };
      break;
    }
    if (checkpoint.row <= input.chainHolds) report.proven = ref;
  }
  return report;
}

/** What an anchor check proved, in one plain line (the audit row's reason and the verifier's output). */
export function describeAnchoring(r: AnchorReport): string {
  if (!r.keyed) {
    return 'unanchored: no signing key, so nothing proves the rows were not rewritten by someone who can write the database';
  }
  const read = r.readings
    .map((reading) =>
      reading.checkpoints === undefined
        ? `${reading.source}: not read (${reading.problem ?? 'unavailable'})`
        : `${reading.source}: ${reading.checkpoints.length} read${reading.partial ? ' (newest only)' : ''}`,
    )
    .join(', ');
  const sources = read === '' ? 'no checkpoint source' : read;
  const parts = [`checkpoints ${sources}; ${r.valid} signed by key ${r.fingerprint ?? '?'}`];
  if (r.unverifiable > 0) parts.push(`${r.unverifiable} not verifiable with this key`);
  if (r.broken) {
    const c = r.broken.checkpoint;
    const what =
      r.broken.kind === 'row-missing'
        ? `row #${c.row} is gone`
        : r.broken.kind === 'hash-differs'
          ? `row #${c.row} no longer has the signed hash`
          : 'it names another log (row #1 differs)';
    parts.push(`checkpoint ${c.number} (row #${c.row}, signed ${c.time}) contradicts the database: ${what}`);
  }
  if (r.proven) {
    parts.push(`rows 1–${r.proven.row} match checkpoint ${r.proven.number} signed ${r.proven.time}`);
  } else if (!r.broken) {
    parts.push('no row is proven by a checkpoint');
  }
  return parts.join('; ');
}
