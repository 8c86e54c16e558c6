import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Vitest global setup: every temporary folder the tests make (their own, the offline bot's, the
 * spawned bots', tsx's cache) goes under one folder that is removed when the run ends, so a test
 * that fails half-way or a killed child leaves nothing behind in the machine's temporary folder.
 * TMPDIR is read by os.tmpdir() in the test workers and in every process they spawn.
 */
export default function setup(): () => void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-test-run-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    fs.rmSync(root, { recursive: true, force: true });
  };
}
