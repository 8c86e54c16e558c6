import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../src/sandbox/demo-cards.js';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import {
  buildMessageClickBody,
  buttonsOf,
  createSlackDriver,
  processEventTransport,
} from '../../src/shell/slack-driver.js';
import { visibleText } from '../helpers/slack-text.js';

/**
 * SPEC §9: a Reveal offer lives in the store, not in the process that made it, so the click may
 * reach another process on the same database. That process reads the value itself and shows it
 * through the click's own response_url. (The same with real processes on PostgreSQL:
 * test/replicas/.)
 */

const CAROL = 'U0SENIOR1';
const SECURE = 'C0SECURE';
const ACTIVE = DEMO_CARDS.find((c) => c.id === 'card-active-1');
const spaced = (pan: string) => pan.match(/.{1,4}/g)?.join(' ') ?? pan;

describe('a Reveal offer shared through the database', () => {
  let first: OfflineBot | undefined;
  let second: OfflineBot | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await second?.close();
    await first?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Two processes on one database file; the second answers the first's Slack and uses its issuer. */
  async function startTwo() {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-reveal-'));
    const databasePath = path.join(dir, 'cardops.db');
    const one = await startOfflineBot({ databasePath });
    first = one;
    const two = await startOfflineBot({
      databasePath,
      slackApiUrl: one.slack.apiUrl,
      issuerBaseUrl: one.sandbox?.url ?? '',
    });
    second = two;
    const toSecond = createSlackDriver({
      slack: one.slack,
      transport: processEventTransport(two.bot.app),
      idle: () => two.bot.idle(),
    });
    return { toSecond };
  }

  it('when an offer made by one process is pressed on another sharing its database, then the second shows the value through the click, once, and it is the one that hides it', async () => {
    if (!ACTIVE) throw new Error('no demo card card-active-1');
    const { toSecond } = await startTwo();
    if (!first || !second) throw new Error('not started');

    const asked = await first.driver.command(CAROL, SECURE, '/card', `pan ${ACTIVE.id}`);
    const offer = asked.messages[0] as SlackMessage;
    expect(visibleText(offer)).toContain('Press Reveal to fetch');
    // The same button pressed a second time, on the first process, later.
    const [button] = buttonsOf(offer.blocks);
    if (!button) throw new Error('no Reveal button');
    const secondPress = buildMessageClickBody(first.slack, CAROL, offer, button).body;

    await toSecond.click(CAROL, offer, 'reveal_secret');
    expect(offer.visibility).toBe('ephemeral');
    expect(offer.to).toBe(CAROL);
    expect(visibleText(offer)).toContain(spaced(ACTIVE.pan));
    // The second process read it, and its timer is the one that will hide it.
    expect(second.bot.deps.reveals.shown).toBe(1);
    expect(first.bot.deps.reveals.shown).toBe(0);

    // Single use across processes: the same button pressed again on the first finds no offer.
    await processEventTransport(first.bot.app)({ kind: 'interaction', body: secondPress });
    await first.bot.idle();
    expect(visibleText(offer)).toContain('no longer valid');
    expect(visibleText(offer)).not.toContain(spaced(ACTIVE.pan));
    expect(first.sandbox?.calls.filter((c) => c.op === 'pan')).toHaveLength(1);

    // The second process's timer is the one that hides what it showed (here: at its shutdown).
    await first.bot.hideRevealedNow();
    expect(visibleText(offer)).not.toMatch(/hidden/i);
    await second.bot.hideRevealedNow();
    expect(second.bot.deps.reveals.shown).toBe(0);
    expect(visibleText(offer)).toMatch(/Hidden: cardops is restarting/);
  });

  it('when someone else presses the offer on another process, then nothing is read and the owner can still use it', async () => {
    if (!ACTIVE) throw new Error('no demo card card-active-1');
    const { toSecond } = await startTwo();
    if (!first || !second) throw new Error('not started');
    const asked = await first.driver.command(CAROL, SECURE, '/card', `pan ${ACTIVE.id}`);
    const offer = asked.messages[0] as SlackMessage;

    const stranger = await toSecond.click('U0STRANGE', offer, 'reveal_secret');
    expect(JSON.stringify(stranger.messages)).not.toContain(spaced(ACTIVE.pan));
    expect(first.sandbox?.calls).toHaveLength(0);

    await first.driver.click(CAROL, offer, 'reveal_secret');
    expect(visibleText(offer)).toContain(spaced(ACTIVE.pan));
  });
});
