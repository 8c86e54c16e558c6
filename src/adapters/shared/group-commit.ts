import type { AuditRow } from '../../domain/audit/audit-types.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { PendingEvent, WrittenPlace } from './audit-rows.js';

/**
 * Group commit for audit appends, whatever the engine: appends queued while a batch is being
 * written go together in the next one, so under load each commit (and its fsync) carries many
 * rows. One batch at a time per process; `writeBatch` writes a batch in one durable transaction
 * and says where each row went, or throws (nothing of the batch written) with a code to log.
 */
export interface GroupCommit {
  /** Resolves once the row's batch is durably committed. */
  append(event: PendingEvent): Promise<AuditRow>;
  /** Resolves once every append issued so far has settled. */
  settle(): Promise<void>;
  /** Refuses new appends with AUDIT_UNAVAILABLE, then settles the ones issued. */
  close(): Promise<void>;
}

// Taken at load: test suites that fake timers must not stall durable writes.
const realSetImmediate = globalThis.setImmediate;
export const nextTurn = () => new Promise<void>((resolve) => realSetImmediate(resolve));

interface Waiter {
  event: PendingEvent;
  resolve: (row: AuditRow) => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit(options: {
  writeBatch: (events: PendingEvent[]) => Promise<WrittenPlace[]>;
  /** The code logged (and put in the error message) for a failed batch: never row content. */
  codeOf: (error: unknown) => string;
  logger?: Pick<Logger, 'error'> | undefined;
}): GroupCommit {
  let queue: Waiter[] = [];
  let scheduled = false;
  let inflight: Promise<void> | undefined;
  let closed = false;

  function schedule(): void {
    if (scheduled || inflight || queue.length === 0) return;
    scheduled = true;
    realSetImmediate(writeQueued);
  }

  function writeQueued(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    let written: Promise<WrittenPlace[]>;
    try {
      written = options.writeBatch(batch.map((w) => w.event));
    } catch (error) {
      written = Promise.reject(error);
    }
    inflight = written
      .then(
        (placed) => {
          for (const [i, w] of batch.entries()) w.resolve({ ...w.event, ...placed[i]! });
        },
        (error: unknown) => {
          // The transaction was rolled back: none of the batch is written. No row content in the error.
          const code = options.codeOf(error);
          options.logger?.error({ code, rows: batch.length }, 'audit append failed');
          for (const w of batch) w.reject(new AppError('AUDIT_UNAVAILABLE', `audit append failed (${code})`));
        },
      )
      .finally(() => {
        inflight = undefined;
        schedule();
      });
  }

  async function settle(): Promise<void> {
    while (queue.length > 0 || scheduled || inflight) await (inflight ?? nextTurn());
  }

  return {
    append(event) {
      if (closed) return Promise.reject(new AppError('AUDIT_UNAVAILABLE', 'audit append after close'));
      return new Promise<AuditRow>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        schedule();
      });
    },
    settle,
    async close() {
      closed = true;
      await settle();
    },
  };
}
