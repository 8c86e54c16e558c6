import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { sendBuffered } from '../../src/adapters/http/buffered-request.js';

describe('one buffered HTTP exchange through undici', () => {
  let server: http.Server | undefined;
  const agent = new Agent({ connections: 4 });
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  const serve = async (handler: http.RequestListener) => {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('when the server answers, then status, headers and the whole body come back, and the request arrived as sent', async () => {
    let seen = '';
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += String(c);
      });
      req.on('end', () => {
        seen = `${req.method} ${req.url} ${req.headers['x-key']} ${body}`;
        res.writeHead(201, 'Made', { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    const answer = await sendBuffered(agent, `${url}/v1/x?y=1`, {
      method: 'POST',
      headers: { 'x-key': 'k1' },
      body: '{"a":1}',
    });
    expect(seen).toBe('POST /v1/x?y=1 k1 {"a":1}');
    expect(answer).toMatchObject({ status: 201, statusText: 'Made', headers: { 'content-type': 'application/json' } });
    expect(answer.body.toString()).toBe('{"ok":true}');
  });

  it('when the answer is larger than the cap, then the call fails as too large instead of reading on', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 64; i += 1) res.write(chunk);
      res.end();
    });
    await expect(sendBuffered(agent, url, { method: 'GET', headers: {}, maxBytes: 100_000 })).rejects.toMatchObject({
      code: 'ERR_ANSWER_TOO_LARGE',
    });
  });

  it('when no answer comes before the deadline, then the call fails with ETIMEDOUT', async () => {
    const url = await serve(() => {});
    await expect(sendBuffered(agent, url, { method: 'GET', headers: {}, deadlineMs: 100 })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
    });
  });

  it('when the caller aborts, then the call rejects with the signal reason', async () => {
    const url = await serve(() => {});
    const signal = AbortSignal.timeout(50);
    await expect(sendBuffered(agent, url, { method: 'GET', headers: {}, signal })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it('when nothing listens, then the call fails with the connection error code', async () => {
    const url = await serve(() => {});
    server?.close();
    server = undefined;
    await expect(sendBuffered(agent, url, { method: 'GET', headers: {} })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
