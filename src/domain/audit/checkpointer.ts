import type { Logger } from '../../logger.js';
import { type Clock, realClock } from '../clock.js';
import type { AuditRow, AuditStore } from './audit-types.js';
import { type CheckpointSigner, formatCheckpointLine, type SignedCheckpoint } from './checkpoint.js';

/** SPEC §7 cadence: a checkpoint within this long of any row… */
export const CHECKPOINT_WITHIN_MS = 60_000;
/** …or once this many rows arrived since the last one, whichever comes first. */
export const CHECKPOINT_EVERY_ROWS = 1000;
/** A checkpoint that could not be published is tried again this long after. */
const RETRY_MS = 10_000;

/** Timers the checkpointer runs on: injected, so tests move time themselves. */
export type CheckpointClock = Clock;

export const realCheckpointClock: CheckpointClock = realClock;

/** Where a signed checkpoint goes; each sink throws when it could not take it. */
export interface CheckpointSink {
  name: string;
  publish(line: string, checkpoint: SignedCheckpoint): Promise<void>;
}

export interface CheckpointerDeps {
  audit: Pick<AuditStore, 'query' | 'count'>;
  signer: CheckpointSigner;
  sinks: () => CheckpointSink[];
  clock: CheckpointClock;
  logger: Logger;
}

export type CheckpointReason = 'time' | 'rows' | 'cancel' | 'shutdown' | 'retry';

export interface Checkpointer {
  /** Tells the checkpointer a row was appended (by this process). */
  noteAppended(row: Pick<AuditRow, 'op' | 'outcome' | 'approvalId'>): void;
  /** Makes a checkpoint of the current head now, unless it is already anchored. */
  checkpointNow(reason: CheckpointReason): Promise<SignedCheckpoint | undefined>;
  /** Resolves when no checkpoint is being made. */
  settled(): Promise<void>;
  /** Stops the timers and makes the last checkpoint (shutdown). */
  close(): Promise<void>;
}

/** The outcome row of a cancel an approver approved: anchored at once (SPEC §7). */
function isApprovedCancelOutcome(row: Pick<AuditRow, 'op' | 'outcome' | 'approvalId'>): boolean {
  return row.op === 'cancel' && row.approvalId !== null && ['ok', 'failed', 'unknown'].includes(row.outcome);
}

/**
 * Makes, signs and publishes checkpoints of the audit head (SPEC §7): within 60 s or 1,000 rows of
 * any row this process appended, right after every approved cancel, and at shutdown. A checkpoint
 * is made only when the head moved since the last one, so an idle log publishes nothing. With
 * several replicas each anchors the rows it wrote; every checkpoint names one row of the one
 * chain, so any of them can be checked (decision 0008).
 */
export function createCheckpointer(deps: CheckpointerDeps): Checkpointer {
  const { clock, logger } = deps;
  let timer: unknown;
  let rowsSince = 0;
  let last: { row: number; head: string } | undefined;
  let logId: string | undefined;
  let running: Promise<SignedCheckpoint | undefined> | undefined;
  let again: CheckpointReason | undefined;
  let closed = false;

  const arm = (ms: number) => {
    if (timer !== undefined || closed) return;
    timer = clock.setTimer(() => {
      timer = undefined;
      void trigger(rowsSince > 0 ? 'time' : 'retry');
    }, ms);
  };
  const disarm = () => {
    if (timer !== undefined) clock.clearTimer(timer);
    timer = undefined;
  };

  /** The log id: the hash of row 1, read once (a legitimate log never changes its first row). */
  async function readLogId(): Promise<string | undefined> {
    if (logId) return logId;
    const first = (await deps.audit.query({}, { limit: 1, before: 2 })).rows[0];
    if (first?.id === 1) logId = first.hash;
    return logId;
  }

  async function make(reason: CheckpointReason): Promise<SignedCheckpoint | undefined> {
    disarm();
    const covered = rowsSince;
    rowsSince = 0;
    const head = (await deps.audit.query({}, { limit: 1 })).rows[0];
    if (!head || (last && last.row === head.id && last.head === head.hash)) return undefined;
    const log = await readLogId();
    if (!log) {
      logger.error({ row: head.id }, 'audit checkpoint not made: the log has no row #1');
      return undefined;
    }
    const count = await deps.audit.count({});
    const signed = deps.signer.sign({ log, row: head.id, head: head.hash, count, time: clock.now().toISOString() });
    const line = formatCheckpointLine(signed);
    const sinks = deps.sinks();
    const failed: string[] = [];
    for (const sink of sinks) {
      try {
        await sink.publish(line, signed);
      } catch (error) {
        failed.push(sink.name);
        logger.warn({ err: error, sink: sink.name, row: head.id }, 'audit checkpoint could not be published there');
      }
    }
    if (sinks.length === 0) {
      logger.warn(
        { row: head.id },
        'audit checkpoint signed but published nowhere: set audit.anchor_channel or AUDIT_CHECKPOINT_FILE',
      );
    }
    if (failed.length > 0 && failed.length === sinks.length) {
      // Not anchored: the rows it covered still count, and it is tried again soon.
      rowsSince += covered;
      arm(RETRY_MS);
      return undefined;
    }
    last = { row: head.id, head: head.hash };
    logger.info({ row: head.id, count, reason, published: sinks.length - failed.length }, 'audit checkpoint published');
    return signed;
  }

  function trigger(reason: CheckpointReason): Promise<SignedCheckpoint | undefined> {
    if (running) {
      again = again ?? reason;
      return running;
    }
    const run = make(reason)
      .catch((error: unknown) => {
        logger.error({ err: error, reason }, 'audit checkpoint failed');
        arm(RETRY_MS);
        return undefined;
      })
      .finally(() => {
        running = undefined;
        const next = again;
        again = undefined;
        if (next) void trigger(next);
      });
    running = run;
    return run;
  }

  return {
    noteAppended(row) {
      if (closed) return;
      rowsSince += 1;
      if (isApprovedCancelOutcome(row)) void trigger('cancel');
      else if (rowsSince >= CHECKPOINT_EVERY_ROWS) void trigger('rows');
      else arm(CHECKPOINT_WITHIN_MS);
    },
    checkpointNow: (reason) => trigger(reason),
    async settled() {
      while (running) await running;
    },
    async close() {
      closed = true;
      disarm();
      while (running) await running;
      await make('shutdown').catch((error: unknown) => {
        logger.error({ err: error }, 'audit checkpoint at shutdown failed');
        return undefined;
      });
    },
  };
}

/**
 * The store with every append reported to the checkpointer. Everything else is read from the store
 * at call time (a proxy, not a copy), so the store stays the one object tests and shutdown hold.
 */
export function anchorAppends<S extends Pick<AuditStore, 'append'>>(store: S, checkpointer: Checkpointer): S {
  const append: AuditStore['append'] = async (event) => {
    const row = await store.append(event);
    checkpointer.noteAppended(row);
    return row;
  };
  return new Proxy(store, {
    get: (target, property, receiver) => (property === 'append' ? append : Reflect.get(target, property, receiver)),
  });
}
