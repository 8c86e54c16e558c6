import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { type RangeScan, scanRange } from './chain-scan.js';

/**
 * A verify thread: its own read-only connection to the database file, scanning one id range and
 * posting progress (rows checked) and then the range's summary. Summaries hold ids, hashes and
 * times, never row content.
 */

export type ScanMessage = { progress: number } | { done: RangeScan } | { failed: string };

export interface ScanRequest {
  path: string;
  from: number;
  to: number;
  chunkSize: number;
}

const { path, from, to, chunkSize } = workerData as ScanRequest;
const port = parentPort;
if (!port) throw new Error('chain-scan-worker runs as a worker thread');

try {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    const scan = scanRange(db, from, to, chunkSize);
    let step = scan.next();
    while (!step.done) {
      port.postMessage({ progress: step.value } satisfies ScanMessage);
      step = scan.next();
    }
    port.postMessage({ done: step.value } satisfies ScanMessage);
  } finally {
    db.close();
  }
} catch (error) {
  // The code only (SQLITE_BUSY, SQLITE_CANTOPEN…): a message could quote a row.
  port.postMessage({ failed: String((error as { code?: unknown }).code ?? 'ERROR') } satisfies ScanMessage);
}
