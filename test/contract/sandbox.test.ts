import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCardIssuer } from '../../src/adapters/issuer/create-issuer.js';
import { createLogger } from '../../src/logger.js';
import { DEMO_CARDS, luhnValid } from '../../src/sandbox/demo-cards.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';

/*
 * The sandbox as an HTTP server: what it answers to raw requests (bad bodies, unknown paths,
 * keys), its seeds, its isolation, its logging, and that it stops promptly.
 */

let sandbox: Sandbox;

const soveraTraceIds = z.array(z.object({ meta: z.object({ traceId: z.string() }) }));

beforeAll(async () => {
  sandbox = await startSandbox({ slowMs: 2_000 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, type: response.headers.get('content-type'), json: await response.json() };
}

describe('demo cards', () => {
  it('when the seeds are listed, then every PAN is Luhn-valid on the test prefix with 3-digit CVV and 4-digit PIN', () => {
    expect(DEMO_CARDS.length).toBeGreaterThanOrEqual(9);
    for (const card of DEMO_CARDS) {
      expect(luhnValid(card.pan), card.id).toBe(true);
      expect(card.pan).toMatch(/^492987\d{10}$/);
      expect(card.cvv).toMatch(/^\d{3}$/);
      expect(card.pin).toMatch(/^\d{4}$/);
      expect(card.expDate).toMatch(/^(0[1-9]|1[0-2])\/\d{2}$/);
    }
    expect(new Set(DEMO_CARDS.map((c) => c.id)).size).toBe(DEMO_CARDS.length);
    expect(new Set(DEMO_CARDS.map((c) => c.pan)).size).toBe(DEMO_CARDS.length);
  });

  it('when the documented demo ids are looked up, then they hold the documented states', () => {
    const state = (id: string) => sandbox.card(id);
    expect(state('card-active-1')).toMatchObject({ status: 'active', isActive: true, pinBlocked: false, limit: null });
    expect(state('card-active-2')).toMatchObject({ status: 'active', pinBlocked: true });
    expect(state('card-active-3')).toMatchObject({ status: 'active', limit: 500 });
    expect(state('card-blocked-1')).toMatchObject({ status: 'blocked', isActive: false });
    expect(state('card-cancelled-1')).toMatchObject({ status: 'cancelled' });
    expect(state('card-printed-1')).toMatchObject({ status: 'pendingAck', printed: true });
    expect(state('card-unprinted-1')).toMatchObject({ status: 'pendingAck', printed: false });
    for (const fault of ['500', 'slow', 'malformed', 'html', 'huge', 'otherdialect']) {
      expect(state(`card-fault-${fault}`), fault).toBeDefined();
    }
    expect(state('card-nobody')).toBeUndefined();
  });

  it('when luhnValid is given a bad number, then it says so', () => {
    expect(luhnValid('4929870000000000')).toBe(false);
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('not-a-pan')).toBe(false);
  });

  it('when a card snapshot is taken, then it holds no secret', () => {
    const snapshot = JSON.stringify(sandbox.card('card-active-1'));
    const card = DEMO_CARDS[0];
    expect(snapshot).not.toContain(card?.pan);
    expect(snapshot).not.toMatch(/pin"|cvv|pan|expDate/i);
  });
});

describe('raw requests', () => {
  it('when the body is not JSON, then 400 in the dialect of the path', async () => {
    const sovera = await post('/cards/v2/operations/block', 'not json');
    expect(sovera.status).toBe(400);
    expect(sovera.json).toMatchObject({
      success: false,
      errors: [{ code: expect.any(String), message: expect.any(String) }],
      meta: { version: '2', traceId: expect.any(String), timestamp: expect.any(String) },
    });
    const paycaddy = await post('/v1/cardOperations/blockCard', 'not json');
    expect(paycaddy.status).toBe(400);
    expect(paycaddy.type).toMatch(/^application\/problem\+json/);
    expect(paycaddy.json).toMatchObject({
      status: 400,
      title: 'Bad Request',
      instance: '/v1/cardOperations/blockCard',
    });
  });

  it('when cardId is missing or not a string, then 400', async () => {
    expect((await post('/cards/v2/operations/block', '{}')).status).toBe(400);
    expect((await post('/v1/cardOperations/blockCard', '{"cardId": 12}')).status).toBe(400);
    expect((await post('/v1/cardOperations/blockCard', '["card-active-1"]')).status).toBe(400);
    expect(sandbox.calls).toHaveLength(0);
  });

  it('when the path is unknown, then 404', async () => {
    expect((await post('/cards/v2/operations/explode', '{"cardId":"card-active-1"}')).status).toBe(404);
    expect((await post('/v1/nothing', '{"cardId":"card-active-1"}')).status).toBe(404);
    expect((await post('/', '{}')).status).toBe(404);
  });

  it('when a Sovera answer is an error, then each carries a fresh traceId', async () => {
    const first = await post('/cards/v2/operations/block', '{"cardId":"card-blocked-1"}');
    const second = await post('/cards/v2/operations/block', '{"cardId":"card-blocked-1"}');
    expect(first.json).toMatchObject({
      success: false,
      errors: [{ code: 'INVALID_STATE', message: 'Card is already blocked', field: 'cardId' }],
    });
    const traceIds = soveraTraceIds.parse([first.json, second.json]).map((body) => body.meta.traceId);
    expect(new Set(traceIds).size).toBe(2);
  });

  it('when an unknown card is asked, then Sovera says 404 and PayCaddy 422 "card not found"', async () => {
    expect((await post('/cards/v2/operations/block', '{"cardId":"card-x"}')).status).toBe(404);
    const paycaddy = await post('/v1/cardOperations/blockCard', '{"cardId":"card-x"}');
    expect(paycaddy.status).toBe(422);
    expect(paycaddy.json).toMatchObject({ status: 422, detail: 'card not found' });
  });

  it('when the new PIN is not 4 digits, then 400 and the PIN is unchanged', async () => {
    const answer = await post('/cards/v2/operations/pin', '{"cardId":"card-active-1","pin":"12345"}');
    expect(answer.status).toBe(405); // the Sovera PIN change is a PUT
    const put = await fetch(`${sandbox.url}/cards/v2/operations/pin`, {
      method: 'PUT',
      body: '{"cardId":"card-active-1","pin":"12345"}',
    });
    expect(put.status).toBe(400);
    const numeric = await post('/v1/cardOperations/changePin', '{"cardId":"card-active-1","pin":1234}');
    expect(numeric.status).toBe(400);
  });

  it('when a limit is set to a negative or non-number, then 400', async () => {
    expect((await post('/v1/ChangeLimitIWL', '{"cardId":"card-active-1","limit":-1}')).status).toBe(400);
    expect((await post('/v1/ChangeLimitIWL', '{"cardId":"card-active-1","limit":"100"}')).status).toBe(400);
    expect(sandbox.card('card-active-1')?.limit).toBeNull();
  });

  it('when an unset limit is read, then PayCaddy answers the bare JSON text', async () => {
    const response = await fetch(`${sandbox.url}/v1/ChangeLimitIWL/card-active-1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toBe('No stablish internal limit');
  });
});

describe('sandbox lifecycle', () => {
  it('when reset, then the cards are re-seeded and the calls cleared', async () => {
    await createCardIssuer('paycaddy', {
      baseUrl: sandbox.url,
      apiKey: undefined,
      authHeader: 'X-API-KEY',
      timeoutMs: 2_000,
    }).block('card-active-1');
    expect(sandbox.card('card-active-1')?.status).toBe('blocked');
    expect(sandbox.calls).toHaveLength(1);
    sandbox.reset();
    expect(sandbox.card('card-active-1')?.status).toBe('active');
    expect(sandbox.calls).toHaveLength(0);
  });

  it('when two sandboxes run, then each has its own state', async () => {
    const other = await startSandbox();
    try {
      await post('/cards/v2/operations/block', '{"cardId":"card-active-1"}');
      expect(sandbox.card('card-active-1')?.status).toBe('blocked');
      expect(other.card('card-active-1')?.status).toBe('active');
      expect(other.calls).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('when an API key is configured, then a request without it gets 401 and one with it passes', async () => {
    const keyed = await startSandbox({ apiKey: 'sandbox-key-1', authHeader: 'X-Issuer-Key' });
    try {
      const without = await fetch(`${keyed.url}/v1/cardOperations/checkCvv`, {
        method: 'POST',
        body: '{"cardId":"card-active-1"}',
      });
      expect(without.status).toBe(401);
      const issuer = createCardIssuer('paycaddy', {
        baseUrl: keyed.url,
        apiKey: 'sandbox-key-1',
        authHeader: 'X-Issuer-Key',
        timeoutMs: 2_000,
      });
      expect((await issuer.cvv('card-active-1')).cvv).toBe('123');
    } finally {
      await keyed.close();
    }
  });

  it('when closed with a slow request in flight, then close returns at once', async () => {
    const slow = await startSandbox({ slowMs: 15_000 });
    const pending = fetch(`${slow.url}/cards/v2/operations/check/cvv`, {
      method: 'POST',
      body: '{"cardId":"card-fault-slow"}',
    }).catch(() => 'aborted');
    // Until the request is in (a fixed 50 ms was not always enough on a loaded machine).
    while (slow.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(slow.calls).toHaveLength(1);
    const started = Date.now();
    await slow.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBe('aborted');
  });

  it('when closed with an idle keep-alive connection, then close returns at once', async () => {
    const idle = await startSandbox();
    await fetch(`${idle.url}/v1/cardOperations/checkCvv`, { method: 'POST', body: '{"cardId":"card-active-1"}' });
    const started = Date.now();
    await idle.close();
    await idle.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('when given a logger, then it logs op, card id and status but no secret', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } });
    const logged = await startSandbox({ logger });
    try {
      const issuer = createCardIssuer('sovera', {
        baseUrl: logged.url,
        apiKey: undefined,
        authHeader: 'X-API-KEY',
        timeoutMs: 2_000,
      });
      await issuer.pan('card-active-1');
      await issuer.cvv('card-active-1');
      await issuer.pin('card-active-1');
      await issuer.changePin('card-active-1', '7302');
    } finally {
      await logged.close();
    }
    const text = lines.join('');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ op: 'pan', cardId: 'card-active-1', status: 201 });
    const card = DEMO_CARDS.find((c) => c.id === 'card-active-1');
    for (const secret of [card?.pan, card?.cvv, card?.pin, card?.expDate, '7302']) {
      expect(text).not.toContain(secret);
    }
  });

  it('when calls are recorded, then they hold no secret', async () => {
    const issuer = createCardIssuer('paycaddy', {
      baseUrl: sandbox.url,
      apiKey: undefined,
      authHeader: 'X-API-KEY',
      timeoutMs: 2_000,
    });
    await issuer.changePin('card-active-1', '7302');
    await issuer.pan('card-active-1');
    const text = JSON.stringify(sandbox.calls);
    expect(text).not.toContain('7302');
    expect(text).not.toContain(DEMO_CARDS[0]?.pan);
  });
});
