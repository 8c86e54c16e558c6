import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';

const EXAMPLE = path.resolve(import.meta.dirname, '../../policy.example.yml');

export interface PolicyChanges {
  /** op -> roles, replacing the example's entry. */
  operations?: Record<string, string[]>;
  /** channel -> ops, added to or replacing the example's entry. */
  channels?: Record<string, string[]>;
  revealsPerHour?: number;
  fullPan?: string[];
  /** Entries of the policy's `limits` block, by their names in the file. */
  limits?: Record<string, number>;
}

/**
 * Writes the example policy with some changes to a new temporary file and returns its path, for
 * tests that need, say, agents allowed to see PANs or the bot's non-member channel opened up.
 */
export function writeTestPolicy(changes: PolicyChanges): string {
  const policy = parse(fs.readFileSync(EXAMPLE, 'utf8')) as {
    operations: Record<string, string[]>;
    channels: Record<string, string[]>;
    reveal: { full_pan: string[] };
    limits: Record<string, number>;
  };
  Object.assign(policy.operations, changes.operations ?? {});
  Object.assign(policy.channels, changes.channels ?? {});
  if (changes.revealsPerHour !== undefined) policy.limits.reveals_per_hour = changes.revealsPerHour;
  if (changes.fullPan !== undefined) policy.reveal.full_pan = changes.fullPan;
  Object.assign(policy.limits, changes.limits ?? {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-policy-'));
  const file = path.join(dir, 'policy.yml');
  fs.writeFileSync(file, stringify(policy));
  return file;
}
