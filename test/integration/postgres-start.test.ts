import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStores } from '../../src/adapters/stores.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import { type FakeSlack, startFakeSlack } from '../../src/shell/fake-slack.js';
import { DEMO_CHANNELS, DEMO_USERGROUPS } from '../../src/shell/offline-bot.js';
import { createSlackDriver, httpTransport } from '../../src/shell/slack-driver.js';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../helpers/postgres.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'xoxb-pg-start-test-token';
const SECRET = 'pg-start-test-signing-secret';
const PASSWORD = 'never-printed-pw';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor<T>(probe: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Replica {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

describeWithPostgres('npm start on PostgreSQL (DATABASE_URL)', () => {
  let slack: FakeSlack | undefined;
  let sandbox: Sandbox | undefined;
  let database: TestDatabase | undefined;
  const replicas: Replica[] = [];
  afterEach(async () => {
    for (const r of replicas.splice(0)) r.child.kill('SIGKILL');
    await sandbox?.close();
    await slack?.close();
    await database?.drop();
  });

  /** The test database's URL with a password in it: trust auth ignores it; it must never be printed. */
  const urlWithPassword = () => {
    const url = new URL(database?.url ?? '');
    url.password = PASSWORD;
    return url.toString();
  };

  async function startReplica(): Promise<Replica> {
    const port = await freePort();
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack?.apiUrl ?? '',
        PORT: String(port),
        CARD_API_PROVIDER: 'sovera',
        CARD_API_BASE_URL: sandbox?.url ?? '',
        CARD_API_KEY: 'issuer-key-for-pg-test',
        POLICY_FILE: path.join(ROOT, 'policy.example.yml'),
        DATABASE_URL: urlWithPassword(),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const replica = { child, port, output: () => output, exited };
    replicas.push(replica);
    return replica;
  }

  it('when two replicas share one database, then both answer, their rows form one chain that verifies, and the password is never printed', async () => {
    slack = await startFakeSlack({
      botToken: TOKEN,
      channels: DEMO_CHANNELS.map((c) => ({ ...c })),
      usergroups: DEMO_USERGROUPS,
    });
    sandbox = await startSandbox({ apiKey: 'issuer-key-for-pg-test' });
    database = await createTestDatabase();
    const [a, b] = await Promise.all([startReplica(), startReplica()]);
    for (const r of [a!, b!]) {
      await waitFor(
        () => (r.output().includes('listens on POST /slack/events') ? true : undefined),
        `startup (${r.output()})`,
      );
    }
    const drivers = [a!, b!].map((r) =>
      createSlackDriver({
        slack: slack as FakeSlack,
        transport: httpTransport(`http://127.0.0.1:${r.port}/slack/events`, SECRET),
      }),
    );
    // One after the other (the ack comes before the work): each block's rows are then together.
    for (const [i, card] of [
      [0, 'card-active-5'],
      [1, 'card-active-4'],
    ] as const) {
      expect((await drivers[i]!.command('U0AGENT01', 'C0SUPPORT', '/card', `block ${card} lost`)).status).toBe(200);
      const answer = await waitFor(
        () => slack?.messages.find((m) => m.to === 'U0AGENT01' && m.text.includes(card)),
        card,
      );
      expect(answer.text).toContain('blocked');
    }

    for (const r of [a!, b!]) r.child.kill('SIGTERM');
    expect(await Promise.all([a!.exited, b!.exited])).toEqual([0, 0]);
    for (const r of [a!, b!]) {
      expect(r.output()).toContain('"msg":"stopped"');
      expect(r.output()).not.toContain(PASSWORD);
    }

    const stores = await openStores({ engine: 'postgres', url: database.url });
    try {
      const rows: { replica?: string | null; outcome: string }[] = [];
      for await (const batch of stores.audit.iterate({})) rows.push(...batch);
      expect(rows.map((r) => r.outcome)).toEqual(['started', 'ok', 'started', 'ok']);
      expect(new Set(rows.map((r) => r.replica)).size).toBe(2);
      expect(await stores.audit.verify()).toEqual({ checked: 4, ok: true });
    } finally {
      await stores.close();
    }
  }, 90_000);

  it('when the database was written by a newer cardops, then the replica refuses to start with exit 4 and one line', async () => {
    slack = await startFakeSlack({
      botToken: TOKEN,
      channels: DEMO_CHANNELS.map((c) => ({ ...c })),
      usergroups: DEMO_USERGROUPS,
    });
    sandbox = await startSandbox({ apiKey: 'issuer-key-for-pg-test' });
    database = await createTestDatabase();
    await (await openStores({ engine: 'postgres', url: database.url })).close();
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: database.url });
    await client.connect();
    await client.query('UPDATE schema_version SET version = 999');
    await client.end();
    const r = await startReplica();
    expect(await r.exited).toBe(4);
    expect(r.output()).toMatch(/DATABASE_URL: .*schema version 999 is newer than this cardops/);
    expect(r.output()).not.toContain(PASSWORD);
  }, 60_000);
});
