import http from 'node:http';
import https from 'node:https';
import {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
} from 'axios';

/**
 * An axios adapter over plain node:http(s) with keep-alive agents, for the issuer client. axios's
 * own Node adapter (streams, decompression, proxies, redirects, progress events) costs about as
 * much CPU per call as the rest of a `/card` command; the issuer API needs none of it: small JSON
 * bodies, no redirects (never followed: the key header would travel), no proxy. axios keeps its
 * role: the instance, config, headers, AxiosError shapes the client maps to its own catalogue.
 * What this adapter enforces itself: the answer size cap (maxContentLength), the socket timeout,
 * cancellation by signal, and validateStatus.
 */
export function createLeanHttpAdapter(options: { maxSockets?: number } = {}): AxiosAdapter {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

  return (config: InternalAxiosRequestConfig) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const url = new URL(joinUrl(config.baseURL, config.url));
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') {
        fail(new AxiosError(`unsupported protocol ${url.protocol}`, AxiosError.ERR_BAD_REQUEST, config));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(AxiosHeaders.from(config.headers).toJSON())) {
        if (value !== undefined && value !== null) headers[key] = String(value);
      }
      const data = config.data as unknown;
      const payload =
        data === undefined || data === null
          ? undefined
          : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data), 'utf8');
      if (payload) headers['Content-Length'] = String(payload.length);

      const request = (secure ? https : http).request(
        url,
        { method: (config.method ?? 'get').toUpperCase(), headers, agent: secure ? agents.https : agents.http },
        (response) => {
          const limit = config.maxContentLength ?? -1;
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (limit > -1 && size > limit) {
              response.destroy();
              request.destroy();
              fail(new AxiosError(`maxContentLength size of ${limit} exceeded`, AxiosError.ERR_BAD_RESPONSE, config));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', (error) => fail(AxiosError.from(error, errorCode(error), config, request)));
          response.on('end', () => {
            if (settled) return;
            const answer: AxiosResponse = {
              data: Buffer.concat(chunks).toString('utf8'),
              status: response.statusCode ?? 0,
              statusText: response.statusMessage ?? '',
              headers: AxiosHeaders.from(response.headers as Record<string, string>),
              config,
              request,
            };
            const accept = config.validateStatus;
            if (!accept || accept(answer.status)) {
              settled = true;
              resolve(answer);
            } else {
              fail(
                new AxiosError(
                  `Request failed with status code ${answer.status}`,
                  answer.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
                  config,
                  request,
                  answer,
                ),
              );
            }
          });
        },
      );
      request.on('error', (error) => fail(AxiosError.from(error, errorCode(error), config, request)));
      if (config.timeout) {
        request.setTimeout(config.timeout, () => {
          request.destroy();
          const code = config.transitional?.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED;
          fail(new AxiosError(`timeout of ${config.timeout}ms exceeded`, code, config, request));
        });
      }
      const signal = config.signal as AbortSignal | undefined;
      if (signal) {
        const abort = () => {
          request.destroy();
          fail(new CanceledError(undefined, undefined, config));
        };
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      }
      request.end(payload);
    });
}

/** axios's rule: a relative url is appended to baseURL, whatever the slashes. */
function joinUrl(baseURL: string | undefined, url: string | undefined): string {
  if (!baseURL || (url && /^[a-z][a-z\d+.-]*:\/\//i.test(url))) return url ?? '';
  if (!url) return baseURL;
  return `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
