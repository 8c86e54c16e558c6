import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import type { CardIssuer, CardStateResult, IssuerAnswer, IssuerClientOptions } from '../../domain/cards/card-issuer.js';
import { cardIdRefusal, limitRefusal, newPinRefusal } from '../../domain/cards/issuer-input.js';
import { type CardOp, SECRET_OPS, STATE_CHANGING_OPS } from '../../domain/ops.js';
import { AppError, type AppErrorOptions, type CallOutcome, type ErrorCode } from '../../errors.js';
import { cardStateSchema } from './card-schemas.js';
import { createLeanHttpAdapter } from './lean-http-adapter.js';
import { cleanIssuerText, cleanTraceId, looseCardId } from './normalise.js';

/*
 * The HTTP plumbing both dialects share: one axios instance per client, a whole-call deadline,
 * the key header, every answer checked (content type, size, zod shape), every failure turned
 * into a fresh AppError from the catalogue, and the one retry of a read.
 *
 * Sanitising: an axios error holds the request config (the key header, the body with a PIN)
 * and the raw answer (which may hold a PAN). None ever leaves this module: each is caught and
 * replaced by an AppError built only from the provider, the op, the HTTP status, a network
 * error code, the issuer's trace id and, for a 400, its message after `cleanIssuerText`. No
 * error is chained as `cause`.
 */

export const DEFAULT_AUTH_HEADER = 'X-API-KEY';
export const DEFAULT_READ_RETRY_DELAY_MS = 250;
/** Larger answers are refused while streaming: no issuer answer of SPEC §2 comes near this. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export type IssuerProvider = CardIssuer['provider'];
type HttpMethod = 'GET' | 'POST' | 'PUT';

export interface IssuerRequest {
  op: CardOp;
  method: HttpMethod;
  path: string;
  body?: Record<string, unknown>;
  /** The answer may be text that is not JSON (PayCaddy's limit: "No stablish internal limit"). */
  acceptPlainText?: boolean;
  /**
   * The card asked about: an answer that names another card (`cardId` in its data) is refused as
   * ISSUER_WRONG_CARD, whatever the op; an answer that names none is judged by its schema alone.
   */
  aboutCard?: string;
}

/**
 * A 2xx body with the dialect's envelope removed; `ok: false` when the envelope is not the
 * documented one. The trace id is raw issuer text here; the caller cleans it.
 */
export type UnwrappedAnswer = { ok: true; data: unknown; traceId?: string } | { ok: false; traceId?: string };

/** What tells the two dialects apart at the HTTP level. */
export interface IssuerDialect {
  provider: IssuerProvider;
  /** A display name for user messages. */
  displayName: string;
  unwrapSuccess(body: unknown): UnwrappedAnswer;
  /** The issuer's own message and trace id from an error body, when it holds them: raw, the caller cleans them. */
  readError(body: unknown): { message?: string; traceId?: string };
}

export interface IssuerHttp {
  /** Calls the issuer once (reads: at most twice) and returns the answer parsed by `schema`, with its trace id. */
  call<T extends object>(request: IssuerRequest, schema: z.ZodType<T>): Promise<T & IssuerAnswer>;
  /** activate, block, unblock, cancel: a checked card id POSTed to `path`, answered with that card's state. */
  stateChange(op: StateChangeOp, path: string, cardId: string): Promise<CardStateResult & IssuerAnswer>;
}

export type StateChangeOp = 'activate' | 'block' | 'unblock' | 'cancel';

const NETWORK_CODES_NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);
const JSON_BODY = { 'Content-Type': 'application/json' };
const NO_HEADERS = {};

/** Builds the shared HTTP caller for one dialect. */
export function createIssuerHttp(dialect: IssuerDialect, options: IssuerClientOptions): IssuerHttp {
  const authHeader = options.authHeader?.trim() || DEFAULT_AUTH_HEADER;
  const retryDelayMs = options.readRetryDelayMs ?? DEFAULT_READ_RETRY_DELAY_MS;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.apiKey !== undefined) headers[authHeader] = options.apiKey;

  const http: AxiosInstance = axios.create({
    baseURL: options.baseUrl,
    timeout: options.timeoutMs,
    headers,
    maxContentLength: MAX_ANSWER_BYTES,
    maxBodyLength: MAX_ANSWER_BYTES,
    // A redirect would carry the key header to wherever it points.
    maxRedirects: 0,
    // Every status is an answer to read here, not an axios error.
    validateStatus: () => true,
    // The raw text: JSON is parsed here, so a broken body is ISSUER_MALFORMED and not a silent string.
    responseType: 'text',
    transformResponse: [],
    transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
    // Bodies are plain objects, sent as JSON by the adapter: nothing to detect or transform.
    transformRequest: [],
    adapter: createLeanHttpAdapter(),
  });
  // axios.create gives the instance per-method header sets (common, get, post, …) that it deep-merges
  // into every request; this client sends the same headers for every method, so it keeps one flat set.
  http.defaults.headers = { ...headers } as unknown as typeof http.defaults.headers;

  /** Issuer text made safe: our own key, should the issuer echo it, then what `cleanIssuerText` removes. */
  const unkeyed = (text: string | undefined): string | undefined => {
    const apiKey = options.apiKey;
    return text !== undefined && apiKey && apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
  };
  const cleanMessage = (text: string | undefined) => cleanIssuerText(unkeyed(text));
  const cleanTrace = (text: string | undefined) => cleanTraceId(unkeyed(text));

  const fail = (request: IssuerRequest, code: ErrorCode, what: string, extra: AppErrorOptions = {}): AppError =>
    new AppError(code, `issuer ${dialect.provider} (${request.op}): ${what}`, extra);

  /** What the audit must record when the call may have reached the issuer. */
  const maybeApplied = (request: IssuerRequest): CallOutcome =>
    STATE_CHANGING_OPS.includes(request.op) ? 'unknown' : 'failed';

  async function send(request: IssuerRequest): Promise<AxiosResponse<unknown>> {
    // The adapter holds axios's `timeout` as a deadline for the whole call, trickling answers included.
    try {
      return await http.request<unknown>({
        method: request.method,
        url: request.path,
        data: request.body,
        headers: request.body ? JSON_BODY : NO_HEADERS,
      });
    } catch (error) {
      throw transportError(request, error);
    }
  }

  function transportError(request: IssuerRequest, error: unknown): AppError {
    const code = networkCode(error);
    if (code !== undefined && TIMEOUT_CODES.has(code)) {
      return fail(request, 'ISSUER_TIMEOUT', `no answer within ${options.timeoutMs} ms`, {
        outcome: maybeApplied(request),
      });
    }
    if (axios.isAxiosError(error) && /maxContentLength/.test(error.message)) {
      return fail(request, 'ISSUER_MALFORMED', `answer larger than ${MAX_ANSWER_BYTES} bytes`, {
        outcome: maybeApplied(request),
        httpStatus: error.response?.status,
      });
    }
    const neverSent = code !== undefined && NETWORK_CODES_NEVER_SENT.has(code);
    return fail(request, 'ISSUER_UNREACHABLE', code ?? 'network error', {
      outcome: neverSent ? 'failed' : maybeApplied(request),
    });
  }

  function read<T extends object>(request: IssuerRequest, response: AxiosResponse<unknown>, schema: z.ZodType<T>) {
    const status = response.status;
    const mediaType = mediaTypeOf(response.headers['content-type']);
    const text = typeof response.data === 'string' ? response.data : '';
    // JSON labelled text/plain is still JSON: a success is not refused over its header.
    const body = isJsonMediaType(mediaType) || mediaType === 'text/plain' ? parseJson(text) : NOT_JSON;

    if (status >= 200 && status < 300) {
      let answer = body;
      if (answer === NOT_JSON && request.acceptPlainText && mediaType === 'text/plain') answer = text.trim();
      if (answer === NOT_JSON) {
        const what =
          isJsonMediaType(mediaType) || mediaType === 'text/plain'
            ? `answer is not valid JSON (${mediaType})`
            : `answer is ${mediaType || 'untyped'}`;
        throw fail(request, 'ISSUER_MALFORMED', `HTTP ${status}, ${what}`, {
          outcome: maybeApplied(request),
          httpStatus: status,
        });
      }
      const unwrapped = dialect.unwrapSuccess(answer);
      const traceId = cleanTrace(unwrapped.traceId);
      if (!unwrapped.ok) {
        throw fail(request, 'ISSUER_MALFORMED', `HTTP ${status}, answer is not a ${dialect.displayName} envelope`, {
          outcome: maybeApplied(request),
          httpStatus: status,
          traceId,
        });
      }
      if (request.aboutCard !== undefined && namesAnotherCard(unwrapped.data, request.aboutCard)) {
        // Nothing of the answer goes further: not its values, not the card it names.
        throw fail(request, 'ISSUER_WRONG_CARD', `HTTP ${status}, answer is about another card`, {
          outcome: maybeApplied(request),
          httpStatus: status,
          traceId,
        });
      }
      const parsed = schema.safeParse(unwrapped.data);
      if (!parsed.success) {
        // Only the path of the first issue: zod's messages are safe, the values they point at are not.
        const where = parsed.error.issues[0]?.path.map(String).join('.') || 'answer';
        throw fail(request, 'ISSUER_MALFORMED', `HTTP ${status}, unexpected shape at ${where}`, {
          outcome: maybeApplied(request),
          httpStatus: status,
          traceId,
        });
      }
      return traceId === undefined ? parsed.data : { ...parsed.data, traceId };
    }

    const said = body === NOT_JSON ? {} : dialect.readError(body);
    const traceId = cleanTrace(said.traceId);
    const base = { httpStatus: status, traceId };
    if (status === 400 || status === 409) {
      // Around secrets, the issuer's words lose every digit run: "PIN 4821 is too weak" must not
      // carry the PIN into an answer that may travel through a logged Web API call.
      const cleaned = cleanMessage(said.message);
      const issuerMessage = SECRET_OPS.includes(request.op) ? cleaned?.replace(/\d{3,}/g, '…') : cleaned;
      throw fail(request, 'STATE_CONFLICT', `HTTP ${status}`, {
        ...base,
        issuerMessage,
        ...(issuerMessage ? { userMessage: `The issuer refused: ${withFullStop(issuerMessage)}` } : {}),
      });
    }
    if (status === 404 || status === 422) throw fail(request, 'CARD_NOT_FOUND', `HTTP ${status}`, base);
    if (status === 401 || status === 403) {
      // The operator's problem, not the agent's: they are told the operator knows (instrumentIssuer
      // logs the error line and turns /readyz red); no trace id to chase with the issuer's support.
      throw fail(request, 'ISSUER_AUTH', `HTTP ${status}`, base);
    }
    // A gateway that gave up (502, 504) cannot say whether the issuer behind it acted.
    const gatewayGaveUp = status === 502 || status === 504;
    throw fail(request, 'ISSUER_FAILURE', `HTTP ${status}`, {
      ...base,
      outcome: gatewayGaveUp ? maybeApplied(request) : 'failed',
    });
  }

  async function attempt<T extends object>(request: IssuerRequest, schema: z.ZodType<T>) {
    const response = await send(request);
    return read(request, response, schema);
  }

  async function call<T extends object>(request: IssuerRequest, schema: z.ZodType<T>): Promise<T & IssuerAnswer> {
    // State changes are never retried; neither are reads of cardholder data, so each access
    // to a PAN, CVV, expiry or PIN is exactly the one call its audit row announces.
    if (STATE_CHANGING_OPS.includes(request.op) || SECRET_OPS.includes(request.op)) return attempt(request, schema);
    try {
      return await attempt(request, schema);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      await sleep(retryDelayMs);
      return attempt(request, schema);
    }
  }

  return {
    call,
    async stateChange(op, path, cardId) {
      requireCardId(dialect.provider, op, cardId);
      return call({ op, method: 'POST', path, body: { cardId }, aboutCard: cardId }, cardStateSchema);
    },
  };
}

/** The limit read retries once on a network failure or a 5xx; a timeout already spent the caller's patience. */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof AppError)) return false;
  if (error.code === 'ISSUER_UNREACHABLE') return true;
  return error.code === 'ISSUER_FAILURE' && (error.httpStatus ?? 0) >= 500;
}

/**
 * True when the answer's data names a card (`cardId`, as a string or a number) other than `cardId`.
 * A `cardId` field of any other type names no card we could compare, so it counts as another.
 */
function namesAnotherCard(data: unknown, cardId: string): boolean {
  if (typeof data !== 'object' || data === null || !('cardId' in data)) return false;
  const named = looseCardId.safeParse(data.cardId);
  return !named.success || named.data !== cardId;
}

/** Refuses, before any network call, a card id that is not of the documented form. */
export function requireCardId(provider: IssuerProvider, op: CardOp, cardId: string): void {
  const refusal = cardIdRefusal(provider, op, cardId);
  if (refusal) throw refusal;
}

/** Refuses, before any network call, a new PIN that is not 4–12 digits. The PIN is never in the message. */
export function requireNewPin(provider: IssuerProvider, pin: string): void {
  const refusal = newPinRefusal(provider, pin);
  if (refusal) throw refusal;
}

/** Refuses, before any network call, a limit that is not a non-negative amount. */
export function requireLimit(provider: IssuerProvider, limit: number): void {
  const refusal = limitRefusal(provider, limit);
  if (refusal) throw refusal;
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** The bare media type (`application/json`), lower-cased and cut short: safe to put in an error message. */
function mediaTypeOf(header: unknown): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return '';
  const type = value.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[\w.+-]{1,40}\/[\w.+-]{1,60}$/.test(type) ? type : 'an unknown type';
}

function isJsonMediaType(type: string): boolean {
  return type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type);
}

/** The error code of a network failure, from axios or the socket below it (an AggregateError for dual-stack). */
function networkCode(error: unknown): string | undefined {
  const candidates: unknown[] = [error];
  if (error && typeof error === 'object' && 'cause' in error) {
    const cause = error.cause;
    candidates.push(cause);
    if (cause && typeof cause === 'object' && 'errors' in cause && Array.isArray(cause.errors)) {
      candidates.push(...cause.errors);
    }
  }
  if (error && typeof error === 'object' && 'errors' in error && Array.isArray(error.errors)) {
    candidates.push(...error.errors);
  }
  for (const candidate of candidates) {
    if (candidate && typeof candidate === 'object' && 'code' in candidate) {
      const code = candidate.code;
      // Only a plain error code is ever put in a message.
      if (typeof code === 'string' && /^E[A-Z_]{2,30}$/.test(code) && !code.startsWith('ERR_')) return code;
    }
  }
  return undefined;
}

function withFullStop(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
