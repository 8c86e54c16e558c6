import { afterEach, describe, expect, it } from 'vitest';
import { createCardIssuer } from '../../src/adapters/issuer/create-issuer.js';
import type { CardIssuer, IssuerClientOptions } from '../../src/domain/cards/card-issuer.js';
import { AppError } from '../../src/errors.js';
import { type CannedAnswer, type FakeIssuer, startFakeIssuer } from '../helpers/fake-issuer.js';

/*
 * The clients against canned answers written from the SPEC's description of each dialect, not
 * produced by our sandbox: the normalisation and the request shape are proven on their own.
 */

let fake: FakeIssuer | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function serve(answers: Record<string, CannedAnswer>): Promise<FakeIssuer> {
  fake = await startFakeIssuer(answers);
  return fake;
}

function client(
  provider: 'sovera' | 'paycaddy',
  issuer: FakeIssuer,
  overrides: Partial<IssuerClientOptions> = {},
): CardIssuer {
  return createCardIssuer(provider, {
    baseUrl: issuer.url,
    apiKey: 'k-test-123',
    authHeader: 'X-API-KEY',
    timeoutMs: 2_000,
    readRetryDelayMs: 5,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const meta = (traceId: string) => ({ timestamp: '2026-01-02T03:04:05Z', version: '2', traceId });
const sovera = (data: unknown, traceId = 'trace-abc-1') => ({ success: true, data, meta: meta(traceId) });

describe('sovera documented answers', () => {
  it('when cancel answers isActive "false" and status Cancel, then the result is boolean false and cancelled', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/cancel': {
        status: 201,
        body: sovera({ cardId: 'c-1', isActive: 'false', status: 'Cancel' }, 'trace-cancel'),
      },
    });
    const result = await client('sovera', issuer).cancel('c-1');
    expect(result).toEqual({ cardId: 'c-1', isActive: false, status: 'cancelled', traceId: 'trace-cancel' });
  });

  it('when statuses come as PendingAck, Active or Temporarilyblocked, then they are normalised', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/ack/reception': {
        status: 201,
        body: sovera({ cardId: 'c-1', isActive: 'TRUE', status: 'Active' }),
      },
      'POST /cards/v2/operations/block': {
        status: 201,
        body: sovera({ cardId: 'c-1', isActive: false, status: 'Temporarilyblocked' }),
      },
      'POST /cards/v2/operations/unblock': {
        status: 201,
        body: sovera({ cardId: 'c-1', isActive: true, status: 'PendingAck' }),
      },
    });
    const issuerClient = client('sovera', issuer);
    expect(await issuerClient.activate('c-1')).toMatchObject({ isActive: true, status: 'active' });
    expect(await issuerClient.block('c-1')).toMatchObject({ isActive: false, status: 'blocked' });
    expect(await issuerClient.unblock('c-1')).toMatchObject({ status: 'pendingAck' });
  });

  it('when the key is configured, then it travels in the configured header with a {cardId} body', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/block': { status: 201, body: sovera({ cardId: 'c-1', isActive: false }) },
    });
    await client('sovera', issuer, { authHeader: 'X-Issuer-Key' }).block('c-1');
    const [request] = issuer.requests;
    expect(request?.headers['x-issuer-key']).toBe('k-test-123');
    expect(request?.headers['x-api-key']).toBeUndefined();
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request?.body ?? '')).toEqual({ cardId: 'c-1' });
  });

  it('when no key is configured, then no key header is sent', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/block': { status: 201, body: sovera({ cardId: 'c-1', isActive: false }) },
    });
    await client('sovera', issuer, { apiKey: undefined }).block('c-1');
    expect(issuer.requests[0]?.headers['x-api-key']).toBeUndefined();
  });

  it('when the PIN is changed, then it is a PUT with {cardId, pin} answered 200', async () => {
    const issuer = await serve({
      'PUT /cards/v2/operations/pin': { status: 200, body: sovera({ cardId: 'c-1', pin: '5830' }) },
    });
    const result = await client('sovera', issuer).changePin('c-1', '5830');
    expect(result).toEqual({ pin: '5830', traceId: 'trace-abc-1' });
    expect(JSON.parse(issuer.requests[0]?.body ?? '')).toEqual({ cardId: 'c-1', pin: '5830' });
  });

  it('when secrets come as numbers, then they are strings with their leading zeros', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/check/pan': {
        status: 201,
        body: sovera({ cardId: 'c-1', pan: '4929 8700 0001 0000', expDate: 128 }),
      },
      'POST /cards/v2/operations/check/cvv': { status: 201, body: sovera({ cardId: 'c-1', cvv: 47 }) },
      'POST /cards/v2/operations/check/pin': { status: 201, body: sovera({ cardId: 'c-1', pin: 812 }) },
      'POST /cards/v2/operations/check/due/date': { status: 201, body: sovera({ cardId: 'c-1', dueDate: '12/28' }) },
    });
    const issuerClient = client('sovera', issuer);
    expect(await issuerClient.pan('c-1')).toMatchObject({ pan: '4929870000010000', expDate: '01/28' });
    expect((await issuerClient.cvv('c-1')).cvv).toBe('047');
    expect((await issuerClient.pin('c-1')).pin).toBe('0812');
    expect((await issuerClient.expiry('c-1')).dueDate).toBe('12/28');
  });

  it('when a 400 holds a card number and a long text, then the issuer message is masked and cut', async () => {
    const long = `Card 4929870001000000 is already blocked. ${'Details follow. '.repeat(40)}`;
    const issuer = await serve({
      'POST /cards/v2/operations/block': {
        status: 400,
        body: { success: false, errors: [{ code: 'X', message: long, field: 'cardId' }], meta: meta('trace-400') },
      },
    });
    const error = await failure(client('sovera', issuer).block('c-1'));
    expect(error.code).toBe('STATE_CONFLICT');
    expect(error.traceId).toBe('trace-400');
    expect(error.issuerMessage).toMatch(/^Card 492987\*{6}0000 is already blocked\./);
    expect(error.issuerMessage?.length).toBeLessThanOrEqual(200);
    expect(error.userMessage).not.toMatch(/\d{13,19}/);
  });

  it('when a trace id is a UUID of digit groups, then it is kept verbatim; a card-number-like one is masked', async () => {
    const uuid = '12345678-1234-4234-8234-123456789012';
    const issuer = await serve({
      'POST /cards/v2/operations/block': { status: 201, body: sovera({ cardId: 'c-1', isActive: false }, uuid) },
      'POST /cards/v2/operations/unblock': {
        status: 201,
        body: sovera({ cardId: 'c-1', isActive: true }, 'trace-4929870001000000'),
      },
    });
    expect((await client('sovera', issuer).block('c-1')).traceId).toBe(uuid);
    expect((await client('sovera', issuer).unblock('c-1')).traceId).toBe('trace-492987******0000');
  });

  it('when the success envelope lacks meta, then ISSUER_MALFORMED', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/block': { status: 201, body: { success: true, data: { cardId: 'c-1' } } },
    });
    expect((await failure(client('sovera', issuer).block('c-1'))).code).toBe('ISSUER_MALFORMED');
  });

  it('when a state change is answered about another card, then ISSUER_WRONG_CARD with an unknown outcome', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/block': { status: 201, body: sovera({ cardId: 'c-2', isActive: false }) },
    });
    const error = await failure(client('sovera', issuer).block('c-1'));
    expect(error.code).toBe('ISSUER_WRONG_CARD');
    expect(error.outcome).toBe('unknown');
    expect(error.traceId).toBe('trace-abc-1');
  });

  it('when the body is not valid JSON though typed so, then ISSUER_MALFORMED', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/check/cvv': { status: 201, raw: '{"success": tru' },
    });
    expect((await failure(client('sovera', issuer).cvv('c-1'))).code).toBe('ISSUER_MALFORMED');
  });

  it('when the issuer answers 401, then ISSUER_AUTH: the operator’s problem, told as such', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/block': {
        status: 401,
        body: { success: false, errors: [{ code: 'AUTH', message: 'bad key', field: null }], meta: meta('t-401') },
      },
    });
    const error = await failure(client('sovera', issuer).block('c-1'));
    expect(error.code).toBe('ISSUER_AUTH');
    expect(error.userMessage).toBe('cardops cannot sign in to the issuer; the operator has been alerted.');
    expect(error.httpStatus).toBe(401);
    expect(error.traceId).toBe('t-401');
  });

  it('when a gateway answers 502 to a state change, then the outcome is unknown', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/block': { status: 502, raw: '<html>Bad gateway</html>', contentType: 'text/html' },
    });
    const error = await failure(client('sovera', issuer).block('c-1'));
    expect(error.code).toBe('ISSUER_FAILURE');
    expect(error.outcome).toBe('unknown');
    expect(issuer.requests).toHaveLength(1);
  });

  it('when the issuer redirects, then the redirect is not followed and the key goes nowhere else', async () => {
    const issuer = await serve({
      'POST /cards/v2/operations/block': { status: 302, raw: '', contentType: 'text/plain' },
    });
    const error = await failure(client('sovera', issuer).block('c-1'));
    expect(error.code).toBe('ISSUER_FAILURE');
    expect(issuer.requests).toHaveLength(1);
  });

  it('when a base URL has a path prefix, then the operation path is appended to it', async () => {
    const issuer = await serve({
      'POST /api/cards/v2/operations/block': { status: 201, body: sovera({ cardId: 'c-1', isActive: false }) },
    });
    const result = await client('sovera', issuer, { baseUrl: `${issuer.url}/api` }).block('c-1');
    expect(result.cardId).toBe('c-1');
  });
});

describe('paycaddy documented answers', () => {
  it('when the due date is the number 1228, then it is the string 12/28', async () => {
    const issuer = await serve({
      'POST /v1/cardOperations/checkDueDate': { status: 200, body: { cardId: 'c-1', dueDate: 1228 } },
    });
    expect(await client('paycaddy', issuer).expiry('c-1')).toEqual({ dueDate: '12/28' });
  });

  it('when the status is PendingAck and isActive "false", then pendingAck and false', async () => {
    const issuer = await serve({
      'POST /v1/cardOperations/cancelCard': {
        status: 200,
        body: { cardId: 'c-1', isActive: 'false', status: 'PendingAck' },
      },
    });
    expect(await client('paycaddy', issuer).cancel('c-1')).toEqual({
      cardId: 'c-1',
      isActive: false,
      status: 'pendingAck',
    });
  });

  it('when the status is a word we do not know, then the status is left out rather than failing', async () => {
    const issuer = await serve({
      'POST /v1/cardOperations/blockCard': {
        status: 200,
        body: { cardId: 'c-1', isActive: false, status: 'Frozen' },
      },
    });
    expect(await client('paycaddy', issuer).block('c-1')).toEqual({ cardId: 'c-1', isActive: false });
  });

  it('when isActive is something other than a boolean, then ISSUER_MALFORMED', async () => {
    const issuer = await serve({
      'POST /v1/cardOperations/blockCard': { status: 200, body: { cardId: 'c-1', isActive: 'maybe' } },
    });
    const error = await failure(client('paycaddy', issuer).block('c-1'));
    expect(error.code).toBe('ISSUER_MALFORMED');
    expect(error.outcome).toBe('unknown');
    expect(error.message).toBe('issuer paycaddy (block): HTTP 200, unexpected shape at isActive');
  });

  it.each<[string, CannedAnswer, number | null]>([
    ['a bare JSON string', { status: 200, body: 'No stablish internal limit' }, null],
    ['a message object', { status: 200, body: { message: 'No stablish internal limit' } }, null],
    ['plain text', { status: 200, raw: 'No stablish internal limit', contentType: 'text/plain' }, null],
    ['a limit object with a number', { status: 200, body: { cardId: 'c_1-x', limit: 750 } }, 750],
    ['a limit object with a string', { status: 200, body: { limit: '750.50' } }, 750.5],
    ['a limit object with the text', { status: 200, body: { limit: 'No stablish internal limit' } }, null],
    ['a bare number', { status: 200, body: 250 }, 250],
  ])('when the limit comes as %s, then it is read', async (_form, canned, expected) => {
    const issuer = await serve({ 'GET /v1/ChangeLimitIWL/c_1-x': canned });
    expect(await client('paycaddy', issuer).limit('c_1-x')).toEqual({ cardId: 'c_1-x', limit: expected });
  });

  it('when the limit is some other text, then ISSUER_MALFORMED', async () => {
    const issuer = await serve({ 'GET /v1/ChangeLimitIWL/c-1': { status: 200, body: 'Limit unavailable' } });
    expect((await failure(client('paycaddy', issuer).limit('c-1'))).code).toBe('ISSUER_MALFORMED');
  });

  it('when a limit is set, then {cardId, limit} is posted', async () => {
    const issuer = await serve({
      'POST /v1/ChangeLimitIWL': { status: 200, body: { cardId: 'c-1', limit: '300' } },
    });
    expect(await client('paycaddy', issuer).setLimit('c-1', 300)).toEqual({ cardId: 'c-1', limit: 300 });
    expect(JSON.parse(issuer.requests[0]?.body ?? '')).toEqual({ cardId: 'c-1', limit: 300 });
  });

  it('when a 400 problem holds detail, then it is the issuer message', async () => {
    const issuer = await serve({
      'POST /v1/cardOperations/unblockCard': {
        status: 400,
        contentType: 'application/problem+json',
        body: {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: 'Card is already unblocked',
          instance: '/v1/cardOperations/unblockCard',
        },
      },
    });
    const error = await failure(client('paycaddy', issuer).unblock('c-1'));
    expect(error.userMessage).toBe('The issuer refused: Card is already unblocked.');
    expect(error.traceId).toBeUndefined();
  });

  it('when a 400 problem has only a title, then the title is the issuer message', async () => {
    const issuer = await serve({
      'POST /v1/cardOperations/blockCard': { status: 400, body: { title: 'Card already blocked', status: 400 } },
    });
    expect((await failure(client('paycaddy', issuer).block('c-1'))).issuerMessage).toBe('Card already blocked');
  });

  it('when a 400 has no readable body, then STATE_CONFLICT with the catalogue message', async () => {
    const issuer = await serve({
      'POST /v1/cardOperations/blockCard': { status: 400, raw: 'nope', contentType: 'text/plain' },
    });
    const error = await failure(client('paycaddy', issuer).block('c-1'));
    expect(error.code).toBe('STATE_CONFLICT');
    expect(error.issuerMessage).toBeUndefined();
    expect(error.userMessage).toBe('The issuer refused: the card is not in a state that allows this.');
  });

  it('when the limit read meets a 503 then a success, then the retry answers', async () => {
    const issuer = await serve({
      'GET /v1/ChangeLimitIWL/c-1': { status: 503, raw: '', contentType: 'text/plain' },
    });
    const pending = client('paycaddy', issuer, { readRetryDelayMs: 150 }).limit('c-1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    issuer.answer('GET', '/v1/ChangeLimitIWL/c-1', { status: 200, body: { cardId: 'c-1', limit: 750 } });
    expect(await pending).toEqual({ cardId: 'c-1', limit: 750 });
    expect(issuer.requests).toHaveLength(2);
  });

  it('when a CVV read meets a 503, then it is not retried', async () => {
    const issuer = await serve({
      'POST /v1/cardOperations/checkCvv': { status: 503, raw: '', contentType: 'text/plain' },
    });
    const error = await failure(client('paycaddy', issuer, { readRetryDelayMs: 10 }).cvv('c-1'));
    expect(error.code).toBe('ISSUER_FAILURE');
    expect(issuer.requests).toHaveLength(1);
  });

  it('when the new PIN is not digits, then INVALID_INPUT without the PIN and nothing is sent', async () => {
    const issuer = await serve({});
    const error = await failure(client('paycaddy', issuer).changePin('c-1', '12a4'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(JSON.stringify(error) + String(error)).not.toContain('12a4');
    expect(issuer.requests).toHaveLength(0);
  });
});

describe('issuer words around secrets', () => {
  it('when a PIN change is refused with the PIN in the message, then the message keeps no digit run', async () => {
    const issuer = await startFakeIssuer({
      'POST /v1/cardOperations/changePin': {
        status: 400,
        body: {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: 'PIN 8642 is too weak',
          instance: '/x',
        },
        contentType: 'application/problem+json',
      },
    });
    try {
      const error = await createCardIssuer('paycaddy', {
        baseUrl: issuer.url,
        apiKey: 'k',
        authHeader: 'X-API-KEY',
        timeoutMs: 2_000,
      })
        .changePin('c-1', '8642')
        .then(
          () => undefined,
          (e: unknown) => e as AppError,
        );
      expect(error?.code).toBe('STATE_CONFLICT');
      expect(`${error?.issuerMessage} ${error?.userMessage} ${JSON.stringify(error)}`).not.toContain('8642');
      expect(error?.issuerMessage).toMatch(/PIN … is too weak/);
    } finally {
      await issuer.close();
    }
  });
});

describe('issuer base URLs with a path', () => {
  it('when CARD_API_BASE_URL has a path prefix, then every call keeps it', async () => {
    const issuer = await startFakeIssuer({
      'POST /gateway/v1/cardOperations/blockCard': { status: 200, body: { cardId: 'c-1', isActive: false } },
      'GET /gateway/v1/ChangeLimitIWL/c-1': { status: 200, body: { cardId: 'c-1', limit: 10 } },
    });
    try {
      const client = createCardIssuer('paycaddy', {
        baseUrl: `${issuer.url}/gateway/`,
        apiKey: 'k',
        authHeader: 'X-API-KEY',
        timeoutMs: 2_000,
      });
      expect(await client.block('c-1')).toMatchObject({ cardId: 'c-1', isActive: false });
      expect(await client.limit('c-1')).toMatchObject({ limit: 10 });
      expect(issuer.requests.map((r) => r.headers['x-api-key'])).toEqual(['k', 'k']);
    } finally {
      await issuer.close();
    }
  });
});

/*
 * Issuer answers are checked, not over-checked (issue 15 pt 6), against crafted HTTP answers in
 * each dialect: an answer about another card than asked is refused for every op, secrets and
 * limits included, and nothing of it travels on; an answer missing only what cardops never uses
 * (Sovera's trace id, the PIN a PIN change returns) or JSON labelled text/plain is a success;
 * PayCaddy's limit of 0 is "no limit".
 */

type Provider = 'sovera' | 'paycaddy';

const PATHS = {
  sovera: {
    block: 'POST /cards/v2/operations/block',
    pan: 'POST /cards/v2/operations/check/pan',
    cvv: 'POST /cards/v2/operations/check/cvv',
    expiry: 'POST /cards/v2/operations/check/due/date',
    pin: 'POST /cards/v2/operations/check/pin',
    'unblock-pin': 'POST /cards/v2/operations/unblock/pin',
    'change-pin': 'PUT /cards/v2/operations/pin',
  },
  paycaddy: {
    block: 'POST /v1/cardOperations/blockCard',
    pan: 'POST /v1/cardOperations/checkPan',
    cvv: 'POST /v1/cardOperations/checkCvv',
    expiry: 'POST /v1/cardOperations/checkDueDate',
    pin: 'POST /v1/cardOperations/checkPin',
    'unblock-pin': 'POST /v1/cardOperations/unblockPin',
    'change-pin': 'POST /v1/cardOperations/changePin',
  },
} as const;

/** A success answer in the dialect: Sovera's envelope (201; 200 for the PIN change), PayCaddy's bare data. */
function success(provider: Provider, data: unknown, options: { status?: number; meta?: unknown } = {}): CannedAnswer {
  if (provider === 'paycaddy') return { status: 200, body: data };
  const meta = 'meta' in options ? options.meta : { timestamp: '2026-12-04T09:00:00Z', version: '2', traceId: 't-1' };
  return { status: options.status ?? 201, body: { success: true, data, ...(meta === undefined ? {} : { meta }) } };
}

/** The secret values the crafted answers about card `c-2` carry: none may reach an error. */
const OTHER_CARD_SECRETS = ['4929870000012345', '12/29', '1229', '913', '7351'];

const SECRET_READS = [
  ['pan', { cardId: 'c-2', pan: '4929870000012345', expDate: '12/29' }],
  ['cvv', { cardId: 'c-2', cvv: '913' }],
  ['expiry', { cardId: 'c-2', dueDate: 1229 }],
  ['pin', { cardId: 'c-2', pin: '7351' }],
] as const;

describe.each(['sovera', 'paycaddy'] as const)('issuer answers about another card (%s)', (provider) => {
  it.each(SECRET_READS)(
    'when a %s read is answered about another card, then ISSUER_WRONG_CARD, failed, nothing of the answer kept',
    async (op, data) => {
      const issuer = await serve({ [PATHS[provider][op]]: success(provider, data) });
      const error = await failure(client(provider, issuer)[op]('c-1'));
      expect(error.code).toBe('ISSUER_WRONG_CARD');
      // A read cannot have changed anything: the audit says failed, not unknown.
      expect(error.outcome).toBe('failed');
      expect(error.userMessage).toBe('The issuer answered about another card than the one asked for.');
      const everything = `${error.message} ${error.userMessage} ${JSON.stringify(error)} ${error.stack ?? ''}`;
      for (const secret of OTHER_CARD_SECRETS) expect(everything).not.toContain(secret);
      expect(everything).not.toContain('c-2');
      // A secret read is never retried: one request.
      expect(issuer.requests).toHaveLength(1);
    },
  );

  it('when a read is answered about the card asked for, in its number form, then the value is read', async () => {
    const issuer = await serve({ [PATHS[provider].cvv]: success(provider, { cardId: 1234, cvv: '047' }) });
    expect((await client(provider, issuer).cvv('1234')).cvv).toBe('047');
  });

  it('when a read answer names no card at all, then it is judged by its documented fields alone', async () => {
    const issuer = await serve({ [PATHS[provider].cvv]: success(provider, { cvv: '047' }) });
    expect((await client(provider, issuer).cvv('c-1')).cvv).toBe('047');
  });

  it('when a PIN change is answered about another card, then ISSUER_WRONG_CARD with an unknown outcome', async () => {
    const status = provider === 'sovera' ? 200 : undefined;
    const issuer = await serve({
      [PATHS[provider]['change-pin']]: success(provider, { cardId: 'c-2', pin: '5830' }, status ? { status } : {}),
    });
    const error = await failure(client(provider, issuer).changePin('c-1', '5830'));
    expect(error.code).toBe('ISSUER_WRONG_CARD');
    expect(error.outcome).toBe('unknown');
  });
});

describe('PayCaddy limit answers about another card', () => {
  it('when the limit read names another card, then ISSUER_WRONG_CARD and the amount goes nowhere', async () => {
    const issuer = await serve({ 'GET /v1/ChangeLimitIWL/c-1': { status: 200, body: { cardId: 'c-2', limit: 4321 } } });
    const error = await failure(client('paycaddy', issuer).limit('c-1'));
    expect(error.code).toBe('ISSUER_WRONG_CARD');
    expect(error.outcome).toBe('failed');
    expect(`${error.message} ${JSON.stringify(error)}`).not.toMatch(/4321|c-2/);
  });

  it('when the set-limit answer names another card, then ISSUER_WRONG_CARD with an unknown outcome', async () => {
    const issuer = await serve({ 'POST /v1/ChangeLimitIWL': { status: 200, body: { cardId: 'c-2', limit: 300 } } });
    const error = await failure(client('paycaddy', issuer).setLimit('c-1', 300));
    expect(error.code).toBe('ISSUER_WRONG_CARD');
    expect(error.outcome).toBe('unknown');
  });
});

describe.each(['sovera', 'paycaddy'] as const)('answers not over-checked (%s)', (provider) => {
  it('when a state change answers JSON labelled text/plain, then it is a success', async () => {
    const canned = success(provider, { cardId: 'c-1', isActive: false, status: 'Temporarilyblocked' });
    const issuer = await serve({
      [PATHS[provider].block]: { status: canned.status, raw: JSON.stringify(canned.body), contentType: 'text/plain' },
    });
    expect(await client(provider, issuer).block('c-1')).toMatchObject({ cardId: 'c-1', isActive: false });
  });

  it('when text/plain is not JSON on a state change, then it is still ISSUER_MALFORMED, outcome unknown', async () => {
    const issuer = await serve({ [PATHS[provider].block]: { status: 200, raw: 'done!', contentType: 'text/plain' } });
    const error = await failure(client(provider, issuer).block('c-1'));
    expect(error.code).toBe('ISSUER_MALFORMED');
    expect(error.outcome).toBe('unknown');
  });

  it.each(['unblock-pin', 'change-pin'] as const)(
    'when %s answers without the PIN cardops never uses, then it is a success',
    async (op) => {
      const status = provider === 'sovera' && op === 'change-pin' ? { status: 200 } : {};
      const issuer = await serve({ [PATHS[provider][op]]: success(provider, { cardId: 'c-1' }, status) });
      const issuerClient = client(provider, issuer);
      const result =
        op === 'change-pin' ? await issuerClient.changePin('c-1', '5830') : await issuerClient.unblockPin('c-1');
      expect(result.pin).toBeUndefined();
    },
  );

  it('when a PIN change answer says nothing of the card (neither pin nor cardId), then ISSUER_MALFORMED', async () => {
    const issuer = await serve({ [PATHS[provider]['unblock-pin']]: success(provider, { ok: true }) });
    const error = await failure(client(provider, issuer).unblockPin('c-1'));
    expect(error.code).toBe('ISSUER_MALFORMED');
    expect(error.outcome).toBe('unknown');
  });
});

describe('Sovera answers without a trace id', () => {
  it.each([
    ['meta without traceId', { timestamp: '2026-12-04T09:00:00Z', version: '2' }],
    ['an empty meta', {}],
    ['a trace id that is not a string', { traceId: 42 }],
  ])('when a block success carries %s, then it is a success without a trace id', async (_what, meta) => {
    const issuer = await serve({
      [PATHS.sovera.block]: success('sovera', { cardId: 'c-1', isActive: false }, { meta }),
    });
    const result = await client('sovera', issuer).block('c-1');
    expect(result).toEqual({ cardId: 'c-1', isActive: false });
  });
});

describe('PayCaddy limit of 0', () => {
  it.each<[string, CannedAnswer]>([
    ['a limit object with 0', { status: 200, body: { cardId: 'c-1', limit: 0 } }],
    ['a limit object with "0.00"', { status: 200, body: { limit: '0.00' } }],
    ['a bare 0', { status: 200, body: 0 }],
  ])('when the limit read answers %s, then it is no limit (null)', async (_form, canned) => {
    const issuer = await serve({ 'GET /v1/ChangeLimitIWL/c-1': canned });
    expect(await client('paycaddy', issuer).limit('c-1')).toEqual({ cardId: 'c-1', limit: null });
  });

  it('when a limit of 0 is set, then 0 is posted and the answer reads as no limit', async () => {
    const issuer = await serve({ 'POST /v1/ChangeLimitIWL': { status: 200, body: { cardId: 'c-1', limit: 0 } } });
    expect(await client('paycaddy', issuer).setLimit('c-1', 0)).toEqual({ cardId: 'c-1', limit: null });
    expect(JSON.parse(issuer.requests[0]?.body ?? '')).toEqual({ cardId: 'c-1', limit: 0 });
  });
});
