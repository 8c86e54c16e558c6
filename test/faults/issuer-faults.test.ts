import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditOutcome } from '../../src/domain/audit/audit-types.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import { type CapturedLog, captureLog } from '../helpers/capture-log.js';
import { freePort } from '../helpers/child-bot.js';
import {
  type StubAnswer,
  type StubDialect,
  type StubIssuer,
  type StubRequest,
  startStubIssuer,
  successAnswer,
  successData,
} from '../helpers/stub-issuer.js';

/**
 * Issuer faults through the real App (SPEC §2, §7): each fault is a row of FAULTS, played by a stub
 * issuer for one card, in both dialects. For each: the asker gets one clear ephemeral answer, the
 * audit holds `started` then `failed` or `unknown`, the state change reached the issuer at most
 * once (never retried), nothing of the raw answer or the key leaks, and the bot goes on serving.
 * To add a fault, add a row.
 */

const ALICE = 'U0AGENT01';
const BOB = 'U0AGENT02';
const SUPPORT = 'C0SUPPORT';
const ISSUER_KEY = 'offline-sandbox-key';
const TIMEOUT_MS = 400;

interface IssuerFault {
  name: string;
  /** How the stub answers a request for this fault's card. */
  answer: (dialect: StubDialect, request: StubRequest) => StubAnswer;
  outcome: Extract<AuditOutcome, 'failed' | 'unknown'>;
  /** What the asker is told. */
  says: RegExp;
  /** Text of the raw answer that must never reach a user or a log line. */
  rawMarker?: string;
}

/** The other dialect's success answer: PayCaddy's bare data to a Sovera client, Sovera's envelope to PayCaddy. */
const otherDialect = (dialect: StubDialect, request: StubRequest): StubAnswer => {
  const other: StubDialect = dialect === 'sovera' ? 'paycaddy' : 'sovera';
  const { body } = successAnswer(other, request.op, successData(request.op, request.cardId ?? '', request.body));
  // The status this client expects for a success: only the body is in the wrong dialect.
  return { kind: 'json', status: dialect === 'sovera' ? 201 : 200, body };
};

const serverError = (dialect: StubDialect, status: number): StubAnswer =>
  dialect === 'sovera'
    ? {
        kind: 'json',
        status,
        body: {
          success: false,
          errors: [{ code: 'INTERNAL', message: 'raw-issuer-internal-detail', field: null }],
          meta: { timestamp: new Date().toISOString(), version: '2', traceId: 'trace-fault-5xx' },
        },
      }
    : {
        kind: 'json',
        status,
        body: { type: 'about:blank', title: 'Error', status, detail: 'raw-issuer-internal-detail', instance: '/x' },
        contentType: 'application/problem+json',
      };

const FAULTS: IssuerFault[] = [
  {
    name: 'the issuer answers slower than the timeout',
    answer: () => ({ kind: 'hang' }),
    outcome: 'unknown',
    says: /did not answer in time, so it is \*unknown\*/,
  },
  {
    name: 'the issuer answers 500',
    answer: (dialect) => serverError(dialect, 500),
    outcome: 'failed',
    says: /issuer failed while blocking card/,
    rawMarker: 'raw-issuer-internal-detail',
  },
  {
    name: 'the issuer answers 503 with an HTML page',
    answer: () => ({
      kind: 'raw',
      status: 503,
      text: '<html><body>raw-maintenance-page</body></html>',
      contentType: 'text/html',
    }),
    outcome: 'failed',
    says: /issuer failed while blocking card/,
    rawMarker: 'raw-maintenance-page',
  },
  {
    name: 'a gateway answers 504 (the issuer may have acted)',
    answer: () => ({ kind: 'raw', status: 504, text: 'raw-gateway-timeout', contentType: 'text/plain' }),
    outcome: 'unknown',
    says: /gave up while blocking card .* so it is \*unknown\*/,
    rawMarker: 'raw-gateway-timeout',
  },
  {
    name: 'the issuer answers malformed JSON with a success status',
    answer: (dialect) => ({
      kind: 'raw',
      status: dialect === 'sovera' ? 201 : 200,
      text: '{"success": true, "data": {"cardId": "raw-broken-json',
    }),
    outcome: 'unknown',
    says: /unexpected format, so its outcome is \*unknown\*/,
    rawMarker: 'raw-broken-json',
  },
  {
    name: 'the issuer answers 200 with the wrong content type',
    answer: () => ({ kind: 'raw', status: 200, text: '<h1>raw-html-answer</h1>', contentType: 'text/html' }),
    outcome: 'unknown',
    says: /unexpected format, so its outcome is \*unknown\*/,
    rawMarker: 'raw-html-answer',
  },
  {
    name: 'the issuer answers a 10 MB body',
    answer: () => ({ kind: 'huge', bytes: 10 * 1024 * 1024 }),
    outcome: 'unknown',
    says: /unexpected format, so its outcome is \*unknown\*/,
    rawMarker: 'xxxxxxxxxxxxxxxx',
  },
  {
    name: 'the issuer answers in the other dialect',
    answer: otherDialect,
    outcome: 'unknown',
    says: /unexpected format, so its outcome is \*unknown\*/,
  },
  {
    name: 'the issuer answers about another card',
    answer: (dialect, request) => {
      const { status, body } = successAnswer(dialect, request.op, successData(request.op, 'card-someone-else', {}));
      return { kind: 'json', status, body };
    },
    outcome: 'unknown',
    says: /answered blocking card .* about another card, so its outcome is \*unknown\*/,
    rawMarker: 'card-someone-else',
  },
  {
    name: 'the connection drops after the request was sent',
    answer: () => ({ kind: 'destroy' }),
    outcome: 'unknown',
    says: /connection to the issuer broke while blocking card .* \*unknown\*/,
  },
];

const cardOf = (index: number) => `card-fault-case-${index}`;

describe.each(['sovera', 'paycaddy'] as const)('issuer faults through the real App (%s)', (dialect) => {
  let stub: StubIssuer;
  let bot: OfflineBot;
  let log: CapturedLog;
  const faultByCard = new Map(FAULTS.map((fault, i) => [cardOf(i), fault]));

  beforeAll(async () => {
    stub = await startStubIssuer({
      dialect,
      answer: (request) => {
        const fault = request.cardId ? faultByCard.get(request.cardId) : undefined;
        return fault ? fault.answer(dialect, request) : { kind: 'success' };
      },
    });
    log = captureLog();
    bot = await startOfflineBot({
      provider: dialect,
      issuerBaseUrl: stub.url,
      issuerTimeoutMs: TIMEOUT_MS,
      logLevel: 'debug',
      logDestination: log.stream,
    });
  });
  afterAll(async () => {
    await bot?.close();
    await stub?.close();
  });

  const outcomes = async (cardId: string) =>
    (await bot.audit.query({ cardId }, { limit: 10 })).rows.reverse().map((r) => r.outcome);

  it.each(FAULTS.map((fault, i) => [fault.name, i] as const))(
    'when %s, then the asker is told clearly, the audit says started then the outcome, and nothing is retried',
    async (_name, index) => {
      const fault = FAULTS[index]!;
      const cardId = cardOf(index);
      const result = await bot.driver.command(ALICE, SUPPORT, '/card', `block ${cardId} issuer fault test`);

      expect(result.status).toBe(200);
      const shown = result.messages.filter((m) => m.to === ALICE);
      expect(shown).toHaveLength(1);
      expect(shown[0]?.visibility).toBe('ephemeral');
      expect(shown[0]?.text).toMatch(fault.says);
      expect(shown[0]?.text).toContain(cardId);
      expect(result.messages.filter((m) => m.visibility === 'public')).toEqual([]);

      expect(await outcomes(cardId)).toEqual(['started', fault.outcome]);
      const [last] = (await bot.audit.query({ cardId }, { limit: 1 })).rows;
      expect(last?.error).toBeTruthy();

      // A state change is never retried, whatever the fault.
      expect(stub.requests.filter((r) => r.cardId === cardId)).toHaveLength(1);

      // Nothing raw from the issuer, and never the key, reaches the user, the audit or a log line.
      const seen =
        JSON.stringify(bot.slack.messages) + JSON.stringify((await bot.audit.query({}, { limit: 1000 })).rows);
      for (const marker of [ISSUER_KEY, ...(fault.rawMarker ? [fault.rawMarker] : [])]) {
        expect(seen).not.toContain(marker);
        expect(log.text()).not.toContain(marker);
      }

      // The process is up and serves the next person at once.
      const next = await bot.driver.command(BOB, SUPPORT, '/card', `block card-healthy-${index}`);
      expect(next.messages.find((m) => m.to === BOB)?.text).toContain('is now *blocked*');
      expect(await outcomes(`card-healthy-${index}`)).toEqual(['started', 'ok']);
    },
  );

  it('when a read fails with a 5xx, then it is retried once, while a state change never is', async () => {
    if (dialect === 'sovera') {
      // Sovera offers no read without a secret in it; reads of secrets are issue 4's, retried the same way.
      expect(bot.bot.deps.issuer.provider).toBe('sovera');
      return;
    }
    const cardId = 'card-fault-read-500';
    faultByCard.set(cardId, {
      name: 'read 500',
      answer: (d) => serverError(d, 500),
      outcome: 'failed',
      says: /issuer failed/,
    });
    const result = await bot.driver.command('U0SENIOR1', 'C0SECURE', '/card', `limit ${cardId}`);
    expect(result.messages.find((m) => m.to === 'U0SENIOR1')?.text).toMatch(
      /issuer failed while reading the limit of card/,
    );
    expect(stub.requests.filter((r) => r.cardId === cardId).map((r) => r.op)).toEqual(['limit', 'limit']);
    expect(await outcomes(cardId)).toEqual(['started', 'failed']);
  });
});

describe.each(['sovera', 'paycaddy'] as const)('issuer down (%s)', (dialect) => {
  let bot: OfflineBot | undefined;
  afterAll(async () => bot?.close());

  it('when the issuer refuses connections, then the asker hears it could not be reached, the audit says failed, and the bot serves on', async () => {
    const closedPort = await freePort();
    bot = await startOfflineBot({ provider: dialect, issuerBaseUrl: `http://127.0.0.1:${closedPort}` });
    for (const cardId of ['card-down-1', 'card-down-2']) {
      const result = await bot.driver.command(ALICE, SUPPORT, '/card', `block ${cardId}`);
      expect(result.status).toBe(200);
      const shown = result.messages.filter((m) => m.to === ALICE);
      expect(shown).toHaveLength(1);
      expect(shown[0]?.visibility).toBe('ephemeral');
      expect(shown[0]?.text).toMatch(/could not be reached, so blocking card `card-down-\d` was not done/);
      const rows = (await bot.audit.query({ cardId }, { limit: 10 })).rows.reverse();
      expect(rows.map((r) => r.outcome)).toEqual(['started', 'failed']);
      expect(rows[1]?.error).toMatch(/ISSUER_UNREACHABLE/);
    }
    expect(await bot.audit.verify()).toMatchObject({ ok: true, checked: 4 });
  });
});
