import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../src/sandbox/demo-cards.js';
import { createMetrics } from '../../src/service/metrics.js';
import { createReadiness } from '../../src/service/readiness.js';
import { databaseWritable } from '../../src/service/sqlite-writable.js';
import { type OfflineBot, type OfflineBotOptions, startOfflineBot } from '../../src/shell/offline-bot.js';
import { captureLog } from '../helpers/capture-log.js';
import { ALICE, CAROL, SUPPORT } from './approvals-support.js';

/** /healthz, /readyz, /metrics and the operation log, on the real app over HTTP. */

const SECURE = 'C0SECURE';
const BOB = 'U0AGENT02'; // an agent only through the user group S0SUPPORT

let bot: OfflineBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function start(options: OfflineBotOptions & { metricsToken?: string } = {}) {
  const metrics = createMetrics({ processMetrics: true });
  let databasePath = '';
  const readiness = createReadiness({
    databaseWritable: () => databaseWritable(databasePath),
    policyLoaded: () => true,
  });
  readiness.setSlack({ ok: true });
  bot = await startOfflineBot({
    ...options,
    transport: 'http',
    service: { metrics, readiness, metricsToken: options.metricsToken },
  });
  databasePath = bot.databasePath;
  const base = (bot.url ?? '').replace(/\/slack\/events$/, '');
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { headers });
    return { status: response.status, text: await response.text() };
  };
  return { bot, metrics, readiness, get };
}

describe('health and metrics endpoints', () => {
  it('when probed, then /healthz and /readyz answer 200 and no probe is logged', async () => {
    const log = captureLog();
    const { get } = await start({ logLevel: 'info', logDestination: log.stream });
    for (let i = 0; i < 3; i++) {
      expect(await get('/healthz')).toEqual({ status: 200, text: 'ok\n' });
      expect(await get('/readyz')).toEqual({ status: 200, text: 'ready\n' });
    }
    expect(log.text()).not.toMatch(/healthz|readyz/);
  });

  it('when the issuer refuses the credentials, then the agent is told it is the operator’s problem, one error line names the variables, and /readyz is 503 until a call succeeds', async () => {
    const log = captureLog();
    const { bot: b, get } = await start({ logLevel: 'info', logDestination: log.stream });
    b.sandbox?.setApiKey('a-key-the-bot-does-not-have');
    for (const card of ['card-active-1', 'card-active-2']) {
      const result = await b.driver.command(ALICE, SUPPORT, '/card', `block ${card} lost`);
      const answer = result.messages.find((m) => m.to === ALICE);
      expect(answer?.text).toContain('cardops cannot sign in to the issuer');
      expect(answer?.text).toContain('the operator has been alerted');
      expect(answer?.text).not.toMatch(/trace id|issuer's support/);
    }
    const errors = log.lines().filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain('CARD_API_KEY');
    expect(errors[0]?.msg).toContain('CARD_API_AUTH_HEADER');
    expect(log.text()).not.toContain('offline-sandbox-key');
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.text).toMatch(/^issuer: credentials refused \(HTTP 401\)/m);

    b.sandbox?.setApiKey('offline-sandbox-key');
    await b.driver.command(ALICE, SUPPORT, '/card', 'block card-active-3 lost');
    expect(await get('/readyz')).toEqual({ status: 200, text: 'ready\n' });
  });

  it('when commands, reveals and a refusal happened, then /metrics counts them by op and outcome with no card id, user id or secret anywhere', async () => {
    const { bot: b, get } = await start();
    await b.driver.command(ALICE, SUPPORT, '/card', 'block card-active-1 lost');
    await b.driver.command('U0STRANGE', SUPPORT, '/card', 'unblock card-active-1');
    const asked = await b.driver.command(CAROL, SECURE, '/card', 'cvv card-active-1');
    await b.driver.click(CAROL, asked.messages[0]!, 'reveal_secret');
    await b.driver.command(ALICE, SUPPORT, '/card', '4111111111111111 block');
    await b.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-2 stolen');

    const { status, text } = await get('/metrics');
    expect(status).toBe(200);
    expect(text).toContain('cardops_operations_total{op="block",outcome="ok"} 1');
    expect(text).toContain('cardops_operations_total{op="unblock",outcome="denied"} 1');
    expect(text).toContain('cardops_reveals_total{op="cvv"} 1');
    expect(text).toMatch(/cardops_issuer_call_seconds_count\{op="block",outcome="ok"\} 1/);
    expect(text).toMatch(/cardops_acks_total\{kind="command"\} [1-9]/);
    expect(text).toMatch(/cardops_acks_total\{kind="interaction"\} [1-9]/);
    expect(text).toContain('cardops_approvals_pending 1');
    expect(text).toContain('cardops_usergroups_stale 0');
    expect(text).toMatch(/cardops_audit_append_seconds_count [1-9]/);
    expect(text).toMatch(/nodejs_eventloop_lag_p99_seconds/);
    const card = DEMO_CARDS.find((c) => c.id === 'card-active-1')!;
    const withoutSampleValues = text.replace(/^([^#\n].*) \S+$/gm, '$1');
    expect(withoutSampleValues).toContain('process_cpu_user_seconds_total');
    expect(withoutSampleValues).not.toMatch(/_seconds_total [0-9]/);
    for (const planted of [
      'card-active',
      ALICE,
      CAROL,
      'U0STRANGE',
      SUPPORT,
      card.pan,
      card.cvv,
      '4111111111111111',
      'offline-sandbox-key',
      'xoxb-',
    ]) {
      // Sample values are numbers that may hold any digit run (the CVV 123 inside a CPU time):
      // the names, labels and help text are where an identifier or a secret could leak.
      expect(withoutSampleValues).not.toContain(planted);
    }
  });

  it('when METRICS_TOKEN is set, then /metrics needs it as a bearer token', async () => {
    const { get } = await start({ metricsToken: 'scrape-token' });
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { authorization: 'Bearer wrong-token!' })).status).toBe(401);
    expect((await get('/metrics', { authorization: 'Bearer scrape-token' })).status).toBe(200);
    expect((await get('/healthz')).status).toBe(200);
  });

  it('when user-group reads keep failing past USERGROUP_MAX_STALE, then a member is refused with the reason, and the gauge shows it', async () => {
    const { bot: b, get } = await start({ userGroupMaxStaleMs: 1 });
    const first = await b.driver.command(BOB, SUPPORT, '/card', 'limit card-active-1');
    expect(first.messages.find((m) => m.to === BOB)?.text).not.toMatch(/You need/);

    b.slack.fail('usergroups.users.list', { error: 'ratelimited', times: 1000 });
    await b.bot.deps.userGroups.refresh();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = await b.driver.command(BOB, SUPPORT, '/card', 'limit card-active-1');
    const text = refused.messages.find((m) => m.to === BOB)?.text ?? '';
    expect(text).toMatch(/You need/);
    expect(text).toContain('S0SUPPORT could not be read from Slack for too long');
    expect((await get('/metrics')).text).toContain('cardops_usergroups_stale 1');
  });
});

describe('operation log', () => {
  it('when an operation finishes and an approval is decided, then one info line each carries the documented fields and no secret', async () => {
    const log = captureLog();
    const { bot: b } = await start({ logLevel: 'info', logDestination: log.stream });
    await b.driver.command(ALICE, SUPPORT, '/card', 'block card-active-1 lost');
    const asked = await b.driver.command(CAROL, SECURE, '/card', 'pan card-active-1');
    await b.driver.click(CAROL, asked.messages[0]!, 'reveal_secret');
    await b.driver.command(ALICE, SUPPORT, '/card', 'cancel card-active-2 stolen');
    const message = b.slack.messages.filter((m) => m.channel === 'C0APPROVE').at(-1);
    await b.driver.click('U0ONCALL1', message!, 'approval_reject');
    await b.driver.submitView('U0ONCALL1', b.driver.openViewOf('U0ONCALL1')!, { reason: 'customer found it' });

    const lines = log.lines().filter((line) => typeof line.event === 'string' && line.event.startsWith('cardops.'));
    const block = lines.find((l) => l.op === 'block' && l.outcome === 'ok');
    expect(block).toMatchObject({
      level: 30,
      event: 'cardops.operation',
      actorId: ALICE,
      channelId: SUPPORT,
      cardId: 'card-active-1',
      requestId: null,
    });
    expect(typeof block?.traceId).toBe('string');
    expect(block?.durationMs).toEqual(expect.any(Number));
    expect(lines.filter((l) => l.op === 'block')).toHaveLength(1);
    expect(lines.find((l) => l.op === 'pan' && l.outcome === 'revealed')).toMatchObject({ actorId: CAROL });
    const decision = lines.find((l) => l.event === 'cardops.approval');
    expect(decision).toMatchObject({ op: 'cancel', outcome: 'rejected', actorId: 'U0ONCALL1' });
    expect(decision?.requestId).toMatch(/^CR-/);
    const card = DEMO_CARDS.find((c) => c.id === 'card-active-1')!;
    expect(log.text()).not.toContain(card.pan);
    expect(log.text()).not.toContain(card.pan.match(/.{1,4}/g)?.join(' '));
  });
});
