import { afterEach, describe, expect, it } from 'vitest';
import { createCardIssuer } from '../../src/adapters/issuer/create-issuer.js';
import type { CardIssuer } from '../../src/domain/cards/card-issuer.js';
import { AppError } from '../../src/errors.js';
import { type CannedAnswer, type FakeIssuer, startFakeIssuer } from '../helpers/fake-issuer.js';

/*
 * Issuer answers are checked, not over-checked (issue 15 pt 6), against crafted HTTP answers in
 * each dialect: an answer about another card than asked is refused for every op, secrets and
 * limits included, and nothing of it travels on; an answer missing only what cardops never uses
 * (Sovera's trace id, the PIN a PIN change returns) or JSON labelled text/plain is a success;
 * PayCaddy's limit of 0 is "no limit".
 */

type Provider = 'sovera' | 'paycaddy';

let fake: FakeIssuer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function serve(answers: Record<string, CannedAnswer>): Promise<FakeIssuer> {
  fake = await startFakeIssuer(answers);
  return fake;
}

function client(provider: Provider, issuer: FakeIssuer): CardIssuer {
  return createCardIssuer(provider, {
    baseUrl: issuer.url,
    apiKey: 'k-test-123',
    authHeader: 'X-API-KEY',
    timeoutMs: 2_000,
    readRetryDelayMs: 5,
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
