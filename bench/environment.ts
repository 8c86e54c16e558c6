import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type FakeSlack, type ResponseUrlPost, startFakeSlack } from '../src/shell/fake-slack.js';
import { DEMO_CHANNELS, DEMO_USERGROUPS, DEMO_USERS } from '../src/shell/offline-bot.js';
import {
  CHILD_BOT_TOKEN,
  type ChildBot,
  type ChildBotOptions,
  commandBody,
  spawnChildBot,
  waitUntilAnswering,
} from '../test/helpers/child-bot.js';
import { createTestDatabase } from '../test/helpers/postgres.js';
import { countFailure } from './load.js';

/** The fake Slack every benchmark bot talks to, with a way to wait for the answer posted to a response_url. */
export interface BenchSlack {
  slack: FakeSlack;
  /** A fresh signed-command body by `user` in `channel`, with its own response_url. */
  command(user: string, channel: string, text: string, command?: string): Record<string, string>;
  /**
   * Resolves when the app has posted to that response_url, or with undefined (counted in
   * `loadFailures`) when nothing came within `timeoutMs` (default 60 s).
   */
  reply(responseUrl: string, timeoutMs?: number): Promise<ResponseUrlPost | undefined>;
  close(): Promise<void>;
}

export async function startBenchSlack(): Promise<BenchSlack> {
  const slack = await startFakeSlack({
    botToken: CHILD_BOT_TOKEN,
    channels: DEMO_CHANNELS.map((c) => ({ ...c })),
    users: DEMO_USERS.map((u) => ({ id: u.id, name: u.name })),
    usergroups: DEMO_USERGROUPS,
  });
  const waiting = new Map<string, (post: ResponseUrlPost) => void>();
  const arrived = new Map<string, ResponseUrlPost>();
  // The fake keeps its posts in an array; its push is the one hook that sees each as it lands.
  const posts = slack.responsePosts;
  const push = posts.push.bind(posts);
  posts.push = (...items: ResponseUrlPost[]) => {
    const length = push(...items);
    for (const post of items) {
      const resolve = waiting.get(post.url);
      if (resolve) {
        waiting.delete(post.url);
        resolve(post);
      } else if (!arrived.has(post.url)) {
        arrived.set(post.url, post);
      }
    }
    // The bench sends tens of thousands of commands: keep only what is waited for.
    if (posts.length > 1000) posts.splice(0, posts.length - 100);
    if (slack.messages.length > 1000) slack.messages.splice(0, slack.messages.length - 100);
    return length;
  };
  return {
    slack,
    command(user, channel, text, command = '/card') {
      return commandBody({
        teamId: slack.teamId,
        user,
        channel,
        command,
        text,
        responseUrl: slack.newResponseUrl(user, channel),
        triggerId: slack.newTriggerId(user, channel),
      });
    },
    reply(responseUrl, timeoutMs = 60_000) {
      const done = arrived.get(responseUrl);
      if (done) {
        arrived.delete(responseUrl);
        return Promise.resolve(done);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(responseUrl);
          countFailure(`no answer at the response_url within ${timeoutMs / 1000} s`);
          resolve(undefined);
        }, timeoutMs);
        waiting.set(responseUrl, (post) => {
          clearTimeout(timer);
          resolve(post);
        });
      });
    },
    close: () => slack.close(),
  };
}

/** Where the bots of this run keep their data: SQLite files (the default) or PostgreSQL databases. */
let postgresServer: string | undefined;

/** From now on every bot gets a fresh PostgreSQL database on this server (`--store postgres`). */
export function usePostgres(serverUrl: string): void {
  postgresServer = serverUrl;
}

export interface BenchDatabase {
  /** Environment for the bot: `DATABASE_URL`, or nothing (SQLite at its `databasePath`). */
  env: Record<string, string>;
  /** The database's URL when on PostgreSQL. */
  url: string | undefined;
  dispose(): Promise<void>;
}

/** A fresh database for one bot (or several replicas): a new PostgreSQL database, or nothing to do on SQLite. */
export async function benchDatabase(): Promise<BenchDatabase> {
  if (!postgresServer) return { env: {}, url: undefined, dispose: async () => {} };
  const db = await createTestDatabase(postgresServer);
  return { env: { DATABASE_URL: db.url }, url: db.url, dispose: () => db.drop() };
}

/** A temporary folder removed by `dispose`. */
export function tempDir(prefix: string): { dir: string; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a bot process and waits until it answers a signed `/card help`; returns it with the start time in ms. */
export async function startBot(
  bench: BenchSlack,
  options: Omit<ChildBotOptions, 'slackApiUrl'>,
): Promise<{ bot: ChildBot; startMs: number }> {
  const since = performance.now();
  const bot = await spawnChildBot({ ...options, slackApiUrl: bench.slack.apiUrl });
  const startMs = await waitUntilAnswering(bot, () => bench.command('U0AGENT01', 'C0SUPPORT', 'help'), { since });
  return { bot, startMs };
}
