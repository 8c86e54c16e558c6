import * as crypto from 'node:crypto';
import { z } from 'zod';

/**
 * Signed audit checkpoints (SPEC §7). The hash chain alone proves nothing against someone who can
 * write the database: they can recompute every hash. A checkpoint is a statement, signed with a key
 * the database never holds, that the log `log` had `count` rows at `time` and that row `row` had the
 * hash `head`; published outside the database, it pins rows 1–`row` for good.
 *
 * `log` is the hash of the log's first row: it tells one deployment's log from another's in a shared
 * channel, and a log replaced or rewritten from its first row no longer matches its checkpoints.
 */
export interface Checkpoint {
  log: string;
  row: number;
  head: string;
  count: number;
  /** ISO-8601 UTC. */
  time: string;
  /** Fingerprint of the public key that verifies the signature. */
  key: string;
}

export interface SignedCheckpoint extends Checkpoint {
  /** Ed25519 signature over `checkpointPayload`, base64. */
  sig: string;
}

/** How a checkpoint starts wherever it is written: a Slack message, a line of the checkpoint file, a file given to the verifier. */
export const CHECKPOINT_TAG = 'cardops-checkpoint/1';

const HEX64 = /^[0-9a-f]{64}$/;
const signedShape = z.strictObject({
  log: z.string().regex(HEX64),
  row: z.number().int().positive(),
  head: z.string().regex(HEX64),
  count: z.number().int().nonnegative(),
  time: z.iso.datetime(),
  key: z.string().min(1).max(100),
  sig: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/),
});

/** The exact bytes signed: the fields in a fixed order, as JSON, with the format tag. */
export function checkpointPayload(c: Checkpoint): string {
  return JSON.stringify([CHECKPOINT_TAG, c.log, c.row, c.head, c.count, c.time, c.key]);
}

/** One line: the tag, then the signed checkpoint as JSON (no characters Slack escapes). */
export function formatCheckpointLine(c: SignedCheckpoint): string {
  const { log, row, head, count, time, key, sig } = c;
  return `${CHECKPOINT_TAG} ${JSON.stringify({ log, row, head, count, time, key, sig })}`;
}

/** Every well-formed checkpoint in a text (a message, a file); anything else is skipped and counted. */
export function parseCheckpoints(text: string): { checkpoints: SignedCheckpoint[]; malformed: number } {
  const checkpoints: SignedCheckpoint[] = [];
  let malformed = 0;
  const tag = CHECKPOINT_TAG.replace('/', '\\/');
  for (const match of text.matchAll(new RegExp(`${tag} (\\{[^\\n\`]*\\})`, 'g'))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(match[1]!);
    } catch {
      malformed += 1;
      continue;
    }
    const checked = signedShape.safeParse(parsed);
    if (checked.success) checkpoints.push(checked.data);
    else malformed += 1;
  }
  return { checkpoints, malformed };
}

/** The signing side: the private key stays in memory, read from AUDIT_SIGNING_KEY_FILE. */
export interface CheckpointSigner {
  readonly fingerprint: string;
  readonly publicKey: crypto.KeyObject;
  sign(checkpoint: Omit<Checkpoint, 'key'>): SignedCheckpoint;
}

/** The public key's fingerprint: `SHA256:` and the base64 of the SHA-256 of its DER form, as OpenSSH shows keys. */
export function keyFingerprint(publicKey: crypto.KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `SHA256:${crypto.createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

/**
 * A signer from an Ed25519 private key in PEM. Throws an Error whose message never holds the key:
 * it says what is wrong with it.
 */
export function createCheckpointSigner(pem: string): CheckpointSigner {
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`holds a ${privateKey.asymmetricKeyType ?? 'non-asymmetric'} key; an Ed25519 key is needed`);
  }
  const publicKey = crypto.createPublicKey(privateKey);
  const fingerprint = keyFingerprint(publicKey);
  return {
    fingerprint,
    publicKey,
    sign(checkpoint) {
      const full: Checkpoint = { ...checkpoint, key: fingerprint };
      const sig = crypto.sign(null, Buffer.from(checkpointPayload(full), 'utf8'), privateKey).toString('base64');
      return { ...full, sig };
    },
  };
}

/** An Ed25519 public key from PEM (the `.pub` file `npm run audit:keygen` writes) or from a private key PEM. */
export function readPublicKey(pem: string): crypto.KeyObject {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('is not a PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('is not an Ed25519 key');
  return key;
}

/** True when the signature holds for this public key. */
export function signatureHolds(c: SignedCheckpoint, publicKey: crypto.KeyObject): boolean {
  try {
    return crypto.verify(null, Buffer.from(checkpointPayload(c), 'utf8'), publicKey, Buffer.from(c.sig, 'base64'));
  } catch {
    return false;
  }
}

/** A new key pair for `npm run audit:keygen`. */
export function generateCheckpointKeys(): { privatePem: string; publicPem: string; fingerprint: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: keyFingerprint(publicKey),
  };
}
