import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../src/shell/fake-slack.js';
import { DEMO_CHANNELS, DEMO_USERGROUPS, DEMO_USERS } from '../../src/shell/offline-bot.js';
import {
  CHILD_BOT_TOKEN,
  type ChildBot,
  commandBody,
  postSignedCommand,
  spawnChildBot,
  waitUntilAnswering,
} from '../helpers/child-bot.js';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../helpers/postgres.js';
import { type StubIssuer, startStubIssuer } from '../helpers/stub-issuer.js';
import { ensureBuilt, waitFor } from '../replicas/replica-rig.js';

/**
 * GET /readyz's database part (SPEC §8) on the real process (`node dist/main.js`), on both
 * engines: 503 naming the database while it cannot take a write (and promptly when it hangs),
 * 200 again once it can, with no restart.
 */

let slack: FakeSlack | undefined;
let issuer: StubIssuer | undefined;
let bot: ChildBot | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await bot?.kill('SIGKILL');
  bot = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await issuer?.close();
  await slack?.close();
});

async function startBot(env: Record<string, string>, databasePath: string): Promise<ChildBot> {
  ensureBuilt();
  slack = await startFakeSlack({
    botToken: CHILD_BOT_TOKEN,
    channels: DEMO_CHANNELS.map((c) => ({ ...c })),
    users: DEMO_USERS.map((u) => ({ id: u.id, name: u.name })),
    usergroups: DEMO_USERGROUPS,
  });
  issuer = await startStubIssuer();
  const started = await spawnChildBot({
    runner: 'node',
    entry: 'dist/main.js',
    databasePath,
    slackApiUrl: slack.apiUrl,
    issuerBaseUrl: issuer.url,
    env,
  });
  bot = started;
  const fake = slack;
  await waitUntilAnswering(
    started,
    () =>
      commandBody({
        teamId: fake.teamId,
        user: 'U0AGENT01',
        channel: 'C0SUPPORT',
        command: '/card',
        text: 'help',
        responseUrl: fake.newResponseUrl('U0AGENT01', 'C0SUPPORT'),
        triggerId: fake.newTriggerId('U0AGENT01', 'C0SUPPORT'),
      }),
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  return started;
}

/** /readyz as a load balancer reads it; the request itself gives up after 30 s (a hung probe fails the test). */
async function readyz(target: ChildBot): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${target.port}/readyz`, { signal: AbortSignal.timeout(30_000) });
  return { status: response.status, text: await response.text() };
}

const untilReadyz = (target: ChildBot, want: (r: { status: number; text: string }) => boolean, what: string) =>
  waitFor(async () => {
    const answer = await readyz(target);
    return want(answer) && answer;
  }, what);

describe('/readyz on SQLite', () => {
  it('when the database folder stops taking writes, then /readyz is 503 naming the database, and 200 again once it does', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-readyz-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const target = await startBot({}, path.join(dir, 'cardops.db'));
    expect(await readyz(target)).toEqual({ status: 200, text: 'ready\n' });

    // Not writable even for root: immutable (chattr) when running as root, else no write permission.
    const asRoot = process.getuid?.() === 0;
    const lock = () => (asRoot ? execFileSync('chattr', ['+i', dir], { stdio: 'ignore' }) : fs.chmodSync(dir, 0o555));
    const unlock = () => (asRoot ? execFileSync('chattr', ['-i', dir], { stdio: 'ignore' }) : fs.chmodSync(dir, 0o755));
    lock();
    cleanups.push(() => {
      try {
        unlock();
      } catch {
        // Already unlocked by the test.
      }
    });
    const refused = await readyz(target);
    expect(refused.status).toBe(503);
    expect(refused.text).toMatch(/^database: not writable \(/m);
    expect(refused.text).not.toMatch(/^(policy|slack|issuer):/m);

    unlock();
    expect(await readyz(target)).toEqual({ status: 200, text: 'ready\n' });
  }, 120_000);
});

describeWithPostgres('/readyz on PostgreSQL', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('when PostgreSQL hangs on the write, turns read-only, or drops the connections, then /readyz is 503 naming the database (without hanging), and 200 again once it takes writes', async () => {
    db = await createTestDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-readyz-pg-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const target = await startBot({ DATABASE_URL: db.url }, path.join(dir, 'unused.db'));
    expect(await readyz(target)).toEqual({ status: 200, text: 'ready\n' });

    const admin = new pg.Client({ connectionString: db.url });
    // The database is dropped WITH (FORCE) after the test, which ends this session too.
    admin.on('error', () => {});
    await admin.connect();
    cleanups.push(() => admin.end().catch(() => {}));
    const { name } = db;
    const dropConnections = () =>
      admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );

    // 1. A write that waits for ever (the table it writes is locked): 503 after the probe's
    // deadline, not a probe that hangs with the database.
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE replicas IN ACCESS EXCLUSIVE MODE');
    const hung = await readyz(target);
    expect(hung.status).toBe(503);
    expect(hung.text).toMatch(/^database: not writable \(/m);
    await admin.query('ROLLBACK');
    await untilReadyz(target, (r) => r.status === 200, '/readyz to be 200 once the lock is gone');

    // 2. The database turns read-only for new sessions, and the bot's sessions are cut.
    await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    await dropConnections();
    const readOnly = await untilReadyz(
      target,
      (r) => r.status === 503 && r.text.includes('read-only'),
      '/readyz to say the database is read-only',
    );
    expect(readOnly.text).toMatch(
      /^database: not writable \(PostgreSQL refused a test write: .*read-only.*\(PG_25006\)\)/m,
    );
    await admin.query(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
    await dropConnections();
    await untilReadyz(target, (r) => r.status === 200, '/readyz to be 200 once the database takes writes');

    // And the bot still serves: a command gets its answer through the new connections.
    const fake = slack;
    if (!fake) throw new Error('no fake Slack');
    const posted = await postSignedCommand(
      target.url,
      commandBody({
        teamId: fake.teamId,
        user: 'U0AGENT01',
        channel: 'C0SUPPORT',
        command: '/card',
        text: 'block card-active-1 lost',
        responseUrl: fake.newResponseUrl('U0AGENT01', 'C0SUPPORT'),
        triggerId: fake.newTriggerId('U0AGENT01', 'C0SUPPORT'),
      }),
    );
    expect(posted.status).toBe(200);
    await waitFor(
      () =>
        fake.messages.find((m) => m.to === 'U0AGENT01' && m.text.includes('card-active-1') && /blocked/i.test(m.text)),
      'the block to be answered',
    );
  }, 120_000);
});
