import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../src/shell/fake-slack.js';
import { DEMO_CHANNELS, DEMO_USERGROUPS } from '../../src/shell/offline-bot.js';
import { createSlackDriver, httpTransport } from '../../src/shell/slack-driver.js';
import { freePort, ROOT } from '../helpers/child-bot.js';
import { startFakeSocketMode } from '../helpers/fake-socket-mode.js';

/**
 * The bot as an operator runs it: `npm start` (and node directly), signals, the health port in
 * Socket Mode, and the exits a refused or unreachable Slack causes.
 */

const TOKEN = 'xoxb-service-test-token';
const SECRET = 'service-test-signing-secret';
const APP_TOKEN = 'xapp-1-A0CARDOPS-service-test';

let slack: FakeSlack | undefined;
let child: ChildProcess | undefined;
let dir: string | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  for (const close of closers.splice(0)) await close();
  await slack?.close();
  slack = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Started {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: Record<string, string>): Started {
  let stdout = '';
  let stderr = '';
  const started = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = started;
  started.stdout?.on('data', (chunk) => {
    stdout += String(chunk);
  });
  started.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
  return { child: started, out: () => stdout, err: () => stderr, exited };
}

async function setUp() {
  slack = await startFakeSlack({
    botToken: TOKEN,
    channels: DEMO_CHANNELS.map((c) => ({ ...c })),
    usergroups: DEMO_USERGROUPS,
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-service-'));
  const policyFile = path.join(dir, 'policy.yml');
  const policy = fs.readFileSync(path.join(ROOT, 'policy.example.yml'), 'utf8');
  fs.writeFileSync(policyFile, policy);
  return { slack, policyFile, policy, databasePath: path.join(dir, 'cardops.db') };
}

/** The pid the bot logs it can be reloaded by. */
const loggedPid = (out: string) => {
  const line = out.split('\n').find((l) => l.includes('send SIGHUP to pid'));
  return line ? (JSON.parse(line) as { pid: number }).pid : undefined;
};

/** Parent pid and command line of a process, from /proc. */
function processInfo(pid: number): { ppid: number; argv: string[] } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  return { ppid, argv };
}

describe('npm start, as an operator runs it', { timeout: 60_000 }, () => {
  beforeAll(() => {
    // npm start runs dist/: build it from these sources (esbuild, under a second).
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
  });

  it('when SIGHUP and then SIGTERM are sent, then node (npm’s direct child, no shell between) reloads the policy and stops gracefully, and npm exits 0', async () => {
    const { slack: fake, policyFile, policy, databasePath } = await setUp();
    const port = await freePort();
    const bot = run('npm', ['start', '--silent'], {
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: String(port),
      POLICY_FILE: policyFile,
      DATABASE_PATH: databasePath,
    });
    const nodePid = await waitFor(() => loggedPid(bot.out()), `start-up (${bot.err()})`);
    // `exec` in the start script: the bot is node itself, a direct child of npm.
    const info = processInfo(nodePid);
    expect(info.ppid).toBe(bot.child.pid);
    expect(info.argv).toEqual([expect.stringMatching(/node$/), 'dist/main.js']);

    const driver = createSlackDriver({
      slack: fake,
      transport: httpTransport(`http://127.0.0.1:${port}/slack/events`, SECRET),
    });
    const answerTo = async (text: string) => {
      const before = fake.messages.length;
      await driver.command('U0AGENT01', 'C0SUPPORT', '/card', text);
      return waitFor(() => fake.messages.slice(before).find((m) => m.to === 'U0AGENT01')?.text, `answer to ${text}`);
    };
    expect(await answerTo('limit card-active-3')).not.toMatch(/You need/);

    // Health and metrics beside /slack/events.
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('cardops_operations_total{op="limit",outcome="ok"} 1');
    // The idle collector is running (a handful of commands is far below the growth it waits for).
    expect(metrics).toContain('cardops_idle_collections_total 0');

    fs.writeFileSync(policyFile, policy.replace('limit: [agent, senior]', 'limit: [senior]'));
    process.kill(nodePid, 'SIGHUP');
    await waitFor(() => (bot.out().includes('policy reloaded') ? true : undefined), 'the reload');
    expect(await answerTo('limit card-active-3')).toMatch(/You need the role `senior`/);

    // SIGTERM to npm's pid: npm forwards it to node, which stops gracefully; npm then exits 0.
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.out()).toContain('"msg":"stopped"');
    expect(() => process.kill(nodePid, 0)).toThrow();
  });

  it('when SIGHUP arrives during start-up, then the bot does not die, starts, and applies the reload once it serves', async () => {
    const { slack: fake, policyFile, databasePath } = await setUp();
    const bot = run(process.execPath, ['dist/main.js'], {
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: String(await freePort()),
      POLICY_FILE: policyFile,
      DATABASE_PATH: databasePath,
    });
    // The embedded sandbox's warning comes before the audit recovery and the listen.
    await waitFor(() => (bot.out().includes('embedded sandbox issuer answers') ? true : undefined), 'start-up');
    bot.child.kill('SIGHUP');
    await waitFor(() => (bot.out().includes('policy reloaded') ? true : undefined), `the held reload (${bot.err()})`);
    expect(bot.out()).toContain('listens on POST /slack/events');
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  });
});

describe('npm start in Socket Mode', { timeout: 60_000 }, () => {
  const socketEnv = (fake: FakeSlack, databasePath: string, policyFile: string, appToken = APP_TOKEN) => ({
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_APP_TOKEN: appToken,
    SLACK_API_URL: fake.apiUrl,
    POLICY_FILE: policyFile,
    DATABASE_PATH: databasePath,
  });

  it('when it connects, then /healthz, /readyz and /metrics answer on HEALTH_PORT, commands flow, and SIGTERM stops it', async () => {
    const { slack: fake, policyFile, databasePath } = await setUp();
    const socket = await startFakeSocketMode(APP_TOKEN);
    const attached = await socket.attach(fake);
    closers.push(attached.close);
    const healthPort = await freePort();
    const bot = run(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      ...socketEnv(fake, databasePath, policyFile),
      HEALTH_PORT: String(healthPort),
    });
    await waitFor(() => (bot.out().includes('connected to Slack in Socket Mode') ? true : undefined), bot.err());
    const base = `http://127.0.0.1:${healthPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).text()).toBe('ready\n');

    const driver = createSlackDriver({ slack: fake, transport: attached.transport });
    await driver.command('U0AGENT01', 'C0SUPPORT', '/card', 'block card-active-5 lost');
    await waitFor(() => fake.messages.find((m) => m.to === 'U0AGENT01' && m.text.includes('blocked')), 'the answer');
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(
      'cardops_operations_total{op="block",outcome="ok"} 1',
    );
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.out()).not.toContain(APP_TOKEN);
  });

  it.each([
    ['a token Slack does not know', 'invalid_auth'],
    ['a token of the wrong type', 'not_allowed_token_type'],
  ])('when the app token is %s, then it stops with exit 3 and one line', async (_what, code) => {
    const { slack: fake, policyFile, databasePath } = await setUp();
    fake.appLevel = { token: APP_TOKEN, methods: { 'apps.connections.open': () => ({ ok: true, url: 'ws://x' }) } };
    if (code === 'not_allowed_token_type') fake.fail('apps.connections.open', { error: code });
    const given = code === 'invalid_auth' ? 'xapp-1-A0CARDOPS-not-the-one' : APP_TOKEN;
    const bot = run(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts'],
      socketEnv(fake, databasePath, policyFile, given),
    );
    expect(await bot.exited).toBe(3);
    expect(bot.err().trim().split('\n')).toEqual([
      `cardops: SLACK_APP_TOKEN: Slack refused the app-level token (${code}). Copy it again from Basic Information → App-Level Tokens (xapp-…, scope connections:write).`,
    ]);
    expect(bot.err() + bot.out()).not.toContain(given);
  });

  it('when the Socket Mode WebSocket cannot be reached, then it stops with exit 3 and one line instead of retrying for ever', async () => {
    const { slack: fake, policyFile, databasePath } = await setUp();
    const closed = await freePort();
    fake.appLevel = {
      token: APP_TOKEN,
      methods: { 'apps.connections.open': () => ({ ok: true, url: `ws://127.0.0.1:${closed}/link` }) },
    };
    const bot = run(process.execPath, ['--import', 'tsx', 'src/main.ts'], socketEnv(fake, databasePath, policyFile));
    expect(await bot.exited).toBe(3);
    expect(bot.err().trim().split('\n')).toEqual([
      expect.stringMatching(/^cardops: Slack Socket Mode: the WebSocket connection could not be opened\. Check/),
    ]);
  });
});
