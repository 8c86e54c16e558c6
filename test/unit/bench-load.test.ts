import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { closedLoop, createPoster, loadFailures } from '../../bench/load.js';

/**
 * The bench's load generator: a request the server hangs up on, resets, or cuts mid-answer is a
 * counted failure (status 0, a reason in `loadFailures`), never an exception that ends the bench.
 */

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  loadFailures.clear();
});

it('when the server hangs up, resets or cuts the answer, then each request is counted as failed and the loop runs to its end', async () => {
  let n = 0;
  server = http.createServer((req, res) => {
    n += 1;
    req.resume();
    req.on('end', () => {
      if (n % 4 === 0)
        req.socket.destroy(); // socket hang up before any answer
      else if (n % 4 === 1) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('x');
        setImmediate(() => res.socket?.destroy()); // cut after the headers
      } else if (n % 4 === 2) {
        res.writeHead(503).end('busy');
      } else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const poster = createPoster(`http://127.0.0.1:${port}/slack/events`, 'secret', 4);
  const statuses: number[] = [];
  try {
    const result = await closedLoop(4, 40, async () => {
      statuses.push(await poster.post({ text: 'block card-1' }));
    });
    expect(result.ops).toBe(40);
  } finally {
    poster.close();
  }
  expect(statuses).toHaveLength(40);
  const ok = statuses.filter((s) => s === 200).length;
  const failed = [...loadFailures.values()].reduce((sum, count) => sum + count, 0);
  expect(ok).toBeGreaterThan(0);
  expect(failed).toBe(40 - ok);
  expect(loadFailures.get('HTTP 503')).toBeGreaterThan(0);
  expect([...loadFailures.keys()].some((reason) => /hang up|ECONNRESET|cut off/.test(reason))).toBe(true);
});
