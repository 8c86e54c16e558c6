import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { CheckpointReading } from '../../domain/audit/anchor-check.js';
import { parseCheckpoints } from '../../domain/audit/checkpoint.js';
import type { CheckpointSink } from '../../domain/audit/checkpointer.js';

/**
 * AUDIT_CHECKPOINT_FILE: every signed checkpoint appended as one line, opened append-only and made
 * durable before the checkpoint counts as published. Created 0600; the operator ships it to WORM
 * storage (an append-only bucket, `chattr +a`), which is what puts it out of an insider's reach.
 */
export function checkpointFileSink(path: string): CheckpointSink {
  return {
    name: 'file',
    async publish(line) {
      const file = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
      try {
        await file.write(`${line}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
    },
  };
}

/** Reads back every checkpoint in a file; a missing or unreadable file is said so, by its error code only. */
export async function readCheckpointFile(path: string, source: CheckpointReading['source'] = 'file') {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { source, checkpoints: undefined, problem: `file ${code}`, malformed: 0 } satisfies CheckpointReading;
  }
  const { checkpoints, malformed } = parseCheckpoints(text);
  return { source, checkpoints, malformed } satisfies CheckpointReading;
}
