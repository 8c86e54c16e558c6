import http from 'node:http';
import https from 'node:https';

/**
 * A `fetch` for the Slack clients (Web API calls and response_url posts) over node:http with
 * keep-alive agents. Node's built-in fetch costs several times more CPU per request, and a busy
 * bot makes one or two such posts per command. Bodies it does not handle itself (streams,
 * FormData for file uploads) go to the built-in fetch.
 */
export function createKeepAliveFetch(options: { maxSockets?: number } = {}): typeof fetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  const keepAliveFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    const simpleBody =
      body === undefined || body === null || typeof body === 'string' || body instanceof URLSearchParams;
    if (input instanceof Request || !simpleBody) return fetch(input, init);
    const url = new URL(input);
    const agent = url.protocol === 'https:' ? agents['https:'] : url.protocol === 'http:' ? agents['http:'] : undefined;
    if (!agent) return fetch(input, init);

    const headers: Record<string, string> = {};
    for (const [key, value] of new Headers(init.headers)) headers[key] = value;
    const payload = body === undefined || body === null ? undefined : Buffer.from(String(body));
    if (payload && body instanceof URLSearchParams && !headers['content-type']) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    }
    if (payload) headers['content-length'] = String(payload.length);

    return new Promise<Response>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        { method: init.method ?? 'GET', headers, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const responseHeaders = new Headers();
            for (const [key, value] of Object.entries(response.headers)) {
              if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
              else if (value !== undefined) responseHeaders.set(key, value);
            }
            const status = response.statusCode ?? 500;
            const noBody = status === 204 || status === 304 || init.method === 'HEAD';
            resolve(
              new Response(noBody ? null : Buffer.concat(chunks), {
                status,
                statusText: response.statusMessage ?? '',
                headers: responseHeaders,
              }),
            );
          });
        },
      );
      request.on('error', reject);
      const signal = init.signal;
      if (signal) {
        if (signal.aborted) request.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        signal.addEventListener('abort', () => request.destroy(new Error('The operation was aborted')), {
          once: true,
        });
      }
      request.end(payload);
    });
  };
  return keepAliveFetch as typeof fetch;
}
