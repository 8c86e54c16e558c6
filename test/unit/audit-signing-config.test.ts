import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { generateCheckpointKeys } from '../../src/domain/audit/checkpoint.js';

const HTTP_ENV = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'shh-planted-secret' };
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-key-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function keyFile(content: string, mode = 0o600): string {
  const file = path.join(dir, `key-${Math.random().toString(36).slice(2)}.pem`);
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
  return file;
}

describe('AUDIT_SIGNING_KEY_FILE', () => {
  it('when it names an Ed25519 private key readable by its owner only, then checkpoints are signed with it', () => {
    const keys = generateCheckpointKeys();
    const result = parseConfig({ ...HTTP_ENV, AUDIT_SIGNING_KEY_FILE: keyFile(keys.privatePem) });
    expect(result.ok && result.config.audit.signer?.fingerprint).toBe(keys.fingerprint);
  });

  it('when it is not set, then the config has no signer: the log is unanchored', () => {
    const result = parseConfig(HTTP_ENV);
    expect(result.ok && result.config.audit.signer).toBeUndefined();
  });

  it('when the key is readable by others, missing, a public key or not a key, then one line says so and never prints the key', () => {
    const keys = generateCheckpointKeys();
    const cases = [
      [keyFile(keys.privatePem, 0o644), /is readable by other users \(mode 644\); chmod 600 it$/],
      [path.join(dir, 'missing.pem'), /cannot be read \(ENOENT\)$/],
      [keyFile(keys.publicPem), /is not a PEM private key/],
      [keyFile('hello'), /is not a PEM private key/],
    ] as const;
    for (const [file, problem] of cases) {
      const result = parseConfig({ ...HTTP_ENV, AUDIT_SIGNING_KEY_FILE: file });
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatch(/^AUDIT_SIGNING_KEY_FILE: /);
      expect(result.problems[0]).toMatch(problem);
      expect(result.problems[0]).not.toContain('PRIVATE KEY');
    }
  });
});
