import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_ID_PATTERN, CARD_OPS } from '../../src/domain/ops.js';
import type { OpenView, SlackMessage } from '../../src/shell/fake-slack.js';
import { type OfflineBot, SIGNING_SECRET_FOR_TESTS, startOfflineBot } from '../../src/shell/offline-bot.js';
import { buttonsOf, type Delivery, encodeDelivery, signRequest } from '../../src/shell/slack-driver.js';
import { type CapturedLog, captureLog } from '../helpers/capture-log.js';
import { createRng, hostileText, type Rng } from '../helpers/hostile.js';
import { shownProblems } from '../helpers/shown-text.js';
import { clickBody } from '../helpers/slack-bodies.js';

/**
 * Hostile input through the real App, from a fixed seed (CARDOPS_FUZZ_SEED replays another one,
 * CARDOPS_FUZZ_SCALE multiplies the counts): thousands of `/card` and `/card-audit` texts,
 * interactive payloads with wrong types, missing fields, unknown action ids and tampered values,
 * then a sample of both over real HTTP with signatures, and forged and replayed requests.
 *
 * Whatever arrives: no crash and no listener error, no 5xx, every forged request refused with
 * nothing run, nothing malformed reaching the issuer, every issuer call preceded by its `started`
 * row, every text shown back escaped for mrkdwn and within Block Kit's limits, and the audit chain
 * intact with no card number in it. The counts are printed.
 *
 * Replays, decided: Bolt refuses a signature older than 5 minutes (401), so a captured request
 * replayed later is a forgery like any other. Within the 5 minutes Bolt accepts it; the app then
 * drops any delivery whose `trigger_id` (commands, clicks, submissions) or `event_id` it has already
 * seen (src/slack/middleware/drop-replays.ts), so a replayed command or form does not run twice,
 * and an approval stays exactly-once through its claim even without that.
 *
 * Extending: a new command is a row of COMMANDS; a new payload kind, a row of MUTATIONS; a new
 * forgery, a row of FORGERIES. Buttons and modals are found by running the app, not listed here.
 */

const SEED = Number(process.env.CARDOPS_FUZZ_SEED ?? 20_261_121);
const SCALE = Number(process.env.CARDOPS_FUZZ_SCALE ?? 1);
const BATCH = 24;

const USERS = ['U0AGENT01', 'U0AGENT02', 'U0SENIOR1', 'U0ONCALL1', 'U0ONCALL2', 'U0MANAGER', 'U0STRANGE'];
const CHANNELS = ['C0SUPPORT', 'C0SECURE', 'C0APPROVE', 'C0RANDOM', 'D0AGENT01'];
const CARDS = [
  'card-active-1',
  'card-active-2',
  'card-active-3',
  'card-active-4',
  'card-active-5',
  'card-blocked-1',
  'card-cancelled-1',
  'card-printed-1',
  'card-unprinted-1',
  'card-nobody-1',
  ...Array.from({ length: 12 }, (_, i) => `card-fuzz-${i}`),
];
const WORDS = [...CARD_OPS, 'help', 'whoami', 'HELP', 'Block', 'export', 'verify', 'drop', '?'];
const FILTER_KEYS = ['user', 'card', 'op', 'outcome', 'channel', 'since', 'until', 'User', 'bogus', ''];

interface CommandCase {
  command: '/card' | '/card-audit';
  weight: number;
  user: (rng: Rng) => string;
  text: (rng: Rng) => string;
}

const anyUser = (rng: Rng) => rng.pick(USERS);
const mostlyManager = (rng: Rng) => (rng.chance(0.8) ? 'U0MANAGER' : rng.pick(USERS));

/** Command texts: each row a shape of hostile input; weights say how often. */
const COMMANDS: CommandCase[] = [
  { command: '/card', weight: 3, user: anyUser, text: (rng) => hostileText(rng) },
  { command: '/card', weight: 3, user: anyUser, text: (rng) => `${rng.pick(WORDS)} ${hostileText(rng)}` },
  // Hostile reasons on real cards: these run, so the reason reaches the audit and any message that shows it.
  {
    command: '/card',
    weight: 3,
    user: anyUser,
    text: (rng) => `${rng.pick(['block', 'unblock', 'cancel'])} ${rng.pick(CARDS)} ${hostileText(rng)}`,
  },
  { command: '/card', weight: 2, user: anyUser, text: (rng) => `${rng.pick(CARD_OPS)} ${hostileText(rng)}` },
  {
    command: '/card',
    weight: 1,
    user: anyUser,
    text: (rng) =>
      `${rng.pick(['set-limit', 'limit', 'pan', 'cvv', 'pin', 'expiry', 'activate', 'change-pin'])} ${rng.pick(CARDS)} ${rng.chance(0.5) ? hostileText(rng) : ''}`,
  },
  { command: '/card-audit', weight: 2, user: mostlyManager, text: (rng) => hostileText(rng) },
  {
    command: '/card-audit',
    weight: 3,
    user: mostlyManager,
    text: (rng) =>
      Array.from({ length: 1 + rng.int(3) }, () => `${rng.pick(FILTER_KEYS)}:${hostileText(rng)}`).join(' '),
  },
  {
    command: '/card-audit',
    weight: 1,
    user: mostlyManager,
    text: (rng) =>
      `${rng.pick(['export', 'verify', 'Export'])} ${rng.chance(0.5) ? `${rng.pick(FILTER_KEYS)}:${hostileText(rng)}` : ''}`,
  },
];

function pickWeighted<T extends { weight: number }>(rng: Rng, rows: readonly T[]): T {
  const total = rows.reduce((sum, row) => sum + row.weight, 0);
  let at = rng() * total;
  for (const row of rows) {
    at -= row.weight;
    if (at < 0) return row;
  }
  return rows.at(-1)!;
}

function commandBody(bot: OfflineBot, user: string, channel: string, command: string, text: string) {
  return {
    token: 'legacy-verification-token',
    team_id: bot.slack.teamId,
    team_domain: 'cardops-test',
    channel_id: channel,
    channel_name: channel.toLowerCase(),
    user_id: user,
    user_name: user.toLowerCase(),
    command,
    text,
    api_app_id: 'A0CARDOPS',
    is_enterprise_install: 'false',
    response_url: bot.slack.newResponseUrl(user, channel),
    trigger_id: bot.slack.newTriggerId(user, channel),
  };
}

/** A modal submission as Slack sends it, with hostile text in every input. */
function submissionBody(bot: OfflineBot, user: string, open: OpenView, rng: Rng) {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of (open.view.blocks as Record<string, unknown>[] | undefined) ?? []) {
    const element = block.element as { action_id?: string; type?: string; options?: { value: string }[] } | undefined;
    if (block.type !== 'input' || typeof block.block_id !== 'string' || !element?.action_id) continue;
    const value =
      element.type === 'static_select' || element.type === 'radio_buttons'
        ? {
            type: element.type,
            selected_option: rng.chance(0.7)
              ? {
                  text: { type: 'plain_text', text: 'x' },
                  value: rng.pick(element.options ?? [{ value: 'block' }]).value,
                }
              : { text: { type: 'plain_text', text: 'x' }, value: hostileText(rng) },
          }
        : { type: element.type ?? 'plain_text_input', value: rng.chance(0.5) ? rng.pick(CARDS) : hostileText(rng) };
    values[block.block_id] = { [element.action_id]: value };
  }
  return {
    type: 'view_submission',
    team: { id: bot.slack.teamId, domain: 'cardops-test' },
    user: { id: user, username: user, name: user, team_id: bot.slack.teamId },
    api_app_id: 'A0CARDOPS',
    token: 'legacy-verification-token',
    trigger_id: bot.slack.newTriggerId(user, open.channel),
    view: { ...open.view, id: open.id, team_id: bot.slack.teamId, state: { values }, hash: 'h' } as Record<
      string,
      unknown
    >,
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

type Payload = Record<string, unknown>;
interface Mutation {
  name: string;
  /** Which payloads it applies to. */
  on: 'click' | 'submission' | 'any';
  mutate: (payload: Payload, rng: Rng) => Payload;
}

const firstAction = (payload: Payload) => (payload.actions as Payload[] | undefined)?.[0] ?? {};

/** Sets `target[key]` (a part of `payload`) and returns the payload. */
function withField(payload: Payload, target: Payload, key: string, value: unknown): Payload {
  target[key] = value;
  return payload;
}

/** Deletes `target[key]` and returns the payload. */
function without(payload: Payload, target: Payload, key: string): Payload {
  delete target[key];
  return payload;
}

/** Ways a payload can be wrong; a new payload kind adds its rows. */
const MUTATIONS: Mutation[] = [
  { name: 'as sent by Slack', on: 'any', mutate: (p) => p },
  {
    name: 'tampered button value',
    on: 'click',
    mutate: (p, rng) => {
      firstAction(p).value = rng.pick([
        hostileText(rng),
        `CR-${Array.from({ length: 8 }, () => rng.pick([...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'])).join('')}`,
        'x'.repeat(3000),
        '{"approvalId":"CR-00000000","approve":true}',
        '',
      ]);
      return p;
    },
  },
  {
    name: 'button value of the wrong type',
    on: 'click',
    mutate: (p, rng) => withField(p, firstAction(p), 'value', rng.pick([42, null, {}, [], true])),
  },
  {
    name: 'unknown action id',
    on: 'click',
    mutate: (p, rng) => withField(p, firstAction(p), 'action_id', `fuzz_${rng.int(1e6)}`),
  },
  {
    name: 'actions not a list',
    on: 'click',
    mutate: (p, rng) => withField(p, p, 'actions', rng.pick(['x', {}, 7, null])),
  },
  { name: 'no actions', on: 'click', mutate: (p, rng) => withField(p, p, 'actions', rng.chance(0.5) ? [] : undefined) },
  { name: 'action without an id', on: 'click', mutate: (p) => without(p, firstAction(p), 'action_id') },
  {
    name: 'user of the wrong shape',
    on: 'any',
    mutate: (p, rng) =>
      withField(p, p, 'user', rng.pick(['U0MANAGER', null, {}, { id: 42 }, { id: hostileText(rng) }])),
  },
  { name: 'no user', on: 'any', mutate: (p) => without(p, p, 'user') },
  { name: 'no team', on: 'any', mutate: (p) => without(p, p, 'team') },
  { name: 'no channel', on: 'click', mutate: (p) => without(p, p, 'channel') },
  {
    name: 'channel of the wrong shape',
    on: 'click',
    mutate: (p, rng) => withField(p, p, 'channel', rng.pick(['C0APPROVE', 5, { id: hostileText(rng) }])),
  },
  { name: 'no container', on: 'click', mutate: (p) => without(p, p, 'container') },
  { name: 'no message', on: 'click', mutate: (p) => without(p, p, 'message') },
  { name: 'no response_url', on: 'click', mutate: (p) => without(p, p, 'response_url') },
  { name: 'no trigger_id', on: 'any', mutate: (p) => without(p, p, 'trigger_id') },
  {
    name: 'unknown payload type',
    on: 'any',
    mutate: (p, rng) =>
      withField(
        p,
        p,
        'type',
        rng.pick(['fuzz', 'shortcut', 'message_action', 'block_suggestion', 'interactive_message', 42]),
      ),
  },
  {
    name: 'tampered private_metadata',
    on: 'submission',
    mutate: (p, rng) => {
      const view = p.view as Payload;
      view.private_metadata = rng.pick([
        hostileText(rng),
        'x'.repeat(4000),
        '{"c":"C0SECURE","h":"not-a-handle"}',
        '{"c":"C0SECURE"}',
        '{"c":["C0SECURE"],"h":{}}',
        JSON.stringify({ c: 'C0RANDOM', h: 'AAAAAAAAAAAA' }),
        '',
      ]);
      return p;
    },
  },
  {
    name: 'state values of the wrong types',
    on: 'submission',
    mutate: (p, rng) => {
      const view = p.view as Payload;
      view.state = rng.pick([
        { values: 'x' },
        { values: { op: { op: { type: 'static_select', selected_option: 'block' } } } },
        null,
        {},
        { values: { card_id: { card_id: { value: 7 } } } },
      ]);
      return p;
    },
  },
  {
    name: 'unknown callback_id',
    on: 'submission',
    mutate: (p, rng) => withField(p, p.view as Payload, 'callback_id', `fuzz_${rng.int(1e6)}`),
  },
  { name: 'no view', on: 'submission', mutate: (p) => without(p, p, 'view') },
  {
    name: 'view not an object',
    on: 'submission',
    mutate: (p, rng) => withField(p, p, 'view', rng.pick(['view', 3, []])),
  },
];

/**
 * Error lines in the log, but for Bolt's own note on a delivery no listener acknowledged (an unknown
 * action id, a foreign payload type): answering those 404 after 3 s is Bolt's design, not a fault.
 */
function errorLines(log: CapturedLog): string[] {
  return log
    .lines()
    .filter((l) => Number(l.level) >= 50)
    .filter((l) => !String(l.msg).startsWith('An incoming event was not acknowledged within 3 seconds'))
    .map((l) => `${String(l.msg)} ${JSON.stringify(l.err ?? '').slice(0, 4000)}`);
}

interface Counts {
  [key: string]: number;
}

const bump = (counts: Counts, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

describe('hostile input', () => {
  let bot: OfflineBot;
  let log: CapturedLog;
  const rng = createRng(SEED);
  const statuses: Counts = {};
  const counts: Counts = {};
  const crashes: string[] = [];
  const refusedByBolt: string[] = [];

  const deliver = async (delivery: Delivery, label: string) => {
    try {
      const result = await bot.driver.deliverRaw(delivery);
      bump(statuses, String(result.status));
      if (result.status >= 500) crashes.push(`${label}: HTTP ${result.status}`);
    } catch (error) {
      // processEvent throws only when Bolt cannot make sense of the body before any listener runs
      // (listener errors go to app.error): over HTTP the receiver answers 400 (see the HTTP suite).
      bump(counts, 'refused by Bolt before any listener (HTTP 400)');
      refusedByBolt.push(`${label}: ${(error as Error).message}`);
    }
  };

  const inBatches = async <T>(items: readonly T[], run: (item: T) => Promise<void>) => {
    for (let i = 0; i < items.length; i += BATCH) {
      await Promise.all(items.slice(i, i + BATCH).map(run));
      await bot.bot.idle();
    }
  };

  beforeAll(async () => {
    log = captureLog();
    bot = await startOfflineBot({ logLevel: 'warn', logDestination: log.stream, revealHideMs: 50 });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('when thousands of hostile /card and /card-audit texts arrive, then nothing breaks, nothing malformed reaches the issuer and every echo is escaped', async () => {
    const total = Math.round(3_000 * SCALE);
    const cases = Array.from({ length: total }, () => {
      const row = pickWeighted(rng, COMMANDS);
      return { command: row.command, user: row.user(rng), channel: rng.pick(CHANNELS), text: row.text(rng) };
    });
    await inBatches(cases, async (c) => {
      bump(counts, `${c.command} texts`);
      await deliver(
        { kind: 'command', body: commandBody(bot, c.user, c.channel, c.command, c.text) },
        `${c.command} ${JSON.stringify(c.text.slice(0, 80))}`,
      );
    });

    expect(crashes).toEqual([]);
    expect(Object.keys(statuses)).toEqual(['200']);
    await expectNothingBroke();
  });

  it('when interactive payloads come with wrong types, missing fields, unknown ids and tampered values, then nothing breaks and nothing unintended runs', async () => {
    // Surfaces to tamper with, made by running the app: approval buttons, reveal offers, audit pages, modals, the Home tab.
    const d = bot.driver;
    await d.command('U0AGENT01', 'C0SUPPORT', '/card', 'cancel card-active-5 customer asked to close the card');
    await d.command('U0SENIOR1', 'C0SECURE', '/card', 'cvv card-active-1');
    await d.command('U0SENIOR1', 'C0SECURE', '/card', 'pan card-active-2');
    await d.command('U0MANAGER', 'C0SUPPORT', '/card-audit', '');
    await d.command('U0AGENT01', 'C0SUPPORT', '/card', '');
    await d.command('U0AGENT01', 'C0SUPPORT', '/card', 'activate card-printed-1');
    await d.command('U0SENIOR1', 'C0SECURE', '/card', 'change-pin card-active-3');
    await d.openHome('U0ONCALL1');
    const surfaces = bot.slack.messages.flatMap((message) =>
      buttonsOf(message.blocks).map((button) => ({ message, button })),
    );
    const modals = bot.slack.views.filter((v) => v.open);
    expect(surfaces.length).toBeGreaterThan(0);
    expect(modals.length).toBeGreaterThan(0);
    bump(counts, 'button kinds found', new Set(surfaces.map((s) => s.button.actionId)).size);
    bump(counts, 'modal kinds found', new Set(modals.map((m) => String(m.view.callback_id))).size);

    const cancelsBefore = bot.sandbox?.calls.filter((c) => c.op === 'cancel').length ?? 0;
    const total = Math.round(1_500 * SCALE);
    const payloads = Array.from({ length: total }, () => {
      const submission = rng.chance(0.35);
      const user = rng.pick(USERS);
      const payload: Payload = submission
        ? submissionBody(bot, user, rng.pick(modals), rng)
        : clickBody(
            bot.slack,
            user,
            ...(Object.values(rng.pick(surfaces)) as [SlackMessage, ReturnType<typeof buttonsOf>[number]]),
          );
      const kind = submission ? 'submission' : 'click';
      const mutation = rng.pick(MUTATIONS.filter((m) => m.on === 'any' || m.on === kind));
      return { label: `${kind}: ${mutation.name}`, payload: mutation.mutate(payload, rng) };
    });
    await inBatches(payloads, async ({ label, payload }) => {
      bump(counts, label);
      await deliver({ kind: 'interaction', body: payload }, label);
    });

    // Events with wrong shapes (the Home tab).
    for (const event of [
      {},
      { type: 'app_home_opened' },
      { type: 'app_home_opened', user: 42, tab: 'home' },
      { type: 'app_home_opened', user: hostileText(rng), tab: 'messages' },
    ]) {
      bump(counts, 'event: app_home_opened of the wrong shape');
      await deliver(
        {
          kind: 'event',
          body: {
            token: 't',
            team_id: bot.slack.teamId,
            api_app_id: 'A0CARDOPS',
            type: 'event_callback',
            event_id: `Ev${rng.int(1e9)}`,
            event_time: 1,
            event,
          },
        },
        'event',
      );
    }

    expect(crashes).toEqual([]);
    expect(Object.keys(statuses).filter((s) => Number(s) >= 500)).toEqual([]);
    // Every cancel that reached the issuer came from one approval, and each approval ran at most once.
    const cancels = (await bot.audit.query({ op: 'cancel', outcome: 'started' }, { limit: 1000 })).rows;
    expect(new Set(cancels.map((r) => r.approvalId)).size).toBe(cancels.length);
    expect(cancels.every((r) => r.approvalId)).toBe(true);
    const cancelCalls = (bot.sandbox?.calls.filter((c) => c.op === 'cancel').length ?? 0) - cancelsBefore;
    bump(counts, 'cancels approved by a real approver click', cancelCalls);
    await expectNothingBroke();
    // 3,000 texts through the whole App: seconds alone, more on a busy machine (the heavy run has its own timeout).
  }, 120_000);

  it('prints the counts', () => {
    console.log(`hostile input (seed ${SEED}, scale ${SCALE}):`, JSON.stringify({ ...counts, statuses }, null, 1));
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  async function expectNothingBroke() {
    // No listener threw: every road ends in an answer or a deliberate silence.
    expect(errorLines(log)).toEqual([]);

    // Nothing malformed reached the issuer, and nothing reached it without its durable `started` row.
    const calls = bot.sandbox?.calls ?? [];
    for (const call of calls) {
      expect(CARD_OPS).toContain(call.op);
      expect(call.cardId).toMatch(CARD_ID_PATTERN);
      expect(
        (await bot.audit.query({ cardId: call.cardId, op: call.op, outcome: 'started' }, { limit: 1 })).rows,
      ).toHaveLength(1);
    }

    // Everything shown back is escaped and within Slack's limits.
    expect(shownProblems(bot.slack)).toEqual([]);

    // No card number in the audit or in any public message.
    const rows = await bot.audit.query({}, { limit: 1000 });
    for (const { prevHash: _p, hash: _h, ...row } of rows.rows) expect(JSON.stringify(row)).not.toMatch(/\d{13,}/);
    for (const m of bot.slack.messages.filter((x) => x.visibility === 'public')) {
      // The issuer's trace ids (UUIDs) are shown by design; one of mostly digits is not a card number.
      const shown = `${m.text} ${JSON.stringify(m.blocks)}`.replace(
        /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
        '<trace id>',
      );
      expect(shown).not.toMatch(/\d(?:[ -]?\d){12,18}/);
    }
  }
});

interface Forgery {
  name: string;
  /** The headers and body to send instead of a correctly signed request for `raw`. */
  forge: (raw: string, now: number) => { headers: Record<string, string>; body: string };
}

const sign = (raw: string, ts: number, secret = SIGNING_SECRET_FOR_TESTS) => signRequest(secret, raw, ts);

/** Ways to forge a request; each must be refused with 401 and run nothing. */
const FORGERIES: Forgery[] = [
  {
    name: 'signed with another secret',
    forge: (raw, now) => ({ headers: sign(raw, now, 'not-the-secret'), body: raw }),
  },
  { name: 'no signature headers', forge: (raw) => ({ headers: {}, body: raw }) },
  {
    name: 'no signature, a timestamp',
    forge: (raw, now) => ({ headers: { 'x-slack-request-timestamp': String(now) }, body: raw }),
  },
  {
    name: 'a signature, no timestamp',
    forge: (raw, now) => ({ headers: { 'x-slack-signature': sign(raw, now)['x-slack-signature'] }, body: raw }),
  },
  {
    name: 'timestamp six minutes old, correctly signed',
    forge: (raw, now) => ({ headers: sign(raw, now - 360), body: raw }),
  },
  {
    name: 'signature of another timestamp',
    forge: (raw, now) => ({
      headers: { ...sign(raw, now - 1), 'x-slack-request-timestamp': String(now) },
      body: raw,
    }),
  },
  {
    name: 'body altered after signing',
    forge: (raw, now) => ({ headers: sign(raw, now), body: raw.replace('card-active', 'card-blocked') }),
  },
  {
    name: 'body with a field appended after signing',
    forge: (raw, now) => ({ headers: sign(raw, now), body: `${raw}&user_id=U0SENIOR1` }),
  },
  {
    name: 'v1 scheme',
    forge: (raw, now) => ({
      headers: { ...sign(raw, now), 'x-slack-signature': sign(raw, now)['x-slack-signature'].replace('v0=', 'v1=') },
      body: raw,
    }),
  },
  {
    name: 'truncated signature',
    forge: (raw, now) => ({
      headers: { ...sign(raw, now), 'x-slack-signature': sign(raw, now)['x-slack-signature'].slice(0, 40) },
      body: raw,
    }),
  },
  {
    name: 'empty signature',
    forge: (raw, now) => ({ headers: { ...sign(raw, now), 'x-slack-signature': '' }, body: raw }),
  },
  {
    name: 'timestamp not a number',
    forge: (raw, now) => ({ headers: { ...sign(raw, now), 'x-slack-request-timestamp': 'now' }, body: raw }),
  },
];

describe('hostile input over HTTP with signatures', () => {
  let bot: OfflineBot;
  let log: CapturedLog;
  const rng = createRng(SEED + 1);
  const counts: Counts = {};

  const post = async (
    raw: string,
    headers: Record<string, string>,
    contentType = 'application/x-www-form-urlencoded',
  ) => {
    const response = await fetch(bot.url ?? '', {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body: raw,
    });
    await response.text();
    return response.status;
  };
  const signedPost = (delivery: Delivery) => {
    const { raw, contentType } = encodeDelivery(delivery);
    return post(raw, sign(raw, Math.floor(Date.now() / 1000)), contentType);
  };

  beforeAll(async () => {
    log = captureLog();
    bot = await startOfflineBot({ transport: 'http', logLevel: 'warn', logDestination: log.stream });
  });
  afterAll(async () => {
    console.log(`hostile input over HTTP (seed ${SEED + 1}):`, JSON.stringify(counts, null, 1));
    await bot?.close();
  });

  it('when hostile texts and broken payloads arrive signed over HTTP, then the app never answers 5xx', async () => {
    const texts = Array.from({ length: Math.round(150 * SCALE) }, () => {
      const row = pickWeighted(rng, COMMANDS);
      return commandBody(bot, row.user(rng), rng.pick(CHANNELS), row.command, row.text(rng));
    });
    const statuses: number[] = await Promise.all(texts.map((body) => signedPost({ kind: 'command', body })));
    for (const status of statuses) bump(counts, `command HTTP ${status}`);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    await bot.driver.command(
      'U0AGENT01',
      'C0SUPPORT',
      '/card',
      'cancel card-active-5 customer asked to close the card',
    );
    await bot.driver.command('U0SENIOR1', 'C0SECURE', '/card', 'cvv card-active-1');
    await bot.driver.command('U0AGENT01', 'C0SUPPORT', '/card', '');
    const surfaces = bot.slack.messages.flatMap((message) =>
      buttonsOf(message.blocks).map((button) => ({ message, button })),
    );
    const modals = bot.slack.views.filter((v) => v.open);
    const payloads = Array.from({ length: Math.round(150 * SCALE) }, () => {
      const submission = rng.chance(0.35) && modals.length > 0;
      const user = rng.pick(USERS);
      const payload: Payload = submission
        ? submissionBody(bot, user, rng.pick(modals), rng)
        : clickBody(
            bot.slack,
            user,
            ...(Object.values(rng.pick(surfaces)) as [SlackMessage, ReturnType<typeof buttonsOf>[number]]),
          );
      const mutation = rng.pick(
        MUTATIONS.filter((m) => m.on === 'any' || m.on === (submission ? 'submission' : 'click')),
      );
      return mutation.mutate(payload, rng);
    });
    // Unhandled payloads are answered 404 by Bolt after its 3 s wait: sent together, they wait together.
    const answers: number[] = await Promise.all(payloads.map((body) => signedPost({ kind: 'interaction', body })));
    for (const status of answers) bump(counts, `interaction HTTP ${status}`);
    await bot.bot.idle();
    expect(answers.filter((s) => s >= 500 || s === 401)).toEqual([]);
    expect(errorLines(log)).toEqual([]);
    expect(shownProblems(bot.slack)).toEqual([]);
  });

  it.each(FORGERIES.map((f) => [f.name, f] as const))(
    'when a request is forged (%s), then it is refused with 401 and nothing runs',
    async (_name, forgery) => {
      const auditBefore = await bot.audit.count({});
      const callsBefore = bot.sandbox?.calls.length ?? 0;
      const messagesBefore = bot.slack.messages.length;
      const { raw } = encodeDelivery({
        kind: 'command',
        body: commandBody(bot, 'U0AGENT01', 'C0SUPPORT', '/card', 'block card-active-3 forged'),
      });
      const forged = forgery.forge(raw, Math.floor(Date.now() / 1000));
      const status = await post(forged.body, forged.headers);
      await bot.bot.idle();
      bump(counts, `forged request refused with ${status}`);
      expect(status).toBe(401);
      expect(await bot.audit.count({})).toBe(auditBefore);
      expect(bot.sandbox?.calls.length ?? 0).toBe(callsBefore);
      expect(bot.slack.messages.length).toBe(messagesBefore);
    },
  );

  it('when a captured Approve click is replayed, even at once and many times, then the card is cancelled exactly once', async () => {
    await bot.driver.command('U0AGENT01', 'C0SUPPORT', '/card', 'cancel card-active-4 card stolen, replay test');
    const approval = bot.slack.messages.find(
      (m) => m.channel === 'C0APPROVE' && m.visibility === 'public' && m.text.includes('card-active-4'),
    );
    expect(approval).toBeDefined();
    const button = buttonsOf(approval?.blocks).find((b) => b.actionId === 'approval_approve');
    const { raw } = encodeDelivery({
      kind: 'interaction',
      body: clickBody(bot.slack, 'U0ONCALL1', approval!, button!),
    });
    const headers = sign(raw, Math.floor(Date.now() / 1000));
    const statuses = await Promise.all(Array.from({ length: 5 }, () => post(raw, headers)));
    await bot.bot.idle();
    statuses.push(await post(raw, headers));
    await bot.bot.idle();
    bump(counts, 'replayed Approve clicks', statuses.length);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(bot.sandbox?.calls.filter((c) => c.op === 'cancel' && c.cardId === 'card-active-4')).toHaveLength(1);
    expect(await bot.audit.count({ cardId: 'card-active-4', op: 'cancel', outcome: 'started' })).toBe(1);
  });

  it('when a captured form submission or command is replayed within five minutes, then it does not run twice', async () => {
    await bot.driver.command('U0AGENT01', 'C0SUPPORT', '/card', '');
    const form = bot.driver.openViewOf('U0AGENT01');
    expect(form).toBeDefined();
    const submission = submissionBody(bot, 'U0AGENT01', form!, createRng(1));
    const values = (submission.view as { state: { values: Record<string, Record<string, Record<string, unknown>>> } })
      .state.values;
    values.op = {
      op: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'block' }, value: 'block' } },
    };
    values.card_id = { card_id: { type: 'plain_text_input', value: 'card-active-2' } };
    values.reason = { reason: { type: 'plain_text_input', value: 'replayed form' } };
    const form1 = encodeDelivery({ kind: 'interaction', body: submission });
    const formHeaders = sign(form1.raw, Math.floor(Date.now() / 1000));
    const command = encodeDelivery({
      kind: 'command',
      body: commandBody(bot, 'U0AGENT01', 'C0SUPPORT', '/card', 'unblock card-blocked-1 replayed command'),
    });
    const commandHeaders = sign(command.raw, Math.floor(Date.now() / 1000));
    // The fuzz before this test shares the bot and may have blocked these cards by chance: count from here.
    const callsOf = (cardId: string, op: string) =>
      bot.sandbox?.calls.filter((c) => c.cardId === cardId && c.op === op).length ?? 0;
    const before = { block: callsOf('card-active-2', 'block'), unblock: callsOf('card-blocked-1', 'unblock') };
    for (let i = 0; i < 3; i += 1) {
      await post(form1.raw, formHeaders);
      await post(command.raw, commandHeaders);
      await bot.bot.idle();
    }
    bump(counts, 'replayed submissions and commands', 6);
    expect(callsOf('card-active-2', 'block') - before.block).toBe(1);
    expect(callsOf('card-blocked-1', 'unblock') - before.unblock).toBe(1);
  });
});
