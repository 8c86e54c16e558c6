import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCardIssuer } from '../../src/adapters/issuer/create-issuer.js';
import type { CardIssuer, IssuerClientOptions } from '../../src/domain/cards/card-issuer.js';
import { AppError } from '../../src/errors.js';
import { DEMO_CARDS, luhnValid } from '../../src/sandbox/demo-cards.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';

/*
 * Both clients against the real sandbox: every op, every error class. What each dialect
 * answers differently (status codes, envelopes, loose fields) is the sandbox's business; the
 * normalised results and errors must come out the same.
 */

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ slowMs: 2_000 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
});

type Provider = 'sovera' | 'paycaddy';

function client(provider: Provider, overrides: Partial<IssuerClientOptions> = {}): CardIssuer {
  return createCardIssuer(provider, {
    baseUrl: sandbox.url,
    apiKey: undefined,
    authHeader: 'X-API-KEY',
    timeoutMs: 3_000,
    readRetryDelayMs: 10,
    ...overrides,
  });
}

function demo(id: string) {
  const card = DEMO_CARDS.find((c) => c.id === id);
  if (!card) throw new Error(`no demo card ${id}`);
  return card;
}

/** The AppError a promise rejects with; fails the test if it resolves or rejects with anything else. */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const callsFor = (cardId: string) => sandbox.calls.filter((call) => call.cardId === cardId);

/** A port that was just free and now refuses connections. */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${address.port}`;
}

describe.each<Provider>(['sovera', 'paycaddy'])('%s client against the sandbox', (provider) => {
  const notFoundStatus = provider === 'sovera' ? 404 : 422;

  describe('successful operations', () => {
    it('when a printed pendingAck card is activated, then it is active', async () => {
      const result = await client(provider).activate('card-printed-1');
      expect(result).toMatchObject({ cardId: 'card-printed-1', isActive: true, status: 'active' });
      expect(sandbox.card('card-printed-1')?.status).toBe('active');
    });

    it('when an active card is blocked, then the answer says inactive and blocked', async () => {
      const result = await client(provider).block('card-active-1');
      expect(result).toMatchObject({ cardId: 'card-active-1', isActive: false, status: 'blocked' });
      expect(sandbox.card('card-active-1')?.status).toBe('blocked');
    });

    it('when a blocked card is unblocked, then it is active again', async () => {
      const result = await client(provider).unblock('card-blocked-1');
      expect(result).toMatchObject({ cardId: 'card-blocked-1', isActive: true, status: 'active' });
    });

    it('when an active card is cancelled, then isActive is the boolean false and the status cancelled', async () => {
      const result = await client(provider).cancel('card-active-1');
      expect(result.isActive).toBe(false);
      expect(result.status).toBe('cancelled');
      expect(sandbox.card('card-active-1')?.status).toBe('cancelled');
    });

    it('when the PAN is read, then it is the seeded Luhn-valid PAN with its expiry as a string', async () => {
      const result = await client(provider).pan('card-active-1');
      expect(result.pan).toBe(demo('card-active-1').pan);
      expect(luhnValid(result.pan)).toBe(true);
      expect(result.expDate).toBe('12/28');
    });

    it('when the CVV is read, then it keeps its leading zero', async () => {
      expect((await client(provider).cvv('card-active-2')).cvv).toBe('047');
    });

    it('when the expiry is read, then the due date is a MM/YY string whatever the dialect sends', async () => {
      expect((await client(provider).expiry('card-active-1')).dueDate).toBe('12/28');
      expect((await client(provider).expiry('card-active-2')).dueDate).toBe('07/29');
    });

    it('when the PIN is read, then it is the seeded PIN', async () => {
      expect((await client(provider).pin('card-active-1')).pin).toBe(demo('card-active-1').pin);
    });

    it('when a blocked PIN is unblocked, then the PIN comes back and the flag is cleared', async () => {
      expect(sandbox.card('card-active-2')?.pinBlocked).toBe(true);
      const result = await client(provider).unblockPin('card-active-2');
      expect(result.pin).toBe(demo('card-active-2').pin);
      expect(sandbox.card('card-active-2')?.pinBlocked).toBe(false);
    });

    it('when the PIN is changed, then the new PIN is returned and read back', async () => {
      const issuer = client(provider);
      expect((await issuer.changePin('card-active-4', '5830')).pin).toBe('5830');
      expect((await issuer.pin('card-active-4')).pin).toBe('5830');
    });

    it('when a state change succeeds, then exactly one call reached the issuer', async () => {
      await client(provider).block('card-active-5');
      expect(callsFor('card-active-5')).toEqual([
        expect.objectContaining({ dialect: provider, op: 'block', cardId: 'card-active-5' }),
      ]);
    });
  });

  describe('issuer refusals', () => {
    it('when a blocked card is blocked again, then STATE_CONFLICT carries the issuer message', async () => {
      const error = await failure(client(provider).block('card-blocked-1'));
      expect(error.code).toBe('STATE_CONFLICT');
      expect(error.httpStatus).toBe(400);
      expect(error.issuerMessage).toBe('Card is already blocked');
      expect(error.userMessage).toBe('The issuer refused: Card is already blocked.');
      expect(error.outcome).toBe('failed');
      if (provider === 'sovera') expect(error.traceId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('when an active card is activated, then the issuer says it is already active', async () => {
      const error = await failure(client(provider).activate('card-active-1'));
      expect(error.issuerMessage).toBe('Card is already active');
    });

    it('when an active card is unblocked, then the issuer says it is already unblocked', async () => {
      const error = await failure(client(provider).unblock('card-active-1'));
      expect(error.issuerMessage).toBe('Card is already unblocked');
    });

    it('when a card not yet printed is activated, then STATE_CONFLICT says so and the card stays pendingAck', async () => {
      const error = await failure(client(provider).activate('card-unprinted-1'));
      expect(error.code).toBe('STATE_CONFLICT');
      expect(error.userMessage).toBe('The issuer refused: Card has not been printed yet.');
      expect(sandbox.card('card-unprinted-1')?.status).toBe('pendingAck');
    });

    it('when a cancelled card is cancelled or blocked, then the issuer refuses and it stays cancelled', async () => {
      expect((await failure(client(provider).cancel('card-cancelled-1'))).issuerMessage).toBe(
        'Card is already cancelled',
      );
      expect((await failure(client(provider).block('card-cancelled-1'))).issuerMessage).toBe('Card is cancelled');
      expect(sandbox.card('card-cancelled-1')?.status).toBe('cancelled');
    });

    it('when the PIN is unblocked but was not blocked, then STATE_CONFLICT', async () => {
      const error = await failure(client(provider).unblockPin('card-active-1'));
      expect(error.code).toBe('STATE_CONFLICT');
      expect(error.issuerMessage).toBe('PIN is not blocked');
    });

    it('when the card is unknown, then CARD_NOT_FOUND', async () => {
      const error = await failure(client(provider).block('card-nobody-1'));
      expect(error.code).toBe('CARD_NOT_FOUND');
      expect(error.httpStatus).toBe(notFoundStatus);
      const read = await failure(client(provider).pan('card-nobody-1'));
      expect(read.code).toBe('CARD_NOT_FOUND');
    });

    it('when the card id is not of the documented form, then INVALID_INPUT and nothing reaches the issuer', async () => {
      const error = await failure(client(provider).block('../etc/passwd'));
      expect(error.code).toBe('INVALID_INPUT');
      expect(sandbox.calls).toHaveLength(0);
    });
  });

  describe('issuer failures', () => {
    it('when the issuer answers 500 to a state change, then ISSUER_FAILURE after exactly one call', async () => {
      const error = await failure(client(provider).block('card-fault-500'));
      expect(error.code).toBe('ISSUER_FAILURE');
      expect(error.httpStatus).toBe(500);
      expect(error.outcome).toBe('failed');
      expect(error.message).toBe(`issuer ${provider} (block): HTTP 500`);
      if (provider === 'sovera') expect(error.traceId).toMatch(/^[0-9a-f-]{36}$/);
      expect(callsFor('card-fault-500')).toHaveLength(1);
    });

    it('when the issuer answers 500 to a read of cardholder data, then it is not retried: one audited access, one call', async () => {
      for (const read of ['pan', 'cvv', 'expiry', 'pin'] as const) {
        const error = await failure(client(provider)[read]('card-fault-500'));
        expect(error.code).toBe('ISSUER_FAILURE');
      }
      expect(callsFor('card-fault-500')).toHaveLength(4);
    });

    it('when a state change times out, then ISSUER_TIMEOUT with outcome unknown', async () => {
      const started = Date.now();
      const error = await failure(client(provider, { timeoutMs: 300 }).block('card-fault-slow'));
      expect(error.code).toBe('ISSUER_TIMEOUT');
      expect(error.outcome).toBe('unknown');
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(callsFor('card-fault-slow')).toHaveLength(1);
    });

    it('when a read times out, then ISSUER_TIMEOUT with outcome failed and no retry', async () => {
      const error = await failure(client(provider, { timeoutMs: 300 }).pan('card-fault-slow'));
      expect(error.code).toBe('ISSUER_TIMEOUT');
      expect(error.outcome).toBe('failed');
      expect(callsFor('card-fault-slow')).toHaveLength(1);
    });

    it('when the issuer port is closed, then ISSUER_UNREACHABLE with outcome failed', async () => {
      const baseUrl = await closedPortUrl();
      const error = await failure(client(provider, { baseUrl }).block('card-active-1'));
      expect(error.code).toBe('ISSUER_UNREACHABLE');
      expect(error.outcome).toBe('failed');
      expect(error.message).toBe(`issuer ${provider} (block): ECONNREFUSED`);
      const read = await failure(client(provider, { baseUrl }).cvv('card-active-1'));
      expect(read.code).toBe('ISSUER_UNREACHABLE');
    });

    it('when a success answer is not the documented shape, then ISSUER_MALFORMED, outcome unknown for a state change', async () => {
      const error = await failure(client(provider).block('card-fault-malformed'));
      expect(error.code).toBe('ISSUER_MALFORMED');
      expect(error.outcome).toBe('unknown');
      if (provider === 'sovera') expect(error.traceId).toMatch(/^[0-9a-f-]{36}$/);
      const read = await failure(client(provider).pan('card-fault-malformed'));
      expect(read.code).toBe('ISSUER_MALFORMED');
      expect(read.outcome).toBe('failed');
    });

    it('when the issuer answers text/html, then ISSUER_MALFORMED', async () => {
      const error = await failure(client(provider).block('card-fault-html'));
      expect(error.code).toBe('ISSUER_MALFORMED');
      expect(error.message).toBe(`issuer ${provider} (block): HTTP 200, answer is text/html`);
    });

    it('when the issuer answers a 10 MB body, then ISSUER_MALFORMED without reading it all', async () => {
      const error = await failure(client(provider).pan('card-fault-huge'));
      expect(error.code).toBe('ISSUER_MALFORMED');
      expect(error.message).toContain('larger than');
    });

    it("when the issuer answers in the other dialect's envelope, then ISSUER_MALFORMED", async () => {
      const error = await failure(client(provider).block('card-fault-otherdialect'));
      expect(error.code).toBe('ISSUER_MALFORMED');
      expect(error.outcome).toBe('unknown');
      const read = await failure(client(provider).cvv('card-fault-otherdialect'));
      expect(read.code).toBe('ISSUER_MALFORMED');
    });
  });
});

describe('sovera specifics', () => {
  it('when a Sovera call succeeds, then the meta.traceId is kept on the result', async () => {
    const result = await client('sovera').block('card-active-1');
    expect(result.traceId).toMatch(/^[0-9a-f-]{36}$/);
    const pan = await client('sovera').pan('card-active-1');
    expect(pan.traceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(pan.traceId).not.toBe(result.traceId);
  });

  it('when limit or set-limit is asked of Sovera, then NOT_OFFERED and nothing reaches the issuer', async () => {
    const issuer = client('sovera');
    const read = await failure(issuer.limit('card-active-3'));
    expect(read.code).toBe('NOT_OFFERED');
    expect(read.userMessage).toBe('Internal limits are not offered by this issuer (Sovera).');
    const write = await failure(issuer.setLimit('card-active-3', 100));
    expect(write.code).toBe('NOT_OFFERED');
    expect(sandbox.calls).toHaveLength(0);
  });

  it('when the PIN is changed through Sovera, then the sandbox saw the PUT on the PIN path', async () => {
    await client('sovera').changePin('card-active-1', '2580');
    expect(sandbox.calls).toEqual([expect.objectContaining({ dialect: 'sovera', op: 'change-pin' })]);
  });
});

describe('paycaddy specifics', () => {
  it('when a PayCaddy answer succeeds, then there is no traceId to keep', async () => {
    const result = await client('paycaddy').block('card-active-1');
    expect(result.traceId).toBeUndefined();
  });

  it('when a card has no internal limit, then limit is null', async () => {
    expect(await client('paycaddy').limit('card-active-1')).toEqual({ cardId: 'card-active-1', limit: null });
  });

  it('when a card has an internal limit, then it is read as a number', async () => {
    expect(await client('paycaddy').limit('card-active-3')).toEqual({ cardId: 'card-active-3', limit: 500 });
  });

  it('when a limit is set, then it is stored and read back', async () => {
    const issuer = client('paycaddy');
    expect(await issuer.setLimit('card-active-1', 1250)).toEqual({ cardId: 'card-active-1', limit: 1250 });
    expect(sandbox.card('card-active-1')?.limit).toBe(1250);
    expect((await issuer.limit('card-active-1')).limit).toBe(1250);
  });

  it('when a negative limit is set, then INVALID_INPUT and nothing reaches the issuer', async () => {
    const error = await failure(client('paycaddy').setLimit('card-active-1', -5));
    expect(error.code).toBe('INVALID_INPUT');
    expect(sandbox.calls).toHaveLength(0);
  });

  it('when the limit of an unknown card is read, then CARD_NOT_FOUND', async () => {
    const error = await failure(client('paycaddy').limit('card-nobody-1'));
    expect(error.code).toBe('CARD_NOT_FOUND');
    expect(error.httpStatus).toBe(422);
  });

  it('when a limit read meets a 500, then it is retried once', async () => {
    const error = await failure(client('paycaddy').limit('card-fault-500'));
    expect(error.code).toBe('ISSUER_FAILURE');
    expect(callsFor('card-fault-500')).toHaveLength(2);
  });

  it('when a limit set meets a 500, then it is not retried', async () => {
    await failure(client('paycaddy').setLimit('card-fault-500', 10));
    expect(callsFor('card-fault-500')).toHaveLength(1);
  });
});
