import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../src/sandbox/demo-cards.js';
import { type OfflineBot, type OfflineBotOptions, startOfflineBot } from '../../src/shell/offline-bot.js';
import { type FakeSocketMode, startFakeSocketMode } from '../helpers/fake-socket-mode.js';
import { visibleText } from '../helpers/slack-text.js';
import { ALICE, approvalMessages, buttons, CAROL, cancelCalls, DAVE, MALLORY, SUPPORT } from './approvals-support.js';

/**
 * The main flows over both ways Slack reaches the app: HTTP (signed POSTs) and Socket Mode (a
 * real WebSocket to a fake of Slack's side that checks every envelope is acknowledged in 3 s).
 */

const SECURE = 'C0SECURE';
type Mode = 'http' | 'socket';

let bot: OfflineBot | undefined;
let socket: FakeSocketMode | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
  socket = undefined;
});

async function start(mode: Mode, options: OfflineBotOptions = {}): Promise<OfflineBot> {
  if (mode === 'socket') {
    socket = await startFakeSocketMode();
    bot = await startOfflineBot({ ...options, transport: 'socket', socketMode: socket });
  } else {
    bot = await startOfflineBot({ ...options, transport: 'http' });
  }
  return bot;
}

describe.each(['http', 'socket'] as const)('main flows in %s mode', (mode) => {
  it('when an agent blocks a card, then the issuer blocks it and the agent is told ephemerally', async () => {
    const b = await start(mode);
    const result = await b.driver.command(ALICE, SUPPORT, '/card', 'block card-active-5 lost card');
    expect(result.status).toBe(200);
    const answer = result.messages.find((m) => m.to === ALICE);
    expect(answer?.visibility).toBe('ephemeral');
    expect(answer?.text).toContain('blocked');
    expect(b.sandbox?.card('card-active-5')?.status).toBe('blocked');
    if (socket) {
      expect(socket.acks.length).toBeGreaterThan(0);
      expect(socket.strayAcks).toEqual([]);
      expect(socket.sent.map((e) => e.type)).toEqual(['slash_commands']);
    }
  });

  it('when a senior reveals a CVV, then only they see it after pressing Reveal', async () => {
    const b = await start(mode);
    const asked = await b.driver.command(CAROL, SECURE, '/card', 'cvv card-active-1');
    const offer = asked.messages[0];
    if (!offer) throw new Error('no answer to /card cvv');
    expect(visibleText(offer)).toContain('Press Reveal to fetch');
    await b.driver.click(CAROL, offer, 'reveal_secret');
    expect(offer.to).toBe(CAROL);
    expect(visibleText(offer)).toContain(`\`${DEMO_CARDS.find((c) => c.id === 'card-active-1')?.cvv}\``);
    expect(await b.audit.count({ actor: CAROL, outcome: 'revealed' })).toBe(1);
    if (socket) expect(socket.sent.map((e) => e.type)).toEqual(['slash_commands', 'interactive']);
  });

  it('when an agent asks for a cancel and an approver approves, then exactly one cancel reaches the issuer', async () => {
    const b = await start(mode);
    await b.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-2 stolen');
    const message = approvalMessages(b).at(-1);
    expect(buttons(message).map((x) => x.text)).toEqual(['Approve', 'Reject']);
    await b.driver.click(DAVE, message!, 'approval_approve');
    expect(cancelCalls(b)).toHaveLength(1);
    expect(b.sandbox?.card('card-active-2')?.status).toBe('cancelled');
    expect(message?.text).toContain(`<@${DAVE}>`);
  });

  it('when a manager queries the audit log, then the block just made is listed', async () => {
    const b = await start(mode);
    await b.driver.command(ALICE, SUPPORT, '/card', 'block card-active-3 lost');
    const result = await b.driver.command(MALLORY, SECURE, '/card-audit', 'card:card-active-3');
    const answer = result.messages.find((m) => m.to === MALLORY);
    expect(visibleText(answer!)).toContain('card-active-3');
    expect(visibleText(answer!)).toContain('block');
  });

  it('when someone opens the Home tab (an Events API delivery), then it is published and the event acknowledged', async () => {
    const b = await start(mode);
    await b.driver.openHome(DAVE);
    expect(b.slack.homeTabs.get(DAVE)).toBeDefined();
    if (socket) expect(socket.sent.map((e) => e.type)).toEqual(['events_api']);
  });
});

describe('Socket Mode connection', () => {
  it('when the bot starts, then it asked the configured Slack API URL for the WebSocket URL with the app token', async () => {
    const b = await start('socket');
    const opens = b.slack.calls.filter((c) => c.method === 'apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]?.token).toBe(socket?.appToken);
    expect(socket?.connections).toBe(1);
  });

  it.each(['refresh_requested', 'warning'] as const)(
    'when Slack sends disconnect (%s) right behind an event, then the bot reconnects and the redelivered event is handled once',
    async (reason) => {
      const b = await start('socket');
      const fake = socket!;
      // The Home tab event goes out, then the disconnect: its ack is lost with the old connection,
      // so Slack sends it again on the new one (retry_attempt 1), where it is acknowledged.
      const delivered = fake.deliverThenDisconnect(homeOpened(b, DAVE), reason);
      const result = await delivered;
      expect(result.status).toBe(200);
      await fake.connected(2);
      expect(fake.connections).toBe(2);
      expect(fake.sent.map((e) => [e.type, e.retry_attempt])).toEqual([
        ['events_api', 0],
        ['events_api', 1],
      ]);
      expect(b.slack.calls.filter((c) => c.method === 'apps.connections.open')).toHaveLength(2);
      await b.bot.idle();
      expect(b.slack.homeTabs.get(DAVE)).toBeDefined();
      // A redelivery carries the same event_id: the bot drops it rather than doing the work twice.
      expect(b.slack.calls.filter((c) => c.method === 'views.publish')).toHaveLength(1);
      expect(fake.strayAcks).toEqual([]);

      // And the new connection serves commands.
      const after = await b.driver.command(ALICE, SUPPORT, '/card', 'block card-active-4 lost');
      expect(after.messages.find((m) => m.to === ALICE)?.text).toContain('blocked');
    },
    20_000,
  );
});

/** The Events API body Slack sends when a user opens the app's Home tab. */
function homeOpened(b: OfflineBot, user: string) {
  return {
    kind: 'event' as const,
    body: {
      token: 'legacy-verification-token',
      team_id: b.slack.teamId,
      api_app_id: 'A0CARDOPS',
      event: { type: 'app_home_opened', user, channel: `D${user.slice(1)}`, tab: 'home', event_ts: '1.0' },
      type: 'event_callback',
      event_id: `Ev${user}HOME`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: b.slack.teamId, user_id: 'U0CARDBOT', is_bot: true }],
    },
  };
}
