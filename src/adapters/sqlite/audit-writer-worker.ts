import { parentPort, workerData } from 'node:worker_threads';
import { type PendingEvent, prepareBatchAppend, sqliteCode, type WrittenPlace } from './audit-append.js';
import { type Database, openWriterConnection } from './database.js';

/**
 * The audit writer thread: its own connection to the database file, appending the batches the
 * main thread sends, one durable transaction each. The fsync of every commit waits here, not on
 * the main thread's event loop. Answers carry ids and hashes or an SQLite error code, never row
 * content.
 */

export interface WriteRequest {
  seq: number;
  stamp: string;
  events: PendingEvent[];
}

export type WriteAnswer = { seq: number; ok: true; placed: WrittenPlace[] } | { seq: number; ok: false; code: string };

const { path } = workerData as { path: string };
const port = parentPort;
if (!port) throw new Error('audit-writer-worker runs as a worker thread');

let db: Database | undefined;
let append: ReturnType<typeof prepareBatchAppend> | undefined;

port.on('message', (message: WriteRequest | 'close') => {
  if (message === 'close') {
    db?.close();
    process.exit(0);
  }
  let answer: WriteAnswer;
  try {
    // Opened on first use, and again after a failed open (the file may be back).
    if (!db || !append) {
      db = openWriterConnection(path);
      append = prepareBatchAppend(db);
    }
    answer = { seq: message.seq, ok: true, placed: append(message.stamp, message.events) };
  } catch (error) {
    answer = { seq: message.seq, ok: false, code: sqliteCode(error) };
  }
  port.postMessage(answer);
});
