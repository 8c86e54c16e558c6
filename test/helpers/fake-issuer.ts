import http from 'node:http';

/**
 * A tiny issuer stand-in that serves canned, documented answers by method and path, to test
 * the clients independently of the sandbox. It records what reached it, headers included, so a
 * test can check the key header and the request body.
 */

export interface CannedAnswer {
  status: number;
  /** Sent as JSON unless `raw` is given. */
  body?: unknown;
  /** Sent as is, for bodies that are not JSON. */
  raw?: string;
  /** Default application/json. */
  contentType?: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeIssuer {
  url: string;
  requests: FakeRequest[];
  /** Sets (or replaces) the answer to `METHOD /path`. */
  answer(method: string, path: string, canned: CannedAnswer): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 with the given answers keyed `"METHOD /path"`; anything else is 404. */
export async function startFakeIssuer(answers: Record<string, CannedAnswer> = {}): Promise<FakeIssuer> {
  const table = new Map(Object.entries(answers));
  const requests: FakeRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      requests.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const canned = table.get(`${req.method} ${path}`);
      if (!canned) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end('{"error":"no canned answer"}');
        return;
      }
      const text = canned.raw ?? JSON.stringify(canned.body);
      res.writeHead(canned.status, {
        'Content-Type': canned.contentType ?? 'application/json',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake issuer: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    answer(method, path, canned) {
      table.set(`${method} ${path}`, canned);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
