import type { CheckpointReading } from './anchor-check.js';
import type { CheckpointSigner } from './checkpoint.js';
import type { Checkpointer } from './checkpointer.js';

/**
 * The audit log's anchoring as the app runs it: the signer (undefined without
 * AUDIT_SIGNING_KEY_FILE: the log is unanchored), the checkpointer that publishes, and a way to
 * read back every checkpoint source configured now (the anchor channel, the checkpoint file).
 */
export interface AuditAnchoring {
  signer: CheckpointSigner | undefined;
  checkpointer: Checkpointer | undefined;
  readCheckpoints(): Promise<CheckpointReading[]>;
}

/** No key: nothing is signed, published or read back. */
export const UNANCHORED: AuditAnchoring = {
  signer: undefined,
  checkpointer: undefined,
  readCheckpoints: async () => [],
};
