import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import { keepAlivePool, sendBuffered } from '../http/buffered-request.js';

/**
 * A `fetch` for the Slack clients (Web API calls and response_url posts) over undici with a
 * keep-alive pool (`sendBuffered`). Node's built-in fetch costs several times more CPU per
 * request (web streams, a `Response` and `Headers` built for every answer), and a busy bot makes
 * one or two such posts per command. Bodies it does not handle itself (streams, FormData for file uploads)
 * go to the built-in fetch. Redirects are not followed.
 */
export function createKeepAliveFetch(options: { maxSockets?: number } = {}): typeof fetch {
  const dispatcher = keepAlivePool(options.maxSockets);

  const keepAliveFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    const simpleBody =
      body === undefined || body === null || typeof body === 'string' || body instanceof URLSearchParams;
    if (input instanceof Request || !simpleBody) return fetch(input, init);
    const url = typeof input === 'string' ? input : input.href;
    if (!/^https?:\/\//i.test(url)) return fetch(input, init);

    const headers = plainHeaders(init.headers);
    const payload = body === undefined || body === null ? undefined : String(body);
    if (payload !== undefined && body instanceof URLSearchParams && !headers['content-type']) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    }
    const method = (init.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod;
    const answer = await sendBuffered(dispatcher, url, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    const status = answer.status;
    const noBody = status === 204 || status === 304 || method === 'HEAD';
    return new BufferedResponse(url, status, answer.statusText || (STATUS_CODES[status] ?? ''), answer.headers, {
      bytes: noBody ? null : answer.body,
    }) as unknown as Response;
  };
  return keepAliveFetch as typeof fetch;
}

/** Request headers as lower-cased plain fields, without building a `Headers` for a plain object. */
function plainHeaders(given: RequestInit['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!given) return headers;
  const pairs: Iterable<readonly [string, string | readonly string[]]> =
    given instanceof Headers || Array.isArray(given) ? (given as Iterable<[string, string]>) : Object.entries(given);
  for (const [key, value] of pairs) headers[key.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
  return headers;
}

/**
 * A fully read answer with the parts of `Response` the Slack clients use (status, ok, headers,
 * text, json, arrayBuffer; `body` and `blob` too). Node's own `Response` builds a web stream and
 * a `Headers` for every answer, which costs more than the HTTP exchange itself; here the headers
 * are built only when read.
 */
export class BufferedResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  #bytes: Buffer | null;
  #raw: IncomingHttpHeaders;
  #headers: Headers | undefined;
  #used = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    raw: IncomingHttpHeaders,
    content: { bytes: Buffer | null },
  ) {
    this.ok = status >= 200 && status < 300;
    this.#raw = raw;
    this.#bytes = content.bytes;
  }

  get headers(): Headers {
    if (!this.#headers) {
      const headers = new Headers();
      for (const [key, value] of Object.entries(this.#raw)) {
        if (Array.isArray(value)) for (const v of value) headers.append(key, v);
        else if (value !== undefined) headers.set(key, value);
      }
      this.#headers = headers;
    }
    return this.#headers;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#bytes ? new Response(this.#take()).body : null;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return this.#take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    return new Blob([this.#take()], { type: this.#raw['content-type'] ?? '' });
  }

  clone(): BufferedResponse {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.url, this.status, this.statusText, this.#raw, { bytes: this.#bytes });
  }

  /** The body, once, as fetch allows. */
  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes ?? Buffer.alloc(0);
  }
}
