import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAuditVerify } from '../../src/cli/audit-verify.js';
import {
  type CheckpointSigner,
  createCheckpointSigner,
  generateCheckpointKeys,
} from '../../src/domain/audit/checkpoint.js';
import { readAuditExport } from '../../src/domain/audit/read-export.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { manualClock } from '../helpers/manual-clock.js';
import { replaceEveryRow, rewriteExport, rewriteWithTriggersDropped } from '../helpers/tamper.js';
import { ALICE, CAROL, MANAGER, seedIssueRows } from './audit-command-support.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

let bot: OfflineBot;
let dir: string;
let keys: ReturnType<typeof generateCheckpointKeys>;
let signer: CheckpointSigner;
let clock: ReturnType<typeof manualClock>;
let checkpointFile: string;
let publicKeyFile: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-verify-cli-'));
  checkpointFile = path.join(dir, 'checkpoints.log');
  publicKeyFile = path.join(dir, 'audit.pub.pem');
  keys = generateCheckpointKeys();
  fs.writeFileSync(publicKeyFile, keys.publicPem);
  signer = createCheckpointSigner(keys.privatePem);
  clock = manualClock();
  bot = await startOfflineBot({ dataDir: dir, checkpoints: { signer, file: checkpointFile, clock } });
  await seedIssueRows(bot);
  clock.advance(60_000);
  await bot.bot.deps.anchoring.checkpointer?.settled();
});
afterEach(async () => {
  await bot?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Asks for an export as the manager, saves the CSV the DM received, returns its path. */
async function exportToFile(filters = ''): Promise<string> {
  const before = bot.slack.messages.filter((m) => m.files).length;
  await bot.driver.command(MANAGER, 'C0SUPPORT', '/card-audit', `export ${filters}`.trim());
  const file = bot.slack.messages.filter((m) => m.files).at(before)?.files?.[0];
  if (!file) throw new Error('no export delivered');
  const target = path.join(dir, `export-${before}.csv`);
  fs.writeFileSync(target, file.content);
  return target;
}

async function verifyFile(csv: string, extra = ['--checkpoints', checkpointFile, '--public-key', publicKeyFile]) {
  const lines: string[] = [];
  const code = await runAuditVerify([csv, ...extra], (line) => lines.push(line));
  return { code, text: lines.join('\n') };
}

describe('npm run audit:verify on an export', () => {
  it('when the log is intact, then the export verifies against the checkpoint with the public key alone, and names what it proves', async () => {
    // One row after the checkpoint: in the export, but not yet anchored.
    await bot.driver.command(MANAGER, 'C0SUPPORT', '/card-audit', 'op:block');
    const csv = await exportToFile();
    const read = readAuditExport(fs.readFileSync(csv, 'utf8'));
    expect(read.ok && read.rows[0]?.prevHash).toBe('0'.repeat(64));
    // Beside the ids, the names Slack gives.
    expect(fs.readFileSync(csv, 'utf8')).toMatch(/,U0AGENT01,[^\r\n]*,alice,whole log\r\n/);
    const { code, text } = await verifyFile(csv);
    expect(code).toBe(0);
    expect(text).toContain('the hash chain of all');
    expect(text).toMatch(/RESULT: rows 1–8 match checkpoint 1 signed at 2026-11-22T10:01:00.000Z by key SHA256:/);
    expect(text).toContain('Rows #9–#9 are not yet anchored');
  });

  it('when no public key or no checkpoints are given, then it says the rows are unanchored, never proven', async () => {
    const csv = await exportToFile();
    const noKey = await verifyFile(csv, ['--checkpoints', checkpointFile]);
    expect(noKey.text).toContain('UNANCHORED: no --public-key given');
    expect(noKey.text).not.toContain('RESULT: rows');
    const noCheckpoints = await verifyFile(csv, ['--public-key', publicKeyFile]);
    expect(noCheckpoints.text).toContain('UNANCHORED: no --checkpoints file given');
  });

  it("when the insider's rewrite (triggers dropped, a denied row deleted, an actor changed, renumbered, every hash and sqlite_sequence recomputed, triggers restored) is exported, then audit:verify reports the checkpoint it contradicts", async () => {
    rewriteWithTriggersDropped(bot.databasePath, (rows) =>
      rows
        .filter((r) => r[7] !== 'denied')
        .map((r) => (r[5] === 'unblock' ? ([r[0], r[1], CAROL, ...r.slice(3)] as typeof r) : r)),
    );
    const { code, text } = await verifyFile(await exportToFile());
    expect(code).toBe(1);
    expect(text).toContain('the hash chain of all');
    expect(text).toContain('contradicts the database');
    expect(text).toContain('RESULT: the export contradicts a signed checkpoint');
  });

  it('when every row was rewritten with INSERT OR REPLACE and recomputed hashes (triggers dropped), then audit:verify reports it', async () => {
    replaceEveryRow(
      bot.databasePath,
      (rows) => rows.map((r) => (r[5] === 'cvv' ? ([r[0], r[1], ALICE, ...r.slice(3)] as typeof r) : r)),
      { dropTriggers: true },
    );
    const { code, text } = await verifyFile(await exportToFile());
    expect(code).toBe(1);
    expect(text).toContain('row #8 no longer has the signed hash');
  });

  it('when the export file itself is edited and its hashes recomputed, then audit:verify reports the checkpoint it contradicts', async () => {
    const csv = await exportToFile();
    rewriteExport(csv, (row) => (row.op === 'cvv' ? { ...row, actor: ALICE } : row));
    const { code, text } = await verifyFile(csv);
    expect(code).toBe(1);
    expect(text).toContain('RESULT: the export contradicts a signed checkpoint');
  });

  it('when the export is filtered, then it says it cannot be checked alone', async () => {
    const csv = await exportToFile('op:block');
    const { code, text } = await verifyFile(csv);
    expect(code).toBe(3);
    expect(text).toContain('this export is filtered: op:block');
    expect(text).toContain('A filtered export cannot be checked alone');
  });

  it('when run as the npm script, then it prints the same result and exits 0', async () => {
    const csv = await exportToFile();
    const { stdout } = await run(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
        'src/cli/audit-verify.ts',
        csv,
        '--checkpoints',
        checkpointFile,
        '--public-key',
        publicKeyFile,
      ],
      { cwd: ROOT },
    );
    expect(stdout).toContain('RESULT: rows 1–8 match checkpoint 1');
  });
});
