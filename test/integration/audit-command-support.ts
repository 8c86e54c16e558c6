import BetterSqlite3 from 'better-sqlite3';
import { AUDIT_COLUMNS, type RawAuditRow } from '../../src/adapters/sqlite/audit-append.js';
import { toAuditRow } from '../../src/adapters/sqlite/audit-store.js';
import type { AuditRow } from '../../src/domain/audit/audit-types.js';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import type { OfflineBot } from '../../src/shell/offline-bot.js';
import type { Delivery } from '../../src/shell/slack-driver.js';

/** Helpers shared by the /card-audit integration tests. */

export const MANAGER = 'U0MANAGER';
export const ALICE = 'U0AGENT01';
export const BOB = 'U0AGENT02';
export const CAROL = 'U0SENIOR1';
export const DAVE = 'U0ONCALL1';
export const STRANGER = 'U0STRANGE';
/** The DM the fake Slack opens between the bot and the manager. */
export const MANAGER_DM = 'D0MANAGER';

/** A clock the test moves: the bot and its audit store read it. */
export function testClock(start: string) {
  let current = new Date(start);
  return {
    now: () => current,
    set(iso: string) {
      current = new Date(iso);
    },
    advance(ms: number) {
      current = new Date(current.getTime() + ms);
    },
  };
}

/** The audit event ids a query answer shows, in the order shown. */
export function eventIdsOf(message: SlackMessage | undefined): number[] {
  return (message?.blocks ?? []).flatMap((block) => {
    const id = (block as { block_id?: string }).block_id;
    const match = id ? /^audit_event_(\d+)$/.exec(id) : null;
    return match ? [Number(match[1])] : [];
  });
}

/** All the text of a message: its fallback and every mrkdwn/plain text in its blocks. */
export function textOf(message: SlackMessage | undefined): string {
  if (!message) return '';
  return `${message.text}\n${JSON.stringify(message.blocks ?? [])}`;
}

/** Every stored row, newest first, read with plain SQL (an oracle independent of the store's queries). */
export function allRows(bot: OfflineBot): AuditRow[] {
  const raw = bot.db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY id DESC`).raw().all() as RawAuditRow[];
  return raw.map(toAuditRow);
}

/** The rows with op `audit` (looks, refusals), newest first. */
export function auditLooks(bot: OfflineBot): AuditRow[] {
  return allRows(bot).filter((row) => row.op === 'audit');
}

/** Changes the file behind the bot's back, as an attacker with the sqlite3 CLI would: triggers dropped. */
export function tamper(bot: OfflineBot, sql: string, ...params: unknown[]): void {
  const raw = new BetterSqlite3(bot.databasePath);
  try {
    raw.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
    raw.prepare(sql).run(...params);
  } finally {
    raw.close();
  }
}

/** Swaps the whole contents (hashes included) of two rows, keeping their ids. */
export function swapRows(bot: OfflineBot, a: number, b: number): void {
  const cols = AUDIT_COLUMNS.split(', ').filter((c) => c !== 'id');
  const read = (id: number) =>
    bot.db
      .prepare(`SELECT ${cols.join(', ')} FROM audit WHERE id = ?`)
      .raw()
      .get(id) as unknown[];
  const rowA = read(a);
  const rowB = read(b);
  const set = cols.map((c) => `${c} = ?`).join(', ');
  tamper(bot, `UPDATE audit SET ${set} WHERE id = ?`, ...rowB, a);
  tamper(bot, `UPDATE audit SET ${set} WHERE id = ?`, ...rowA, b);
}

/** Polls until the condition holds: for work the app does in the background. */
export async function waitFor(condition: () => boolean, what: string, tries = 2000): Promise<void> {
  for (let i = 0; i < tries; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A slash command body as Slack sends it, for delivering without waiting for the app to go idle. */
export function commandDelivery(
  bot: OfflineBot,
  user: string,
  channel: string,
  command: string,
  text: string,
): Delivery {
  const slack = bot.slack;
  return {
    kind: 'command',
    body: {
      token: 'legacy-verification-token',
      team_id: slack.teamId,
      team_domain: 'cardops-test',
      channel_id: channel,
      channel_name: slack.channels.get(channel)?.name ?? channel.toLowerCase(),
      user_id: user,
      user_name: slack.users.get(user)?.name ?? user,
      command,
      text,
      api_app_id: 'A0CARDOPS',
      is_enterprise_install: 'false',
      response_url: slack.newResponseUrl(user, channel),
      trigger_id: slack.newTriggerId(user, channel),
    },
  };
}

/** The messages a user was shown ephemerally, oldest first. */
export function shownTo(bot: OfflineBot, user: string): SlackMessage[] {
  return bot.slack.messages.filter((m) => m.visibility === 'ephemeral' && m.to === user);
}

/** The issue-13 rows: a block, a denied request, an unblock, and a CVV revealed to a senior. */
export async function seedIssueRows(bot: OfflineBot): Promise<void> {
  await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-1 lost');
  await bot.driver.command(STRANGER, 'C0SUPPORT', '/card', 'block card-active-1');
  await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'unblock card-active-1 found');
  const offer = (await bot.driver.command(CAROL, 'C0SECURE', '/card', 'cvv card-active-2')).messages[0];
  if (!offer) throw new Error('no reveal offer');
  await bot.driver.click(CAROL, offer, 'reveal_secret');
}
