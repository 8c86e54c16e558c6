import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCardIssuer } from '../../src/adapters/issuer/create-issuer.js';
import type { CardIssuer } from '../../src/domain/cards/card-issuer.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import { PLANTED } from './planted-values.js';

/** Paths whose answer carries a PIN the cardholder already has: change-pin answers with the new one typed. */
const CHANGE_PIN_PATHS = new Set(['/cards/v2/operations/pin', '/v1/cardOperations/changePin']);

export interface PlantedIssuer {
  /** The real HTTP client of the dialect, holding the planted issuer key, pointed at the proxy. */
  issuer: CardIssuer;
  /** The sandbox behind the proxy, which insists on the planted key: card state and calls. */
  sandbox: Sandbox;
  close(): Promise<void>;
}

/** Puts the planted secrets into an answer wherever the dialects carry them (enveloped or bare). */
function plant(body: unknown, path: string): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const record = body as Record<string, unknown>;
  for (const target of [record, record.data]) {
    if (!target || typeof target !== 'object' || Array.isArray(target)) continue;
    const data = target as Record<string, unknown>;
    if ('pan' in data) data.pan = PLANTED.pan;
    if ('expDate' in data) data.expDate = PLANTED.expiry;
    if ('dueDate' in data)
      data.dueDate = typeof data.dueDate === 'number' ? Number(PLANTED.expiry.replace('/', '')) : PLANTED.expiry;
    if ('cvv' in data) data.cvv = PLANTED.cvv;
    if ('pin' in data && !CHANGE_PIN_PATHS.has(path)) data.pin = PLANTED.pin;
  }
  return body;
}

/**
 * The sandbox issuer behind a small proxy that replaces every card's PAN, CVV, PIN and expiry in
 * its answers with the planted ones, so the planted secrets travel the real road: HTTP, the
 * dialect's client, normalisation, the app. The sandbox requires the planted issuer key.
 */
export async function startPlantedIssuer(
  provider: 'sovera' | 'paycaddy',
  options: { timeoutMs?: number; slowMs?: number } = {},
): Promise<PlantedIssuer> {
  const sandbox = await startSandbox({ apiKey: PLANTED.issuerKey, slowMs: options.slowMs ?? 2_000 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      try {
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'x-api-key', 'accept']) {
          const value = req.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        const answer = await fetch(`${sandbox.url}${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers,
          ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
        });
        const type = answer.headers.get('content-type') ?? 'application/octet-stream';
        let text = await answer.text();
        if (type.includes('json')) {
          try {
            text = JSON.stringify(plant(JSON.parse(text), path));
          } catch {
            // Not JSON after all: pass it on untouched.
          }
        }
        res.writeHead(answer.status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      } catch {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('proxy failure');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = createCardIssuer(provider, {
    baseUrl: url,
    apiKey: PLANTED.issuerKey,
    authHeader: 'X-API-KEY',
    timeoutMs: options.timeoutMs ?? 1_000,
    readRetryDelayMs: 10,
  });
  return {
    issuer,
    sandbox,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sandbox.close();
    },
  };
}
