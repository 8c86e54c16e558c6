import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEventInput, AuditRow } from '../../src/domain/audit/audit-types.js';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { buttonsOf } from '../../src/shell/slack-driver.js';
import {
  ALICE,
  allRows,
  auditLooks,
  CAROL,
  DAVE,
  eventIdsOf,
  MANAGER,
  STRANGER,
  testClock,
  textOf,
} from './audit-command-support.js';

/** What happened in the first days of May, as the audit would hold it. */
const SEED: (AuditEventInput & { at: string })[] = [
  {
    at: '2026-05-01T09:00:00Z',
    actor: ALICE,
    channelId: 'C0SUPPORT',
    op: 'block',
    cardId: 'card-a',
    outcome: 'started',
  },
  {
    at: '2026-05-01T09:00:01Z',
    actor: ALICE,
    channelId: 'C0SUPPORT',
    op: 'block',
    cardId: 'card-a',
    outcome: 'ok',
    traceId: 'tr-1',
  },
  {
    at: '2026-05-02T10:00:00Z',
    actor: CAROL,
    channelId: 'C0SECURE',
    op: 'pan',
    cardId: 'card-a',
    outcome: 'revealed',
    reason: 'customer <!channel> & *call*',
    traceId: 'tr-2',
  },
  {
    at: '2026-05-02T11:00:00Z',
    actor: STRANGER,
    channelId: 'C0SUPPORT',
    op: 'block',
    cardId: 'card-b',
    outcome: 'denied',
    reason: 'role',
  },
  {
    at: '2026-05-03T08:00:00Z',
    actor: ALICE,
    channelId: 'C0SUPPORT',
    op: 'cancel',
    cardId: 'card-b',
    outcome: 'requested',
    approvalId: 'apr-1',
    reason: 'stolen',
  },
  {
    at: '2026-05-03T08:30:00Z',
    actor: DAVE,
    channelId: 'C0APPROVE',
    op: 'cancel',
    cardId: 'card-b',
    outcome: 'approved',
    approvalId: 'apr-1',
  },
  {
    at: '2026-05-03T08:30:01Z',
    actor: DAVE,
    channelId: 'C0APPROVE',
    op: 'cancel',
    cardId: 'card-b',
    outcome: 'ok',
    approvalId: 'apr-1',
    traceId: 'tr-3',
    reason: 'stolen',
  },
  {
    at: '2026-05-04T12:00:00Z',
    actor: CAROL,
    channelId: 'C0SECURE',
    op: 'pan',
    cardId: 'card-b',
    outcome: 'revealed',
    traceId: 'tr-4',
  },
  {
    at: '2026-05-04T13:00:00Z',
    actor: CAROL,
    channelId: 'C0SECURE',
    op: 'cvv',
    cardId: 'card-a',
    outcome: 'failed',
    error: 'ISSUER_FAILURE',
    traceId: 'tr-5',
  },
  {
    at: '2026-05-05T09:00:00Z',
    actor: ALICE,
    channelId: 'D0AGENT01',
    op: 'command',
    outcome: 'invalid',
    reason: 'bad',
  },
];

const QUERY_TIME = '2026-05-05T12:00:00Z';

let bot: OfflineBot;
let clock: ReturnType<typeof testClock>;

beforeEach(async () => {
  clock = testClock('2026-05-01T00:00:00Z');
  bot = await startOfflineBot({ now: clock.now });
  for (const { at, ...event } of SEED) {
    clock.set(at);
    await bot.audit.append(event);
  }
  // And one real request through the app: an agent blocks a card.
  clock.set('2026-05-05T10:00:00Z');
  await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-1 lost wallet');
  clock.set(QUERY_TIME);
});
afterEach(async () => bot?.close());

async function cardAudit(text: string, user = MANAGER, channel = 'C0SECURE') {
  const result = await bot.driver.command(user, channel, '/card-audit', text);
  expect(result.status).toBe(200);
  const shown = result.messages.filter((m) => m.visibility === 'ephemeral' && m.to === user);
  // Nothing else was posted anywhere, for anyone.
  expect(result.messages).toHaveLength(shown.length);
  return { ...result, answer: shown.at(-1) };
}

type Row = AuditRow;
const FILTERS: [string, (r: Row) => boolean][] = [
  ['user:<@U0SENIOR1|carol>', (r) => r.actor === CAROL],
  ['user:U0AGENT01', (r) => r.actor === ALICE],
  ['card:card-b', (r) => r.cardId === 'card-b'],
  ['op:cancel', (r) => r.op === 'cancel'],
  ['outcome:revealed', (r) => r.outcome === 'revealed'],
  ['channel:<#C0SECURE|secure-support>', (r) => r.channelId === 'C0SECURE'],
  ['channel:C0APPROVE', (r) => r.channelId === 'C0APPROVE'],
  ['since:2026-05-04', (r) => r.ts >= '2026-05-04T00:00:00.000Z'],
  ['until:2026-05-02', (r) => r.ts < '2026-05-03T00:00:00.000Z'],
  ['since:30h', (r) => r.ts >= '2026-05-04T06:00:00.000Z'],
  [
    'since:2026-05-02T10:00Z until:2026-05-03T08:30:01Z',
    (r) => r.ts >= '2026-05-02T10:00:00.000Z' && r.ts < '2026-05-03T08:30:01.000Z',
  ],
];

const COMBINED: [string, (r: Row) => boolean][] = [
  [
    'op:pan user:<@U0SENIOR1|carol> since:2026-05-02 until:2026-05-03 channel:<#C0SECURE|secure-support> outcome:revealed card:card-a',
    (r) =>
      r.op === 'pan' &&
      r.actor === CAROL &&
      r.ts >= '2026-05-02T00:00:00.000Z' &&
      r.ts < '2026-05-04T00:00:00.000Z' &&
      r.channelId === 'C0SECURE' &&
      r.outcome === 'revealed' &&
      r.cardId === 'card-a',
  ],
  ['card:card-b outcome:ok op:cancel', (r) => r.cardId === 'card-b' && r.outcome === 'ok' && r.op === 'cancel'],
  ['user:U0SENIOR1 since:2026-05-03', (r) => r.actor === CAROL && r.ts >= '2026-05-03T00:00:00.000Z'],
  [
    'card:card-active-1 user:<@U0AGENT01|alice> op:block',
    (r) => r.cardId === 'card-active-1' && r.actor === ALICE && r.op === 'block',
  ],
];

describe('/card-audit query', () => {
  it.each([...FILTERS, ...COMBINED])(
    'when a manager filters by %s, then exactly the matching events are shown, newest first, and the look is audited',
    async (text, matches) => {
      const before = allRows(bot);
      const expected = before.filter(matches).map((r) => r.id);
      // The filter must select something, and not everything, for the test to mean anything.
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(before.length);

      const { answer } = await cardAudit(text);
      expect(eventIdsOf(answer)).toEqual(expected);
      expect(answer?.text).toContain('sandbox');
      expect(buttonsOf(answer?.blocks)).toHaveLength(0);

      const look = auditLooks(bot)[0];
      expect(look).toMatchObject({ actor: MANAGER, channelId: 'C0SECURE', op: 'audit', outcome: 'queried' });
      expect(look?.reason).toContain(`page 1: ${expected.length} events`);
      expect(allRows(bot)).toHaveLength(before.length + 1);
    },
  );

  it('when a manager asks with no filters, then the newest events are shown with time, who, op, card, outcome, reason, request and trace ids', async () => {
    const before = allRows(bot);
    const { answer } = await cardAudit('');
    expect(eventIdsOf(answer)).toEqual(before.map((r) => r.id));
    const text = textOf(answer);
    const cancelled = allRows(bot).find((r) => r.op === 'cancel' && r.outcome === 'ok')!;
    const line = answer?.blocks?.find(
      (b) => (b as { block_id?: string }).block_id === `audit_event_${cancelled.id}`,
    ) as {
      text: { text: string };
    };
    expect(line.text.text).toContain('*2026-05-03 08:30:01 UTC*');
    expect(line.text.text).toContain('<@U0ONCALL1>');
    expect(line.text.text).toContain('`cancel`');
    expect(line.text.text).toContain('card `card-b`');
    expect(line.text.text).toContain('*ok*');
    expect(line.text.text).toContain('reason: stolen');
    expect(line.text.text).toContain('request `apr-1`');
    expect(line.text.text).toContain('trace `tr-3`');
    expect(line.text.text).toContain(`event #${cancelled.id}`);
    expect(line.text.text).toContain('in <#C0APPROVE>');
    // Free text is escaped: a reason cannot ping a channel or break the layout.
    expect(text).toContain('customer &lt;!channel&gt; &amp; *call*');
    expect(text).not.toContain('<!channel>');
    // The real block the agent ran is there, with the issuer's trace id.
    const block = allRows(bot).find((r) => r.cardId === 'card-active-1' && r.outcome === 'ok')!;
    expect(block.traceId).toBeTruthy();
    expect(text).toContain(`trace \`${block.traceId}\``);
  });

  it('when no event matches, then the answer says so and shows no events', async () => {
    const { answer } = await cardAudit('card:card-nothing op:pan');
    expect(answer?.text).toMatch(/No audit events match card `card-nothing`, op `pan`/);
    expect(eventIdsOf(answer)).toEqual([]);
    expect(auditLooks(bot)[0]).toMatchObject({ outcome: 'queried', reason: expect.stringContaining('no events') });
  });
});

describe('/card-audit paging', () => {
  async function appendBlocks(n: number, from: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < n; i += 1) {
      clock.advance(1000);
      const row = await bot.audit.append({
        actor: ALICE,
        channelId: 'C0SUPPORT',
        op: 'unblock',
        cardId: `card-${from + i}`,
        outcome: 'ok',
      });
      ids.push(row.id);
    }
    return ids;
  }

  it('when events arrive between pages, then Next pages on without duplicates or gaps, and every page view is audited', async () => {
    const original = (await appendBlocks(45, 0)).reverse();
    const since = new Date(clock.now().getTime() - 86_400_000).toISOString();
    const page1 = await cardAudit('op:unblock since:1d');
    const first = page1.answer!;
    expect(eventIdsOf(first)).toEqual(original.slice(0, 20));
    expect(buttonsOf(first.blocks).map((b) => b.actionId)).toEqual(['audit_next_page']);

    const arrivedAfterPage1 = await appendBlocks(3, 100);
    clock.advance(10 * 60_000);
    const page2 = await bot.driver.click(MANAGER, first, 'audit_next_page');
    // The next page replaces the message it was clicked on.
    expect(page2.messages).toEqual([first]);
    expect(first.revision).toBe(1);
    expect(eventIdsOf(first)).toEqual(original.slice(20, 40));
    expect(first.text).toContain('page 2');

    const arrivedAfterPage2 = await appendBlocks(2, 200);
    const page3 = await bot.driver.click(MANAGER, first, 'audit_next_page');
    expect(page3.messages).toEqual([first]);
    expect(eventIdsOf(first)).toEqual(original.slice(40));
    expect(buttonsOf(first.blocks)).toHaveLength(0);
    expect(textOf(first)).toContain('No older events match');

    for (const id of [...arrivedAfterPage1, ...arrivedAfterPage2]) {
      expect(eventIdsOf(first)).not.toContain(id);
    }
    const looks = auditLooks(bot).reverse();
    expect(looks.map((l) => [l.actor, l.outcome])).toEqual([
      [MANAGER, 'queried'],
      [MANAGER, 'queried'],
      [MANAGER, 'queried'],
    ]);
    // The window is fixed when first asked: later pages keep since: as it was, not "1d before the click".
    for (const look of looks) expect(look.reason).toContain(`query op:unblock since:${since}; page `);
    expect(looks[0]?.reason).toMatch(/page 1: 20 events .*more older$/);
    expect(looks[1]?.reason).toMatch(/page 2: 20 events/);
    expect(looks[2]?.reason).toMatch(/page 3: 5 events/);
    expect(looks[2]?.reason).not.toMatch(/more older/);
  });

  it('when the audit rows of earlier looks arrive between pages, then they do not appear on later pages', async () => {
    await appendBlocks(25, 0);
    const all = allRows(bot).map((r) => r.id);
    const { answer } = await cardAudit('');
    expect(eventIdsOf(answer)).toEqual(all.slice(0, 20));
    await bot.driver.click(MANAGER, answer!, 'audit_next_page');
    expect(eventIdsOf(answer)).toEqual(all.slice(20, 40));
    const queried = auditLooks(bot).map((l) => l.id);
    expect(queried).toHaveLength(2);
    for (const id of queried) expect(eventIdsOf(answer)).not.toContain(id);
  });

  it('when someone without the audit role presses Next, then it is refused, audited, and the page is not replaced', async () => {
    await appendBlocks(25, 0);
    const { answer } = await cardAudit('op:unblock');
    const shownBefore = eventIdsOf(answer);
    const click = await bot.driver.click(STRANGER, answer!, 'audit_next_page');
    expect(answer?.revision).toBe(0);
    expect(eventIdsOf(answer)).toEqual(shownBefore);
    const refusal = click.messages.find((m) => m.to === STRANGER);
    expect(refusal?.visibility).toBe('ephemeral');
    expect(refusal?.text).toMatch(/role/);
    expect(eventIdsOf(refusal)).toEqual([]);
    expect(auditLooks(bot)[0]).toMatchObject({ actor: STRANGER, op: 'audit', outcome: 'denied' });
  });

  it('when a Next button value has been tampered with, then no events are shown and the attempt is audited', async () => {
    await appendBlocks(25, 0);
    const { answer } = await cardAudit('op:unblock');
    const forged: SlackMessage = structuredClone(answer!);
    const button = (forged.blocks ?? [])
      .flatMap((b) => (b as { elements?: { action_id?: string; value?: string }[] }).elements ?? [])
      .find((e) => e.action_id === 'audit_next_page')!;
    button.value = JSON.stringify({ q: 'op:steal', b: 10, p: 2 });
    const click = await bot.driver.click(MANAGER, forged, 'audit_next_page');
    const reply = click.messages.find((m) => m.to === MANAGER);
    expect(reply?.text).toMatch(/not valid any more/);
    expect(eventIdsOf(reply)).toEqual([]);
    expect(auditLooks(bot)[0]).toMatchObject({ actor: MANAGER, outcome: 'invalid' });
  });
});

describe('/card-audit access and bad input', () => {
  it.each([
    [STRANGER, ''],
    [ALICE, 'op:pan'],
    [CAROL, 'export'],
    [DAVE, 'verify'],
  ])(
    'when %s (not a manager) runs /card-audit %s, then it is refused, audited as denied, and nothing is read or sent',
    async (user, text) => {
      const before = allRows(bot).length;
      const { answer } = await cardAudit(text, user, 'C0SUPPORT');
      expect(answer?.text).toMatch(/You need the role `manager` to read the audit log/);
      expect(answer?.text).toContain('sandbox');
      expect(eventIdsOf(answer)).toEqual([]);
      const rows = allRows(bot);
      expect(rows).toHaveLength(before + 1);
      expect(rows[0]).toMatchObject({ actor: user, channelId: 'C0SUPPORT', op: 'audit', outcome: 'denied' });
      expect(rows[0]?.reason).toContain(`/card-audit ${text}`.trim());
      expect(bot.slack.calls.filter((c) => c.method.startsWith('files.') || c.method === 'conversations.open')).toEqual(
        [],
      );
    },
  );

  it.each([
    ['op:steal', /op:steal is not an op/],
    ['foo:bar', /"foo:" is not a filter/],
    ['op:pan op:cvv', /op: is given twice/],
    ['user:@carol', /autocomplete/],
    ['channel:#support', /autocomplete/],
    ['since:last-week', /is not a time/],
    ['card:4929871234560986', /looks like a card number/],
    ['export since:2026-05-04 until:2026-05-01', /since: must be before until:/],
    ['verify card:card-a', /takes no filters/],
    ['pan', /filters look like key:value/],
  ])(
    'when a manager gives the bad filter %s, then the usage is shown, no events, and the attempt is audited',
    async (text, problem) => {
      const { answer } = await cardAudit(text);
      expect(answer?.text).toMatch(problem);
      expect(answer?.text).toContain('Usage:');
      expect(textOf(answer)).toContain('since:7d');
      expect(eventIdsOf(answer)).toEqual([]);
      expect(auditLooks(bot)[0]).toMatchObject({ actor: MANAGER, op: 'audit', outcome: 'invalid' });
      // A card number typed by mistake is never echoed back or stored.
      expect(textOf(answer)).not.toContain('4929871234560986');
      expect(JSON.stringify(allRows(bot))).not.toContain('4929871234560986');
      expect(bot.slack.calls.filter((c) => c.method.startsWith('files.'))).toEqual([]);
    },
  );

  it('when a manager asks for help, then the usage lists every filter with examples', async () => {
    const { answer } = await cardAudit('help');
    for (const key of ['user:', 'card:', 'op:', 'outcome:', 'channel:', 'since:', 'until:', 'export', 'verify']) {
      expect(textOf(answer)).toContain(key);
    }
  });

  it('when a manager asks from a DM or a channel the bot is not in, then the answer still reaches them ephemerally', async () => {
    const inDm = await cardAudit('op:cancel', MANAGER, 'D0MANAGER');
    expect(eventIdsOf(inDm.answer)).toHaveLength(3);
    const inRandom = await cardAudit('op:cancel', MANAGER, 'C0RANDOM');
    expect(eventIdsOf(inRandom.answer)).toHaveLength(3);
    expect(bot.slack.acks).toEqual([]);
  });
});

describe('/card-audit over signed HTTP', () => {
  it('when a manager queries through the HTTP receiver, then the answer is the same', async () => {
    const httpBot = await startOfflineBot({ transport: 'http' });
    try {
      await httpBot.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-1');
      const result = await httpBot.driver.command(
        MANAGER,
        'C0SUPPORT',
        '/card-audit',
        'user:<@U0AGENT01|alice> card:card-active-1',
      );
      expect(result.status).toBe(200);
      const answer = result.messages.find((m) => m.to === MANAGER);
      expect(eventIdsOf(answer)).toHaveLength(2);
    } finally {
      await httpBot.close();
    }
  });
});
