import { parentPort, workerData } from 'node:worker_threads';
import { type PendingEvent, prepareBatchAppend, sqliteCode } from './audit-append.js';
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

/**
 * Sent as JSON text both ways: copying one string is cheaper than structured cloning an array of
 * objects. A written batch comes back as its first id, the stamp and the hashes in order (ids run
 * on by one; each row's prev_hash is the hash before it).
 */
export type WriteAnswer =
  | { seq: number; ok: true; firstId: number; ts: string; prevHash: string; hashes: string[] }
  | { seq: number; ok: false; code: string };

const { path } = workerData as { path: string };
const port = parentPort;
if (!port) throw new Error('audit-writer-worker runs as a worker thread');

let db: Database | undefined;
let append: ReturnType<typeof prepareBatchAppend> | undefined;

port.on('message', (text: string) => {
  if (text === 'close') {
    db?.close();
    process.exit(0);
  }
  const message = JSON.parse(text) as WriteRequest;
  let answer: WriteAnswer;
  try {
    // Opened on first use, and again after a failed open (the file may be back).
    if (!db || !append) {
      db = openWriterConnection(path);
      append = prepareBatchAppend(db);
    }
    const placed = append(message.stamp, message.events);
    const first = placed[0];
    answer = first
      ? {
          seq: message.seq,
          ok: true,
          firstId: first.id,
          ts: first.ts,
          prevHash: first.prevHash,
          hashes: placed.map((p) => p.hash),
        }
      : { seq: message.seq, ok: true, firstId: 0, ts: message.stamp, prevHash: '', hashes: [] };
  } catch (error) {
    answer = { seq: message.seq, ok: false, code: sqliteCode(error) };
  }
  port.postMessage(JSON.stringify(answer));
});
