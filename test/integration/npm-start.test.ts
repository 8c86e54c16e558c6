import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditStore } from '../../src/adapters/sqlite/audit-store.js';
import { closeDatabase, openDatabase } from '../../src/adapters/sqlite/database.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import { type FakeSlack, startFakeSlack } from '../../src/shell/fake-slack.js';
import { DEMO_CHANNELS, DEMO_USERGROUPS } from '../../src/shell/offline-bot.js';
import { createSlackDriver, httpTransport } from '../../src/shell/slack-driver.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'xoxb-start-test-token';
const SECRET = 'start-test-signing-secret';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(['sovera', 'paycaddy'] as const)(
  'npm start in HTTP mode against a fake Slack and the %s dialect',
  (provider) => {
    let slack: FakeSlack | undefined;
    let sandbox: Sandbox | undefined;
    let child: ChildProcess | undefined;
    let dir: string | undefined;
    afterEach(async () => {
      child?.kill('SIGKILL');
      await sandbox?.close();
      await slack?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('when signed /card requests arrive, then it answers as the spec says, writes the audit rows and stops cleanly on SIGTERM', async () => {
      slack = await startFakeSlack({
        botToken: TOKEN,
        channels: DEMO_CHANNELS.map((c) => ({ ...c })),
        usergroups: DEMO_USERGROUPS,
      });
      sandbox = await startSandbox({ apiKey: 'issuer-key-for-start-test' });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-start-'));
      const port = await freePort();
      const databasePath = path.join(dir, 'nested', 'cardops.db');
      let stderr = '';
      let stdout = '';
      child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          SLACK_BOT_TOKEN: TOKEN,
          SLACK_SIGNING_SECRET: SECRET,
          SLACK_API_URL: slack.apiUrl,
          PORT: String(port),
          CARD_API_PROVIDER: provider,
          CARD_API_BASE_URL: sandbox.url,
          CARD_API_KEY: 'issuer-key-for-start-test',
          POLICY_FILE: path.join(ROOT, 'policy.example.yml'),
          DATABASE_PATH: databasePath,
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk) => {
        stdout += String(chunk);
      });
      child.stderr?.on('data', (chunk) => {
        stderr += String(chunk);
      });
      const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
      await waitFor(() => (stdout.includes('listens on POST /slack/events') ? true : undefined), `startup (${stderr})`);

      const driver = createSlackDriver({
        slack,
        transport: httpTransport(`http://127.0.0.1:${port}/slack/events`, SECRET),
      });
      const blocked = await driver.command('U0AGENT01', 'C0SUPPORT', '/card', 'block card-active-5 lost card');
      expect(blocked.status).toBe(200);
      const answer = await waitFor(
        () => slack?.messages.find((m) => m.to === 'U0AGENT01' && m.text.includes('card-active-5')),
        'the answer to block',
      );
      expect(answer.visibility).toBe('ephemeral');
      expect(answer.text).toContain('blocked');
      expect(answer.text).not.toContain('sandbox');

      const denied = await driver.command('U0STRANGE', 'C0SUPPORT', '/card', 'unblock card-active-5');
      expect(denied.status).toBe(200);
      await waitFor(() => slack?.messages.find((m) => m.to === 'U0STRANGE'), 'the refusal');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The whole shutdown ran (audit writer closed, database closed), not just an emptied event loop.
      expect(stdout).toContain('"msg":"stopped"');
      expect(stdout).not.toContain(TOKEN);
      expect(stdout).not.toContain('issuer-key-for-start-test');

      const db = openDatabase(databasePath);
      const audit = createAuditStore(db);
      const rows = (await audit.query({}, { limit: 10 })).rows.reverse();
      expect(rows.map((r) => [r.actor, r.op, r.outcome])).toEqual([
        ['U0AGENT01', 'block', 'started'],
        ['U0AGENT01', 'block', 'ok'],
        ['U0STRANGE', 'unblock', 'denied'],
      ]);
      expect(await audit.verify()).toMatchObject({ ok: true, checked: 3 });
      await audit.close();
      closeDatabase(db);
      expect(sandbox.calls.map((c) => [c.dialect, c.op])).toEqual([[provider, 'block']]);
    });
  },
);

describe('npm start with a token Slack refuses', () => {
  it('when auth.test answers invalid_auth, then it stops with one line and exit code 3', async () => {
    const slack = await startFakeSlack({ botToken: 'xoxb-the-right-one' });
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          SLACK_BOT_TOKEN: 'xoxb-a-wrong-token',
          SLACK_SIGNING_SECRET: SECRET,
          SLACK_API_URL: slack.apiUrl,
          POLICY_FILE: path.join(ROOT, 'policy.example.yml'),
          DATABASE_PATH: ':memory:',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk) => {
        stderr += String(chunk);
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(3);
      expect(stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^cardops: SLACK_BOT_TOKEN: Slack refused the token \(invalid_auth\)/),
      ]);
      expect(stderr).not.toContain('xoxb-a-wrong-token');
    } finally {
      await slack.close();
    }
  });
});

describe('npm start and SIGHUP', () => {
  it('when the policy file changes and SIGHUP arrives, then the new policy applies; a broken one keeps the last good', async () => {
    const slack = await startFakeSlack({
      botToken: TOKEN,
      channels: DEMO_CHANNELS.map((c) => ({ ...c })),
      usergroups: DEMO_USERGROUPS,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-hup-'));
    const policyFile = path.join(dir, 'policy.yml');
    const original = fs.readFileSync(path.join(ROOT, 'policy.example.yml'), 'utf8');
    fs.writeFileSync(policyFile, original);
    const port = await freePort();
    let stdout = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        POLICY_FILE: policyFile,
        DATABASE_PATH: path.join(dir, 'cardops.db'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
    });
    try {
      await waitFor(() => (stdout.includes('listens on POST /slack/events') ? true : undefined), 'startup');
      const driver = createSlackDriver({
        slack,
        transport: httpTransport(`http://127.0.0.1:${port}/slack/events`, SECRET),
      });
      const answerTo = async (text: string) => {
        const before = slack.messages.length;
        await driver.command('U0AGENT01', 'C0SUPPORT', '/card', text);
        return waitFor(() => slack.messages.slice(before).find((m) => m.to === 'U0AGENT01')?.text, `answer to ${text}`);
      };
      expect(await answerTo('limit card-active-3')).not.toMatch(/not allowed|need/);

      fs.writeFileSync(policyFile, original.replace('limit: [agent, senior]', 'limit: [senior]'));
      child.kill('SIGHUP');
      await waitFor(() => (stdout.includes('policy reloaded') ? true : undefined), 'reload');
      expect(await answerTo('limit card-active-3')).toMatch(/You need the role `senior`/);

      fs.writeFileSync(policyFile, 'roles: [this is not a policy');
      child.kill('SIGHUP');
      await waitFor(() => (stdout.includes('policy not reloaded') ? true : undefined), 'refused reload');
      expect(await answerTo('limit card-active-3')).toMatch(/You need the role `senior`/);
    } finally {
      child.kill('SIGKILL');
      await slack.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
