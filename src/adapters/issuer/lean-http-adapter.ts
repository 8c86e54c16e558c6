import {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { Dispatcher } from 'undici';
import { type BufferedAnswer, HttpCallError, keepAlivePool, sendBuffered } from '../http/buffered-request.js';

/**
 * An axios adapter over undici (`sendBuffered`: its dispatch API, a keep-alive pool), for the
 * issuer client. axios's own Node adapter (streams, decompression, proxies, redirects, progress events)
 * costs about as much CPU per call as the rest of a `/card` command, and node:http's client
 * about half as much again as undici's; the issuer API needs none of the extras: small JSON
 * bodies, no redirects (never followed: the key header would travel), no proxy. axios keeps its
 * role: the instance, config, headers, AxiosError shapes the client maps to its own catalogue.
 * What this adapter enforces itself: the answer size cap (maxContentLength), `timeout` as a
 * deadline for the whole call (connect, headers and every byte of the body), cancellation by
 * signal, and validateStatus. Network errors keep Node's codes (ECONNREFUSED, ECONNRESET, ETIMEDOUT).
 */
export function createLeanHttpAdapter(options: { connections?: number } = {}): AxiosAdapter {
  const dispatcher = keepAlivePool(options.connections);

  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const url = joinUrl(config.baseURL, config.url);
    if (!/^https?:\/\//i.test(url)) {
      throw new AxiosError(`unsupported protocol in ${url.split(':')[0]}:`, AxiosError.ERR_BAD_REQUEST, config);
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(AxiosHeaders.from(config.headers).toJSON())) {
      if (value !== undefined && value !== null) headers[key] = String(value);
    }
    const data = config.data as unknown;
    const payload =
      data === undefined || data === null ? undefined : typeof data === 'string' ? data : JSON.stringify(data);
    const signal = config.signal as AbortSignal | undefined;
    if (signal?.aborted) throw new CanceledError(undefined, undefined, config);
    const limit = config.maxContentLength ?? -1;

    let answer: BufferedAnswer;
    try {
      answer = await sendBuffered(dispatcher, url, {
        method: (config.method ?? 'get').toUpperCase() as Dispatcher.HttpMethod,
        headers,
        ...(payload !== undefined ? { body: payload } : {}),
        ...(limit > -1 ? { maxBytes: limit } : {}),
        // One deadline for the whole call, trickling answers included.
        ...(config.timeout ? { deadlineMs: config.timeout } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw axiosErrorOf(error, config, signal);
    }
    return settle(config, answer);
  };
}

/** A transport failure as the AxiosError axios's own adapter would raise; only codes travel. */
function axiosErrorOf(error: unknown, config: InternalAxiosRequestConfig, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return new CanceledError(undefined, undefined, config);
  const raw = (error as { code?: unknown }).code;
  if (raw === 'ERR_ANSWER_TOO_LARGE') {
    return new AxiosError(
      `maxContentLength size of ${config.maxContentLength} exceeded`,
      AxiosError.ERR_BAD_RESPONSE,
      config,
    );
  }
  if (raw === 'ETIMEDOUT' && error instanceof HttpCallError) {
    const code = config.transitional?.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED;
    return new AxiosError(`timeout of ${config.timeout}ms exceeded`, code, config);
  }
  const code = typeof raw === 'string' ? (UNDICI_CODES[raw] ?? raw) : undefined;
  // Only the code travels: undici's message may name the address, never anything of the request.
  return new AxiosError(code ?? 'network error', code, config);
}

/** The answer as axios expects it, refused by validateStatus when it says so. */
function settle(config: InternalAxiosRequestConfig, answer: BufferedAnswer): AxiosResponse {
  const response: AxiosResponse = {
    data: answer.body.toString('utf8'),
    status: answer.status,
    statusText: answer.statusText,
    headers: AxiosHeaders.from(answer.headers as Record<string, string>),
    config,
    request: undefined,
  };
  const accept = config.validateStatus;
  if (accept && !accept(response.status)) {
    throw new AxiosError(
      `Request failed with status code ${response.status}`,
      response.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
      config,
      undefined,
      response,
    );
  }
  return response;
}

/** undici's own error codes as the Node codes the issuer client (and axios users) know. */
const UNDICI_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_DESTROYED: 'ECONNRESET',
};

/** axios's rule: a relative url is appended to baseURL, whatever the slashes. */
function joinUrl(baseURL: string | undefined, url: string | undefined): string {
  if (!baseURL || (url && /^[a-z][a-z\d+.-]*:\/\//i.test(url))) return url ?? '';
  if (!url) return baseURL;
  return `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}
