import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A state-free issuer stand-in speaking either dialect (SPEC §2), for benchmarks, fault and crash
 * tests: by default every request gets the documented success answer for its op, after an optional
 * delay. A test can replace the answer per request (a status, a raw body, a hang, a cut connection,
 * a huge body) to play each issuer fault. It records every request that reached it, with its body,
 * so a test can check what reached the issuer and that nothing state-changing was retried.
 */

export type StubDialect = 'sovera' | 'paycaddy';

export interface StubRequest {
  method: string;
  path: string;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** The op the path names, or undefined for a path of neither dialect. */
  op: string | undefined;
  cardId: string | undefined;
  at: number;
}

/** How the stub answers one request. */
export type StubAnswer =
  | { kind: 'success' }
  | { kind: 'json'; status: number; body: unknown; contentType?: string }
  | { kind: 'raw'; status: number; text: string; contentType?: string }
  /** Never answers: the client's deadline must fire. */
  | { kind: 'hang' }
  /** Answers `then` (success by default) once `until` settles: a call a test keeps in flight. */
  | { kind: 'held'; until: Promise<unknown>; then?: StubAnswer }
  /** Reads the request, then drops the connection without a word. */
  | { kind: 'destroy' }
  /** A well-formed start of a success answer padded to `bytes`. */
  | { kind: 'huge'; bytes: number };

export interface StubIssuerOptions {
  dialect?: StubDialect;
  /** Delay before each answer, in ms; a function for a spread. */
  delayMs?: number | ((request: StubRequest) => number);
  /** Chooses the answer to each request; success by default. */
  answer?: (request: StubRequest) => StubAnswer;
  /** Keep every request in `requests` (default true); the bench turns it off. */
  record?: boolean;
}

export interface StubIssuer {
  readonly url: string;
  readonly requests: StubRequest[];
  /** How many requests reached it, recorded or not. */
  readonly count: number;
  setAnswer(answer: ((request: StubRequest) => StubAnswer) | undefined): void;
  setDelay(delayMs: number | ((request: StubRequest) => number)): void;
  close(): Promise<void>;
}

/** Path → op for both dialects, written from SPEC §2 (not imported from the clients, as the sandbox does). */
const OPS_BY_PATH: Record<string, string> = {
  '/cards/v2/operations/ack/reception': 'activate',
  '/cards/v2/operations/block': 'block',
  '/cards/v2/operations/unblock': 'unblock',
  '/cards/v2/operations/cancel': 'cancel',
  '/cards/v2/operations/check/pan': 'pan',
  '/cards/v2/operations/check/cvv': 'cvv',
  '/cards/v2/operations/check/due/date': 'expiry',
  '/cards/v2/operations/check/pin': 'pin',
  '/cards/v2/operations/unblock/pin': 'unblock-pin',
  '/cards/v2/operations/pin': 'change-pin',
  '/v1/cardOperations/ackReception': 'activate',
  '/v1/cardOperations/blockCard': 'block',
  '/v1/cardOperations/unblockCard': 'unblock',
  '/v1/cardOperations/cancelCard': 'cancel',
  '/v1/cardOperations/checkPan': 'pan',
  '/v1/cardOperations/checkCvv': 'cvv',
  '/v1/cardOperations/checkDueDate': 'expiry',
  '/v1/cardOperations/checkPin': 'pin',
  '/v1/cardOperations/unblockPin': 'unblock-pin',
  '/v1/cardOperations/changePin': 'change-pin',
  '/v1/ChangeLimitIWL': 'set-limit',
};

function opOf(method: string, path: string): string | undefined {
  if (method === 'GET' && path.startsWith('/v1/ChangeLimitIWL/')) return 'limit';
  return OPS_BY_PATH[path];
}

/** The `data` of a success answer for an op (made-up, Luhn-valid demo values for secrets). */
export function successData(op: string | undefined, cardId: string, body: unknown): unknown {
  switch (op) {
    case 'block':
      return { cardId, isActive: false, status: 'Temporarilyblocked' };
    case 'unblock':
    case 'activate':
      return { cardId, isActive: true, status: 'Active' };
    case 'cancel':
      return { cardId, isActive: false, status: 'Cancel' };
    case 'pan':
      return { pan: '4929870000000006', expDate: '12/28' };
    case 'cvv':
      return { cvv: '123' };
    case 'expiry':
      return { cardId, dueDate: '12/28' };
    case 'pin':
    case 'unblock-pin':
      return { cardId, pin: '4821' };
    case 'change-pin':
      return { cardId, pin: String((body as { pin?: unknown } | undefined)?.pin ?? '') };
    case 'limit':
      return { cardId, limit: 500 };
    case 'set-limit':
      return { cardId, limit: Number((body as { limit?: unknown } | undefined)?.limit ?? 0) };
    default:
      return { cardId };
  }
}

/** A success answer in a dialect: Sovera's envelope with 201 (200 for the PIN change), PayCaddy's bare data with 200. */
export function successAnswer(dialect: StubDialect, op: string | undefined, data: unknown) {
  if (dialect === 'paycaddy') return { status: 200, body: data };
  return {
    status: op === 'change-pin' ? 200 : 201,
    body: { success: true, data, meta: { timestamp: new Date().toISOString(), version: '2', traceId: randomUUID() } },
  };
}

export async function startStubIssuer(options: StubIssuerOptions = {}): Promise<StubIssuer> {
  const dialect = options.dialect ?? 'sovera';
  const record = options.record ?? true;
  let delay = options.delayMs ?? 0;
  let choose = options.answer;
  const requests: StubRequest[] = [];
  let count = 0;
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        // Kept as text: a test may look for what was sent.
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const method = req.method ?? 'GET';
      const op = opOf(method, path);
      const cardId =
        op === 'limit'
          ? decodeURIComponent(path.slice('/v1/ChangeLimitIWL/'.length))
          : typeof (body as { cardId?: unknown } | undefined)?.cardId === 'string'
            ? (body as { cardId: string }).cardId
            : undefined;
      const request: StubRequest = { method, path, body, op, cardId, at: Date.now() };
      count += 1;
      if (record) requests.push(request);
      const answer = choose?.(request) ?? { kind: 'success' };
      const wait = typeof delay === 'function' ? delay(request) : delay;
      const reply = () => respond(res, request, answer);
      if (answer.kind === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (answer.kind === 'held') {
        const then = answer.then ?? { kind: 'success' };
        void answer.until.finally(() => respond(res, request, then));
        return;
      }
      if (wait > 0) setTimeout(reply, wait);
      else reply();
    });
  });

  function respond(res: http.ServerResponse, request: StubRequest, answer: StubAnswer) {
    if (res.destroyed) return;
    switch (answer.kind) {
      case 'success': {
        const { status, body } = successAnswer(
          dialect,
          request.op,
          successData(request.op, request.cardId ?? '', request.body),
        );
        return sendText(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
      }
      case 'json':
        return sendText(res, answer.status, JSON.stringify(answer.body), answer.contentType ?? 'application/json');
      case 'raw':
        return sendText(res, answer.status, answer.text, answer.contentType ?? 'application/json');
      case 'destroy':
        res.socket?.destroy();
        return;
      case 'huge': {
        res.writeHead(dialect === 'sovera' ? 201 : 200, { 'Content-Type': 'application/json' });
        const head = `{"success":true,"data":{"cardId":${JSON.stringify(request.cardId ?? '')},"padding":"`;
        res.write(head);
        const chunk = 'x'.repeat(64 * 1024);
        let left = Math.ceil((answer.bytes - head.length) / chunk.length);
        const pump = () => {
          while (left > 0) {
            if (res.destroyed) return;
            left -= 1;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          if (!res.destroyed) res.end('"}}');
        };
        pump();
        return;
      }
      case 'hang':
      case 'held':
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    get count() {
      return count;
    },
    setAnswer(answer) {
      choose = answer;
    },
    setDelay(ms) {
      delay = ms;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendText(res: http.ServerResponse, status: number, text: string, contentType: string) {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
