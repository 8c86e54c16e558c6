import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPolicyStore, loadPolicyFile } from '../../src/domain/policy/load-policy.js';
import { createLogger } from '../../src/logger.js';

const exampleText = readFileSync(new URL('../../policy.example.yml', import.meta.url), 'utf8');
const tempDir = () => mkdtempSync(join(tmpdir(), 'cardops-policy-'));

function memoryLogger() {
  const lines: { level: number; msg: string; problems?: string[] }[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (chunk: string) => void lines.push(JSON.parse(chunk)) },
  });
  return { logger, lines };
}

describe('loadPolicyFile', () => {
  it('when the file is missing, then one line names the path and how to start', async () => {
    const path = join(tempDir(), 'policy.yml');
    const result = await loadPolicyFile(path);
    expect(result).toEqual({
      ok: false,
      problems: [
        `${path}: policy file not found. To start, copy policy.example.yml to ${path} and put your team's Slack user ids in it (or set POLICY_FILE to where your policy is)`,
      ],
    });
  });

  it('when the path is a directory, then it says so', async () => {
    const dir = tempDir();
    expect(await loadPolicyFile(dir)).toEqual({ ok: false, problems: [`${dir}: is a directory, not a policy file`] });
  });

  it('when the file exists, then it is parsed with its path as the source of every problem', async () => {
    const dir = tempDir();
    const good = join(dir, 'good.yml');
    const bad = join(dir, 'bad.yml');
    writeFileSync(good, exampleText);
    writeFileSync(bad, exampleText.replace('C0SECURE: ["*"]', 'C0SECURE: ["*", blok]'));
    expect((await loadPolicyFile(good)).ok).toBe(true);
    const result = await loadPolicyFile(bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      `${bad}: channels.C0SECURE[1]: unknown operation "blok" (expected "*" or one of block, unblock, activate, cancel, pan, cvv, expiry, pin, unblock-pin, change-pin, limit, set-limit, history)`,
    ]);
  });
});

describe('createPolicyStore', () => {
  it('when the file turns invalid or disappears, then the last good policy stays in force and the problem is logged', async () => {
    const path = join(tempDir(), 'policy.yml');
    writeFileSync(path, exampleText);
    const first = await loadPolicyFile(path);
    if (!first.ok) throw new Error(first.problems.join('\n'));
    const { logger, lines } = memoryLogger();
    const store = createPolicyStore({ path, initial: first.policy, logger });

    writeFileSync(path, exampleText.replace('pan: [senior]', 'pan: [seniro]'));
    expect(await store.reload()).toBe(false);
    expect(store.current()).toBe(first.policy);
    expect(lines.at(-1)).toMatchObject({ level: 50, problems: [expect.stringContaining('operations.pan[0]')] });

    writeFileSync(path, exampleText.replace('pan: [senior]', 'pan: [agent, senior]'));
    expect(await store.reload()).toBe(true);
    expect(store.current().operations.pan).toEqual(['agent', 'senior']);
  });
});
