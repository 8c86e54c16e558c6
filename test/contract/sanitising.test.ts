import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardIssuer } from '../../src/adapters/issuer/create-issuer.js';
import type { IssuerClientOptions } from '../../src/domain/cards/card-issuer.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import { type FakeIssuer, startFakeIssuer } from '../helpers/fake-issuer.js';

/*
 * Failing calls with a planted key, a planted PAN in the answer and a PIN in the request: the
 * error that comes out, however it is printed or logged, holds none of them. The axios error
 * (which carries the request config, headers and body) must never be what escapes.
 */

const KEY = 'planted-key-7Qx9ZZ';
const PAN = '4929871234567897';
const PIN = '8642';
const HEADER = 'X-Issuer-Secret';

let fake: FakeIssuer;
let sandbox: Sandbox;
let refusedUrl: string;

beforeAll(async () => {
  const leaky = `Card ${PAN} failed for key ${KEY}`;
  fake = await startFakeIssuer({
    'POST /cards/v2/operations/block': {
      status: 500,
      body: { success: false, errors: [{ code: 'E', message: leaky, field: null }], meta: { traceId: 't-500' } },
    },
    'POST /cards/v2/operations/unblock': {
      status: 400,
      body: { success: false, errors: [{ code: 'E', message: leaky, field: null }], meta: { traceId: 't-400' } },
    },
    'POST /cards/v2/operations/check/pan': {
      status: 201,
      body: { success: true, data: { pan: Number(PAN), expDate: '12/28' }, meta: { traceId: 't-201' } },
    },
    'POST /v1/cardOperations/changePin': {
      status: 500,
      raw: `<html>${PAN} ${KEY} ${PIN}</html>`,
      contentType: 'text/html',
    },
    'POST /v1/cardOperations/blockCard': {
      status: 400,
      body: { type: 'about:blank', title: 'Bad Request', status: 400, detail: leaky },
    },
  });
  sandbox = await startSandbox({ slowMs: 2_000, apiKey: KEY, authHeader: HEADER });
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const address = closed.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  refusedUrl = `http://127.0.0.1:${address.port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  await fake.close();
  await sandbox.close();
});

function options(baseUrl: string, overrides: Partial<IssuerClientOptions> = {}): IssuerClientOptions {
  return { baseUrl, apiKey: KEY, authHeader: HEADER, timeoutMs: 2_000, readRetryDelayMs: 5, ...overrides };
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** Every way the error may be printed: JSON, String, stack, and a pino line both ways of logging it. */
function renderings(error: AppError): string[] {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    issuerAuthHeader: HEADER,
    destination: { write: (line: string) => lines.push(line) },
  });
  logger.error({ err: error }, 'issuer call failed');
  logger.error(error);
  return [JSON.stringify(error), String(error), error.stack ?? '', error.message, ...lines];
}

function expectClean(error: AppError): void {
  for (const text of renderings(error)) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(PAN);
    expect(text).not.toMatch(/\d{13,19}/);
  }
  expect(error).not.toHaveProperty('cause');
  expect(error).not.toHaveProperty('config');
  expect(error).not.toHaveProperty('response');
  expect(error).not.toHaveProperty('request');
}

describe('sanitising issuer errors', () => {
  it('when a 500 answer holds a PAN and the key, then the error holds neither', async () => {
    const error = await caught(createCardIssuer('sovera', options(fake.url)).block('c-1'));
    expect(error.code).toBe('ISSUER_FAILURE');
    expect(error.traceId).toBe('t-500');
    expectClean(error);
  });

  it('when a 400 message holds a PAN and the key, then the issuer message is masked and keyless', async () => {
    const sovera = await caught(createCardIssuer('sovera', options(fake.url)).unblock('c-1'));
    expect(sovera.issuerMessage).toBe('Card 492987******7897 failed for key [redacted]');
    expectClean(sovera);
    expect(sovera.userMessage).not.toContain(KEY);
    expect(sovera.userMessage).not.toContain(PAN);

    const paycaddy = await caught(createCardIssuer('paycaddy', options(fake.url)).block('c-1'));
    expect(paycaddy.issuerMessage).toBe('Card 492987******7897 failed for key [redacted]');
    expect(paycaddy.userMessage).not.toContain(PAN);
    expectClean(paycaddy);
  });

  it('when a malformed answer holds the PAN, then the error names only where the shape broke', async () => {
    const error = await caught(createCardIssuer('sovera', options(fake.url)).pan('c-1'));
    expect(error.code).toBe('ISSUER_MALFORMED');
    expect(error.message).toBe('issuer sovera (pan): HTTP 201, unexpected shape at pan');
    expectClean(error);
  });

  it('when a PIN change fails with an HTML page echoing secrets, then the error holds none of them', async () => {
    const error = await caught(createCardIssuer('paycaddy', options(fake.url)).changePin('c-1', PIN));
    expect(error.code).toBe('ISSUER_FAILURE');
    expectClean(error);
    for (const text of renderings(error)) expect(text).not.toContain(PIN);
  });

  it('when a PIN change times out, then the axios error with the body and the key does not escape', async () => {
    const error = await caught(
      createCardIssuer('sovera', options(sandbox.url, { timeoutMs: 200 })).changePin('card-fault-slow', PIN),
    );
    expect(error.code).toBe('ISSUER_TIMEOUT');
    expect(error.outcome).toBe('unknown');
    expectClean(error);
    for (const text of renderings(error)) expect(text).not.toContain(PIN);
  });

  it('when the answer is too large, then the error holds no part of it nor the key', async () => {
    const error = await caught(createCardIssuer('paycaddy', options(sandbox.url)).pan('card-fault-huge'));
    expect(error.code).toBe('ISSUER_MALFORMED');
    expectClean(error);
  });

  it('when the connection is refused, then the error is only the code', async () => {
    const error = await caught(createCardIssuer('paycaddy', options(refusedUrl)).changePin('c-1', PIN));
    expect(error.code).toBe('ISSUER_UNREACHABLE');
    expect(error.message).toBe('issuer paycaddy (change-pin): ECONNREFUSED');
    expectClean(error);
  });

  it('when the key is wrong, then the sandbox refuses with 401 and the error does not echo the key', async () => {
    const error = await caught(
      createCardIssuer('sovera', options(sandbox.url, { apiKey: `${KEY}-wrong` })).block('card-active-1'),
    );
    expect(error.code).toBe('ISSUER_AUTH');
    expect(error.httpStatus).toBe(401);
    expectClean(error);
  });
});
