import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeepAliveFetch } from '../../src/adapters/slack/keep-alive-fetch.js';

describe('the keep-alive fetch the Slack clients use', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const serve = async (handler: http.RequestListener) => {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('when it posts a form or JSON body, then the server gets it whole and the answer reads like fetch', async () => {
    const seen: { method?: string; type?: string; body: string; sockets: Set<unknown> } = {
      body: '',
      sockets: new Set(),
    };
    const url = await serve((req, res) => {
      let body = '';
      seen.sockets.add(req.socket);
      req.on('data', (c) => {
        body += String(c);
      });
      req.on('end', () => {
        seen.method = req.method;
        seen.type = req.headers['content-type'];
        seen.body = body;
        res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '3' });
        res.end(JSON.stringify({ ok: true, echo: body.length }));
      });
    });
    const f = createKeepAliveFetch();
    const form = await f(`${url}/api/chat.postMessage`, {
      method: 'POST',
      body: new URLSearchParams({ text: 'héllo & co' }),
    });
    expect(seen).toMatchObject({ method: 'POST', body: 'text=h%C3%A9llo+%26+co' });
    expect(seen.type).toMatch(/x-www-form-urlencoded/);
    expect(form.ok).toBe(true);
    expect(form.headers.get('retry-after')).toBe('3');
    expect(await form.json()).toEqual({ ok: true, echo: 22 });
    const json = await f(`${url}/commands/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'ünïcode' }),
    });
    expect(JSON.parse(seen.body)).toEqual({ text: 'ünïcode' });
    expect(json.status).toBe(200);
    for (let i = 0; i < 8; i += 1) await (await f(`${url}/commands/x`, { method: 'POST', body: '{}' })).text();
    // Kept alive: ten posts in turn share a connection or two (the pool may open a second while the first settles).
    expect(seen.sockets.size).toBeLessThanOrEqual(2);
  });

  it('when an answer is read, then it behaves like fetch: one read only, clone first, repeated headers kept, bytes intact', async () => {
    const bytes = Buffer.from([0, 255, 1, 254, 0x7b]);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip', 'x-seen': ['a', 'b'] });
      res.end(bytes);
    });
    const answer = await createKeepAliveFetch()(`${url}/files/x`);
    const copy = answer.clone();
    expect(answer.bodyUsed).toBe(false);
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(bytes);
    expect(answer.bodyUsed).toBe(true);
    await expect(answer.text()).rejects.toThrow(/already been read/);
    expect(copy.headers.get('x-seen')).toBe('a, b');
    expect(Object.fromEntries(copy.headers.entries())['content-type']).toBe('application/gzip');
    const streamed = Buffer.from(await new Response(copy.body).arrayBuffer());
    expect(streamed).toEqual(bytes);
  });

  it('when the server answers 404, then the response says so and is not ok', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('used_url');
    });
    const answer = await createKeepAliveFetch()(`${url}/commands/gone`, { method: 'POST', body: '{}' });
    expect(answer.ok).toBe(false);
    expect(answer.status).toBe(404);
    expect(await answer.text()).toBe('used_url');
  });

  it('when the signal aborts, then the call rejects instead of hanging', async () => {
    const url = await serve(() => {});
    const pending = createKeepAliveFetch()(`${url}/slow`, {
      method: 'POST',
      body: 'x',
      signal: AbortSignal.timeout(100),
    });
    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('when the body is a FormData upload, then the built-in fetch carries it', async () => {
    let type = '';
    const url = await serve((req, res) => {
      type = String(req.headers['content-type']);
      req.resume();
      req.on('end', () => res.end('OK'));
    });
    const data = new FormData();
    data.append('file', new Blob(['a,b\r\n']), 'x.csv');
    const answer = await createKeepAliveFetch()(`${url}/upload/F1`, { method: 'POST', body: data });
    expect(await answer.text()).toBe('OK');
    expect(type).toMatch(/multipart\/form-data; boundary=/);
  });
});
