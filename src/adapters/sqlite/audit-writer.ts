import type { Worker } from 'node:worker_threads';
import { type PendingEvent, prepareBatchAppend, sqliteCode, type WrittenPlace } from './audit-append.js';
import type { WriteAnswer, WriteRequest } from './audit-writer-worker.js';
import type { Database } from './database.js';
import { spawnSiblingThread } from './sibling-thread.js';

/**
 * Where the audit store's batches are written: on the calling thread (an in-memory database, or
 * when asked), or on a writer thread with its own connection, so that the main event loop keeps
 * serving while a commit waits for the disk. Either way a batch is one durable transaction, and
 * a failure rejects with `AuditWriteError` carrying SQLite's code only.
 */
export interface AuditBatchWriter {
  write(stamp: string, events: PendingEvent[]): Promise<WrittenPlace[]>;
  /** Waits for nothing: the store drains first. Stops the thread, if any. */
  close(): Promise<void>;
}

export class AuditWriteError extends Error {
  constructor(readonly code: string) {
    super(`audit append failed (${code})`);
    this.name = 'AuditWriteError';
  }
}

export function inlineAuditWriter(db: Database): AuditBatchWriter {
  const append = prepareBatchAppend(db);
  return {
    async write(stamp, events) {
      try {
        return append(stamp, events);
      } catch (error) {
        throw new AuditWriteError(sqliteCode(error));
      }
    },
    async close() {},
  };
}

/**
 * A writer thread for the database file at `path` (already opened and migrated by the caller).
 * Started at once; restarted on the next write if it ever dies. Holds the process open
 * only while a batch is in flight.
 */
export function threadAuditWriter(path: string): AuditBatchWriter {
  let worker: Worker | undefined;
  let seq = 0;
  const waiting = new Map<number, { resolve: (placed: WrittenPlace[]) => void; reject: (error: Error) => void }>();

  const failAll = (code: string) => {
    for (const w of waiting.values()) w.reject(new AuditWriteError(code));
    waiting.clear();
  };

  function start(): Worker {
    const started = spawnWriterThread(path);
    started.unref();
    started.on('message', (text: string) => {
      const answer = JSON.parse(text) as WriteAnswer;
      const w = waiting.get(answer.seq);
      if (!w) return;
      waiting.delete(answer.seq);
      if (waiting.size === 0) started.unref();
      if (answer.ok) w.resolve(placesOf(answer));
      else w.reject(new AuditWriteError(answer.code));
    });
    // A thread that dies takes its unanswered batches with it: their outcome is unknown to us, so
    // they fail (nothing was reported durable); the next write starts a fresh thread.
    started.on('error', () => {
      if (worker === started) worker = undefined;
      failAll('WRITER_THREAD_FAILED');
    });
    started.on('exit', () => {
      if (worker === started) worker = undefined;
      failAll('WRITER_THREAD_EXITED');
    });
    return started;
  }

  // Started now, so that the first command does not wait for a thread to boot.
  worker = start();
  return {
    write(stamp, events) {
      worker ??= start();
      const current = worker;
      seq += 1;
      const request: WriteRequest = { seq, stamp, events };
      return new Promise((resolve, reject) => {
        waiting.set(request.seq, { resolve, reject });
        current.ref();
        current.postMessage(JSON.stringify(request));
      });
    },
    async close() {
      const current = worker;
      worker = undefined;
      if (!current) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      // Held while it closes: an idle thread is unref'd, and a process with nothing else to do
      // would otherwise end here, before its caller's next step.
      current.ref();
      current.postMessage('close');
      await exited;
    },
  };
}

function placesOf(answer: Extract<WriteAnswer, { ok: true }>): WrittenPlace[] {
  let prevHash = answer.prevHash;
  return answer.hashes.map((hash, i) => {
    const place = { id: answer.firstId + i, ts: answer.ts, prevHash, hash };
    prevHash = hash;
    return place;
  });
}

function spawnWriterThread(path: string): Worker {
  return spawnSiblingThread(import.meta.url, 'audit-writer-worker', { path });
}
