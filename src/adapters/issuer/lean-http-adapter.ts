import {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
} from 'axios';
import { Agent, type Dispatcher, request as undiciRequest } from 'undici';

/**
 * An axios adapter over undici's `request` with a keep-alive connection pool, for the issuer
 * client. axios's own Node adapter (streams, decompression, proxies, redirects, progress events)
 * costs about as much CPU per call as the rest of a `/card` command, and node:http's client
 * about half as much again as undici's; the issuer API needs none of the extras: small JSON
 * bodies, no redirects (never followed: the key header would travel), no proxy. axios keeps its
 * role: the instance, config, headers, AxiosError shapes the client maps to its own catalogue.
 * What this adapter enforces itself: the answer size cap (maxContentLength), the idle timeout
 * (`timeout`, for the headers and between body chunks), cancellation by signal, and
 * validateStatus. Network errors keep Node's codes (ECONNREFUSED, ECONNRESET, ETIMEDOUT).
 */
export function createLeanHttpAdapter(options: { connections?: number } = {}): AxiosAdapter {
  // undici follows no redirect unless told to; it pools per origin, http and https alike.
  const dispatcher = new Agent({ connections: options.connections ?? 64, keepAliveTimeout: 30_000 });

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

    let answer: Dispatcher.ResponseData;
    try {
      answer = await undiciRequest(url, {
        dispatcher,
        method: (config.method ?? 'get').toUpperCase() as Dispatcher.HttpMethod,
        headers,
        body: payload,
        ...(signal ? { signal } : {}),
        ...(config.timeout ? { headersTimeout: config.timeout, bodyTimeout: config.timeout } : {}),
      });
    } catch (error) {
      throw transportError(error, config, signal);
    }

    const limit = config.maxContentLength ?? -1;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of answer.body) {
        size += (chunk as Buffer).length;
        if (limit > -1 && size > limit) {
          answer.body.destroy();
          throw new AxiosError(`maxContentLength size of ${limit} exceeded`, AxiosError.ERR_BAD_RESPONSE, config);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      throw error instanceof AxiosError ? error : transportError(error, config, signal);
    }

    const response: AxiosResponse = {
      data: Buffer.concat(chunks).toString('utf8'),
      status: answer.statusCode,
      statusText: '',
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
  };
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

function transportError(error: unknown, config: InternalAxiosRequestConfig, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return new CanceledError(undefined, undefined, config);
  const raw = (error as { code?: unknown }).code;
  const code = typeof raw === 'string' ? (UNDICI_CODES[raw] ?? raw) : undefined;
  // Only the code travels: undici's message may name the address, never anything of the request.
  return new AxiosError(code ?? 'network error', code, config);
}

/** axios's rule: a relative url is appended to baseURL, whatever the slashes. */
function joinUrl(baseURL: string | undefined, url: string | undefined): string {
  if (!baseURL || (url && /^[a-z][a-z\d+.-]*:\/\//i.test(url))) return url ?? '';
  if (!url) return baseURL;
  return `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}
