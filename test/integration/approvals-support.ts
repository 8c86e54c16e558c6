import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import type { OfflineBot } from '../../src/shell/offline-bot.js';
import { buttonsOf } from '../../src/shell/slack-driver.js';

/** Helpers shared by the approvals-*.test.ts files. */

export const ALICE = 'U0AGENT01';
export const BOB = 'U0AGENT02';
export const CAROL = 'U0SENIOR1';
export const DAVE = 'U0ONCALL1';
export const ERIN = 'U0ONCALL2';
export const MALLORY = 'U0MANAGER';
export const STRANGER = 'U0STRANGE';
export const SUPPORT = 'C0SUPPORT';
export const APPROVALS = 'C0APPROVE';

/** Files a cancel request as `user` and returns the answer, the approval message and the request id. */
export async function fileCancel(
  bot: OfflineBot,
  user: string,
  cardId: string,
  reason = 'cardholder reported it stolen',
) {
  const result = await bot.driver.command(user, SUPPORT, '/card', `cancel ${cardId} ${reason}`);
  const message = approvalMessages(bot).at(-1);
  const request = await bot.approvals.pendingForCard(cardId);
  return { result, message, request, id: request?.id ?? '' };
}

/** The public messages cardops posted in the approvals channel. */
export function approvalMessages(bot: OfflineBot): SlackMessage[] {
  return bot.slack.messages.filter((m) => m.channel === APPROVALS && m.visibility === 'public');
}

/** Ephemeral messages one user saw, anywhere. */
export function ephemeralTo(bot: OfflineBot, user: string): SlackMessage[] {
  return bot.slack.messages.filter((m) => m.visibility === 'ephemeral' && m.to === user);
}

export function cancelCalls(bot: OfflineBot) {
  return (bot.sandbox?.calls ?? []).filter((c) => c.op === 'cancel');
}

/** The audit rows of one request, oldest first. */
export async function auditOf(bot: OfflineBot, approvalId: string) {
  return (await bot.audit.query({ op: 'cancel' }, { limit: 1000 })).rows
    .filter((r) => r.approvalId === approvalId)
    .reverse();
}

export function buttons(message: SlackMessage | undefined) {
  return buttonsOf(message?.blocks);
}

/** Everything that left the app or was stored: a response_url must be in none of it. */
export async function everythingRecorded(bot: OfflineBot): Promise<string> {
  const rows = bot.db.prepare('SELECT * FROM approvals').all();
  const audit = (await bot.audit.query({}, { limit: 1000 })).rows;
  return JSON.stringify([
    bot.slack.calls,
    bot.slack.acks,
    bot.slack.views,
    [...bot.slack.homeTabs.values()],
    rows,
    audit,
  ]);
}

/** A policy file in a temp dir: the example policy, with carol also an approver. */
export function policyWithSeniorApprover(): { file: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-policy-'));
  const example = fs.readFileSync(path.resolve(import.meta.dirname, '../../policy.example.yml'), 'utf8');
  const text = example.replace('users: [U0ONCALL1, U0ONCALL2]', 'users: [U0ONCALL1, U0ONCALL2, U0SENIOR1]');
  if (text === example) throw new Error('policy.example.yml changed: update policyWithSeniorApprover');
  const file = path.join(dir, 'policy.yml');
  fs.writeFileSync(file, text);
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A clock tests move by hand. */
export function manualClock(start = Date.parse('2026-03-02T09:00:00.000Z')) {
  let t = start;
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}
