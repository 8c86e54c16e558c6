import { afterEach, describe, expect, it } from 'vitest';
import { type OfflineBot, SIGNING_SECRET_FOR_TESTS, startOfflineBot } from '../../src/shell/offline-bot.js';
import { encodeDelivery, signRequest } from '../../src/shell/slack-driver.js';

const ALICE = 'U0AGENT01';

function commandBody(bot: OfflineBot, text: string) {
  return {
    token: 'legacy',
    team_id: bot.slack.teamId,
    team_domain: 'cardops-test',
    channel_id: 'C0SUPPORT',
    channel_name: 'support',
    user_id: ALICE,
    user_name: 'alice',
    command: '/card',
    text,
    api_app_id: 'A0CARDOPS',
    response_url: bot.slack.newResponseUrl(ALICE, 'C0SUPPORT'),
    trigger_id: bot.slack.newTriggerId(ALICE, 'C0SUPPORT'),
  };
}

async function post(url: string, raw: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: raw,
  });
  return { status: response.status, body: await response.text() };
}

describe('Slack requests over HTTP', () => {
  let bot: OfflineBot;
  afterEach(async () => bot?.close());

  it('when a correctly signed /card block arrives, then it is acknowledged, handled and audited', async () => {
    bot = await startOfflineBot({ transport: 'http', provider: 'paycaddy' });
    const result = await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-2 customer call');
    expect(result.status).toBe(200);
    expect(result.messages.map((m) => [m.visibility, m.to])).toEqual([['ephemeral', ALICE]]);
    expect(result.messages[0]?.text).toContain('blocked');
    expect(bot.sandbox?.calls.map((c) => [c.dialect, c.op, c.cardId])).toEqual([
      ['paycaddy', 'block', 'card-active-2'],
    ]);
    const outcomes = (await bot.audit.query({ cardId: 'card-active-2' }, { limit: 5 })).rows.map((r) => r.outcome);
    expect(outcomes).toEqual(['ok', 'started']);
  });

  it('when the signature is wrong, then Bolt answers 401 and nothing runs', async () => {
    bot = await startOfflineBot({ transport: 'http' });
    const { raw } = encodeDelivery({ kind: 'command', body: commandBody(bot, 'block card-active-1') });
    const headers = signRequest('not-the-signing-secret', raw);
    const answer = await post(bot.url ?? '', raw, headers);
    expect(answer.status).toBe(401);
    await bot.bot.idle();
    expect(bot.sandbox?.calls).toHaveLength(0);
    expect(await bot.audit.count({})).toBe(0);
  });

  it('when the timestamp is more than 5 minutes old, then Bolt answers 401 even with a valid signature', async () => {
    bot = await startOfflineBot({ transport: 'http' });
    const { raw } = encodeDelivery({ kind: 'command', body: commandBody(bot, 'block card-active-1') });
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const answer = await post(bot.url ?? '', raw, signRequest(SIGNING_SECRET_FOR_TESTS, raw, stale));
    expect(answer.status).toBe(401);
    await bot.bot.idle();
    expect(bot.sandbox?.calls).toHaveLength(0);
  });

  it('when the body was altered after signing, then it is refused', async () => {
    bot = await startOfflineBot({ transport: 'http' });
    const { raw } = encodeDelivery({ kind: 'command', body: commandBody(bot, 'limit card-active-1') });
    const headers = signRequest(SIGNING_SECRET_FOR_TESTS, raw);
    const answer = await post(bot.url ?? '', raw.replace('limit', 'block'), headers);
    expect(answer.status).toBe(401);
  });
});
