import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { z } from 'zod';
import type { CardStatus } from '../domain/cards/card-issuer.js';
import type { CardOp } from '../domain/ops.js';
import { type Logger, scrubText } from '../logger.js';
import { DEMO_CARDS, type SandboxFault } from './demo-cards.js';

/*
 * The embedded issuer simulator (SPEC §2 `sandbox`): one node:http server speaking both
 * dialects, chosen by path, with the card state machine, the 400s on repeated transitions,
 * 404/422 on unknown cards, and fault cards for the contract tests.
 *
 * The route tables are written here from the SPEC on purpose, not imported from the clients:
 * a wrong path in a client must fail against the sandbox, not agree with it.
 *
 * It answers in the loose forms the issuers use, so the clients' normalisation is exercised:
 * statuses `pendingAck` (Sovera) / `PendingAck` (PayCaddy), `Active`, `Temporarilyblocked`,
 * `Cancel`; PayCaddy's cancel says `isActive: "false"` (a string) and its `dueDate` is a
 * number (MMYY, `1228` for 12/28); an unset PayCaddy limit is the bare JSON string
 * `"No stablish internal limit"` (application/json), a set one `{"cardId", "limit"}`.
 */

export type SandboxDialect = 'sovera' | 'paycaddy';

export interface SandboxOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** Default 127.0.0.1: the sandbox holds demo secrets and is never meant to be reachable from elsewhere. */
  host?: string;
  /** How long `card-fault-slow` takes to answer; default 15000 ms, longer than the default client timeout. */
  slowMs?: number;
  /** When set, requests without it in `authHeader` are answered 401. */
  apiKey?: string;
  /** Default X-API-KEY. */
  authHeader?: string;
  /** Logs op, card id and status of each answer; never a secret. */
  logger?: Logger;
}

export interface SandboxCall {
  dialect: SandboxDialect;
  op: CardOp;
  cardId: string;
  /** Epoch milliseconds. */
  at: number;
}

/** What tests may see of a card: its state, never its secrets. */
export interface SandboxCardState {
  cardId: string;
  status: CardStatus;
  isActive: boolean;
  printed: boolean;
  pinBlocked: boolean;
  limit: number | null;
}

export interface Sandbox {
  /** Base URL for either dialect, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Stops listening and drops every connection, keep-alive and slow ones included. */
  close(): Promise<void>;
  /** Every request that reached an operation path, in order; `reset()` clears it. */
  readonly calls: ReadonlyArray<SandboxCall>;
  card(cardId: string): SandboxCardState | undefined;
  /** Re-seeds the demo cards and clears `calls`. */
  reset(): void;
  /** Changes the key it expects (undefined: none), as when the issuer rotates credentials. */
  setApiKey(key: string | undefined): void;
}

const DEFAULT_SLOW_MS = 15_000;
/** The newest calls kept for tests; older ones are dropped. */
const MAX_RECORDED_CALLS = 10_000;
const MAX_REQUEST_BYTES = 64 * 1024;
const HUGE_ANSWER_BYTES = 10 * 1024 * 1024;
/** The text PayCaddy answers for a card without an internal limit (its spelling). */
const NO_LIMIT_TEXT = 'No stablish internal limit';

type Method = 'GET' | 'POST' | 'PUT';
interface Route {
  dialect: SandboxDialect;
  op: CardOp;
  method: Method;
}

const SOVERA_ROUTES: Record<string, { op: CardOp; method: Method }> = {
  '/cards/v2/operations/ack/reception': { op: 'activate', method: 'POST' },
  '/cards/v2/operations/block': { op: 'block', method: 'POST' },
  '/cards/v2/operations/unblock': { op: 'unblock', method: 'POST' },
  '/cards/v2/operations/cancel': { op: 'cancel', method: 'POST' },
  '/cards/v2/operations/check/pan': { op: 'pan', method: 'POST' },
  '/cards/v2/operations/check/cvv': { op: 'cvv', method: 'POST' },
  '/cards/v2/operations/check/due/date': { op: 'expiry', method: 'POST' },
  '/cards/v2/operations/check/pin': { op: 'pin', method: 'POST' },
  '/cards/v2/operations/unblock/pin': { op: 'unblock-pin', method: 'POST' },
  '/cards/v2/operations/pin': { op: 'change-pin', method: 'PUT' },
};

const PAYCADDY_ROUTES: Record<string, { op: CardOp; method: Method }> = {
  '/v1/cardOperations/ackReception': { op: 'activate', method: 'POST' },
  '/v1/cardOperations/blockCard': { op: 'block', method: 'POST' },
  '/v1/cardOperations/unblockCard': { op: 'unblock', method: 'POST' },
  '/v1/cardOperations/cancelCard': { op: 'cancel', method: 'POST' },
  '/v1/cardOperations/checkPan': { op: 'pan', method: 'POST' },
  '/v1/cardOperations/checkCvv': { op: 'cvv', method: 'POST' },
  '/v1/cardOperations/checkDueDate': { op: 'expiry', method: 'POST' },
  '/v1/cardOperations/checkPin': { op: 'pin', method: 'POST' },
  '/v1/cardOperations/unblockPin': { op: 'unblock-pin', method: 'POST' },
  '/v1/cardOperations/changePin': { op: 'change-pin', method: 'POST' },
  '/v1/ChangeLimitIWL': { op: 'set-limit', method: 'POST' },
};
const PAYCADDY_LIMIT_PREFIX = '/v1/ChangeLimitIWL/';

interface CardRecord {
  id: string;
  status: CardStatus;
  printed: boolean;
  pinBlocked: boolean;
  limit: number | null;
  pan: string;
  cvv: string;
  pin: string;
  expDate: string;
  fault: SandboxFault | undefined;
}

/** The answer to an op, before a dialect dresses it. */
type Answer =
  | { type: 'state'; cardId: string; status: CardStatus }
  | { type: 'pan'; cardId: string; pan: string; expDate: string }
  | { type: 'cvv'; cardId: string; cvv: string }
  | { type: 'dueDate'; cardId: string; dueDate: string }
  | { type: 'pin'; cardId: string; pin: string }
  | { type: 'limit'; cardId: string; limit: number | null };

interface Refusal {
  status: number;
  code: string;
  message: string;
  field: string | null;
}

type Outcome = { ok: true; answer: Answer } | { ok: false; refusal: Refusal };

const refuse = (message: string, code = 'INVALID_STATE', field: string | null = 'cardId'): Outcome => ({
  ok: false,
  refusal: { status: 400, code, message, field },
});

/** Runs one op on the card state: the state machine of SPEC §2. */
function runOp(card: CardRecord, op: CardOp, body: Record<string, unknown>): Outcome {
  const state = (): Outcome => ({ ok: true, answer: { type: 'state', cardId: card.id, status: card.status } });

  if (op === 'change-pin') {
    const pin = body.pin;
    if (typeof pin !== 'string' || !/^\d{4}$/.test(pin)) {
      return refuse('pin must be a string of 4 digits', 'INVALID_FIELD', 'pin');
    }
  }
  if (op === 'set-limit') {
    const limit = body.limit;
    if (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 0) {
      return refuse('limit must be a non-negative number', 'INVALID_FIELD', 'limit');
    }
  }

  if (card.status === 'cancelled') {
    return refuse(op === 'cancel' ? 'Card is already cancelled' : 'Card is cancelled');
  }

  switch (op) {
    case 'activate':
      if (card.status === 'active') return refuse('Card is already active');
      if (card.status === 'blocked') return refuse('Card is already active and is blocked; unblock it instead');
      if (!card.printed) return refuse('Card has not been printed yet');
      card.status = 'active';
      return state();
    case 'block':
      if (card.status === 'blocked') return refuse('Card is already blocked');
      if (card.status === 'pendingAck') return refuse('Card has not been activated yet');
      card.status = 'blocked';
      return state();
    case 'unblock':
      if (card.status === 'active') return refuse('Card is already unblocked');
      if (card.status === 'pendingAck') return refuse('Card has not been activated yet');
      card.status = 'active';
      return state();
    case 'cancel':
      card.status = 'cancelled';
      return state();
    case 'pan':
      return { ok: true, answer: { type: 'pan', cardId: card.id, pan: card.pan, expDate: card.expDate } };
    case 'cvv':
      return { ok: true, answer: { type: 'cvv', cardId: card.id, cvv: card.cvv } };
    case 'expiry':
      return { ok: true, answer: { type: 'dueDate', cardId: card.id, dueDate: card.expDate } };
    case 'pin':
      return { ok: true, answer: { type: 'pin', cardId: card.id, pin: card.pin } };
    case 'unblock-pin':
      if (!card.pinBlocked) return refuse('PIN is not blocked');
      card.pinBlocked = false;
      return { ok: true, answer: { type: 'pin', cardId: card.id, pin: card.pin } };
    case 'change-pin':
      card.pin = String(body.pin);
      return { ok: true, answer: { type: 'pin', cardId: card.id, pin: card.pin } };
    case 'limit':
      return { ok: true, answer: { type: 'limit', cardId: card.id, limit: card.limit } };
    case 'set-limit':
      card.limit = Number(body.limit);
      return { ok: true, answer: { type: 'limit', cardId: card.id, limit: card.limit } };
  }
}

const SOVERA_STATUS: Record<CardStatus, string> = {
  pendingAck: 'pendingAck',
  active: 'Active',
  blocked: 'Temporarilyblocked',
  cancelled: 'Cancel',
};
const PAYCADDY_STATUS: Record<CardStatus, string> = {
  pendingAck: 'PendingAck',
  active: 'Active',
  blocked: 'Temporarilyblocked',
  cancelled: 'Cancel',
};

/** The `data` of an answer in a dialect's loose forms. */
function dress(dialect: SandboxDialect, op: CardOp, answer: Answer): unknown {
  switch (answer.type) {
    case 'state': {
      const isActive = answer.status === 'active';
      if (dialect === 'sovera') return { cardId: answer.cardId, isActive, status: SOVERA_STATUS[answer.status] };
      // PayCaddy's cancel says isActive as a string.
      return {
        cardId: answer.cardId,
        isActive: op === 'cancel' ? String(isActive) : isActive,
        status: PAYCADDY_STATUS[answer.status],
      };
    }
    case 'dueDate':
      // PayCaddy sends the due date as a number, MMYY.
      return {
        cardId: answer.cardId,
        dueDate: dialect === 'paycaddy' ? Number(answer.dueDate.replace('/', '')) : answer.dueDate,
      };
    case 'limit':
      if (dialect === 'paycaddy' && op === 'limit' && answer.limit === null) return NO_LIMIT_TEXT;
      return { cardId: answer.cardId, limit: answer.limit };
    default: {
      const { type: _type, ...data } = answer;
      return data;
    }
  }
}

function successStatus(dialect: SandboxDialect, op: CardOp): number {
  if (dialect === 'paycaddy') return 200;
  return op === 'change-pin' ? 200 : 201;
}

function soveraMeta() {
  return { timestamp: new Date().toISOString(), version: '2', traceId: randomUUID() };
}

function soveraError(refusal: Refusal) {
  return {
    success: false,
    errors: [{ code: refusal.code, message: refusal.message, field: refusal.field }],
    meta: soveraMeta(),
  };
}

function paycaddyProblem(refusal: Refusal, instance: string) {
  return {
    type: 'about:blank',
    title: http.STATUS_CODES[refusal.status] ?? 'Error',
    status: refusal.status,
    detail: refusal.message,
    instance,
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  if (res.destroyed || res.headersSent) return;
  const text = typeof body === 'string' && !contentType.includes('json') ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': `${contentType}; charset=utf-8`, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: http.ServerResponse, dialect: SandboxDialect, refusal: Refusal, instance: string): void {
  if (dialect === 'sovera') send(res, refusal.status, soveraError(refusal));
  else send(res, refusal.status, paycaddyProblem(refusal, instance), 'application/problem+json');
}

function sendSuccess(res: http.ServerResponse, dialect: SandboxDialect, op: CardOp, data: unknown): void {
  if (dialect === 'sovera') send(res, successStatus(dialect, op), { success: true, data, meta: soveraMeta() });
  else send(res, successStatus(dialect, op), data);
}

/** Streams a ~10 MB JSON body, minding back-pressure, and stops when the client goes away. */
function sendHuge(res: http.ServerResponse, dialect: SandboxDialect, op: CardOp, cardId: string): void {
  res.writeHead(successStatus(dialect, op), { 'Content-Type': 'application/json; charset=utf-8' });
  res.write(`${dialect === 'sovera' ? '{"success":true,"data":' : ''}{"cardId":${JSON.stringify(cardId)},"padding":"`);
  const chunk = 'x'.repeat(64 * 1024);
  let remaining = Math.ceil(HUGE_ANSWER_BYTES / chunk.length);
  const pump = (): void => {
    while (remaining > 0) {
      if (res.destroyed) return;
      remaining--;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) {
      res.end(`"}${dialect === 'sovera' ? `,"meta":${JSON.stringify(soveraMeta())}}` : ''}`);
    }
  };
  pump();
}

type BodyResult = { ok: true; text: string } | { ok: false };

function readBody(req: http.IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        done = true;
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    });
    req.on('error', () => {
      if (!done) resolve({ ok: false });
    });
  });
}

const jsonObject = z.record(z.string(), z.unknown());

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    return jsonObject.safeParse(JSON.parse(text)).data;
  } catch {
    return undefined;
  }
}

type Match =
  | { kind: 'route'; route: Route; cardIdInPath?: string }
  | { kind: 'wrong-method'; dialect: SandboxDialect }
  | { kind: 'none'; dialect: SandboxDialect | undefined };

function matchRoute(method: string, pathname: string): Match {
  const sovera = SOVERA_ROUTES[pathname];
  if (sovera) {
    return sovera.method === method
      ? { kind: 'route', route: { dialect: 'sovera', ...sovera } }
      : { kind: 'wrong-method', dialect: 'sovera' };
  }
  const paycaddy = PAYCADDY_ROUTES[pathname];
  if (paycaddy) {
    return paycaddy.method === method
      ? { kind: 'route', route: { dialect: 'paycaddy', ...paycaddy } }
      : { kind: 'wrong-method', dialect: 'paycaddy' };
  }
  if (pathname.startsWith(PAYCADDY_LIMIT_PREFIX) && pathname.length > PAYCADDY_LIMIT_PREFIX.length) {
    const encoded = pathname.slice(PAYCADDY_LIMIT_PREFIX.length);
    if (!encoded.includes('/')) {
      if (method !== 'GET') return { kind: 'wrong-method', dialect: 'paycaddy' };
      return {
        kind: 'route',
        route: { dialect: 'paycaddy', op: 'limit', method: 'GET' },
        cardIdInPath: encoded,
      };
    }
  }
  if (pathname.startsWith('/cards/')) return { kind: 'none', dialect: 'sovera' };
  if (pathname.startsWith('/v1/')) return { kind: 'none', dialect: 'paycaddy' };
  return { kind: 'none', dialect: undefined };
}

function seedCards(): Map<string, CardRecord> {
  return new Map(
    DEMO_CARDS.map((card) => [
      card.id,
      {
        id: card.id,
        status: card.status,
        printed: card.printed,
        pinBlocked: card.pinBlocked,
        limit: card.limit,
        pan: card.pan,
        cvv: card.cvv,
        pin: card.pin,
        expDate: card.expDate,
        fault: card.fault,
      },
    ]),
  );
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Starts an issuer sandbox with its own seeded state; resolves once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const slowMs = options.slowMs ?? DEFAULT_SLOW_MS;
  const authHeader = (options.authHeader?.trim() || 'X-API-KEY').toLowerCase();
  const logger = options.logger?.child({ component: 'sandbox' });
  let cards = seedCards();
  const calls: SandboxCall[] = [];
  const slowTimers = new Set<NodeJS.Timeout>();

  const log = (
    dialect: SandboxDialect | undefined,
    op: CardOp | undefined,
    cardId: string | undefined,
    status: number,
  ) =>
    logger?.info(
      { dialect, op, cardId: cardId === undefined ? undefined : scrubText(cardId).slice(0, 80), status },
      'sandbox answered',
    );

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://sandbox.invalid').pathname;
    const match = matchRoute(req.method ?? 'GET', pathname);

    if (match.kind !== 'route') {
      const status = match.kind === 'wrong-method' ? 405 : 404;
      const message = match.kind === 'wrong-method' ? 'Method not allowed on this path' : 'No such operation';
      const refusal: Refusal = {
        status,
        code: status === 405 ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND',
        message,
        field: null,
      };
      if (match.dialect) sendError(res, match.dialect, refusal, pathname);
      else send(res, status, { error: message });
      log(match.dialect, undefined, undefined, status);
      return;
    }

    const { route } = match;
    /** Answers with the dialect's error body, and logs it. */
    const refuse = (refusal: Refusal, loggedCardId: string | undefined, dialect: SandboxDialect = route.dialect) => {
      sendError(res, dialect, refusal, pathname);
      log(dialect, route.op, loggedCardId, refusal.status);
    };
    const badRequest = (message: string, field: string | null = 'cardId') =>
      refuse({ status: 400, code: 'INVALID_REQUEST', message, field }, undefined);

    let cardId: string;
    let body: Record<string, unknown> = {};
    if (match.cardIdInPath !== undefined) {
      try {
        cardId = decodeURIComponent(match.cardIdInPath);
      } catch {
        badRequest('cardId in the path is not valid');
        return;
      }
    } else {
      const raw = await readBody(req);
      if (!raw.ok) {
        refuse({ status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large', field: null }, undefined);
        return;
      }
      const parsed = parseJsonObject(raw.text);
      if (!parsed) {
        badRequest('Request body must be a JSON object', null);
        return;
      }
      if (typeof parsed.cardId !== 'string' || parsed.cardId === '') {
        badRequest('cardId is required and must be a string');
        return;
      }
      body = parsed;
      cardId = parsed.cardId;
    }

    calls.push({ dialect: route.dialect, op: route.op, cardId, at: Date.now() });
    // A sandbox left running under `npm start` must not grow without bound.
    if (calls.length > MAX_RECORDED_CALLS) calls.splice(0, calls.length - MAX_RECORDED_CALLS);

    if (options.apiKey !== undefined) {
      const given = req.headers[authHeader];
      if (typeof given !== 'string' || !sameSecret(given, options.apiKey)) {
        refuse({ status: 401, code: 'UNAUTHORIZED', message: 'Missing or invalid API key', field: null }, cardId);
        return;
      }
    }

    const card = cards.get(cardId);
    if (!card) {
      if (route.dialect === 'sovera') {
        refuse({ status: 404, code: 'CARD_NOT_FOUND', message: 'Card not found', field: 'cardId' }, cardId);
      } else {
        refuse({ status: 422, code: 'CARD_NOT_FOUND', message: 'card not found', field: 'cardId' }, cardId);
      }
      return;
    }

    switch (card.fault) {
      case '500':
        refuse({ status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', field: null }, cardId);
        return;
      case 'html':
        send(res, 200, '<!doctype html><html><body><h1>Service unavailable</h1></body></html>', 'text/html');
        log(route.dialect, route.op, cardId, 200);
        return;
      case 'malformed': {
        const status = successStatus(route.dialect, route.op);
        if (route.dialect === 'sovera')
          send(res, status, { success: true, data: { unexpected: 'shape' }, meta: soveraMeta() });
        else send(res, status, { unexpected: 'shape' });
        log(route.dialect, route.op, cardId, status);
        return;
      }
      case 'huge':
        sendHuge(res, route.dialect, route.op, cardId);
        log(route.dialect, route.op, cardId, successStatus(route.dialect, route.op));
        return;
      default:
        break;
    }

    // The op takes effect now; a slow card only answers late, as an issuer whose answer is lost would.
    const outcome = runOp(card, route.op, body);
    const dialect: SandboxDialect =
      card.fault === 'otherdialect' ? (route.dialect === 'sovera' ? 'paycaddy' : 'sovera') : route.dialect;
    const answer = () => {
      if (outcome.ok) {
        sendSuccess(res, dialect, route.op, dress(dialect, route.op, outcome.answer));
        log(dialect, route.op, cardId, successStatus(dialect, route.op));
      } else {
        refuse(outcome.refusal, cardId, dialect);
      }
    };

    if (card.fault === 'slow') {
      const timer = setTimeout(() => {
        slowTimers.delete(timer);
        answer();
      }, slowMs);
      slowTimers.add(timer);
      // The client gave up: forget the answer rather than write to a dead socket.
      res.on('close', () => {
        clearTimeout(timer);
        slowTimers.delete(timer);
      });
      return;
    }
    answer();
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      send(res, 500, { error: 'sandbox failure' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('sandbox: not listening on a TCP port');
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${address.port}`,
    calls,
    card(cardId) {
      const card = cards.get(cardId);
      if (!card) return undefined;
      return {
        cardId: card.id,
        status: card.status,
        isActive: card.status === 'active',
        printed: card.printed,
        pinBlocked: card.pinBlocked,
        limit: card.limit,
      };
    },
    reset() {
      cards = seedCards();
      calls.length = 0;
    },
    setApiKey(key) {
      options.apiKey = key;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of slowTimers) clearTimeout(timer);
        slowTimers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
