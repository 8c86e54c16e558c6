import http from 'node:http';
import { encodeDelivery, signRequest } from '../src/shell/slack-driver.js';

/**
 * The load generator shared by every HTTP figure: signed slash-command posts over keep-alive
 * loopback connections, a closed loop of N concurrent senders, and percentiles. The same code
 * drives the full bot and the minimal Bolt app, so their ratio compares the apps, not the clients.
 */

export interface Poster {
  /** POSTs a signed slash-command body; resolves with the status once the answer (the ack) is read. */
  post(body: Record<string, string>): Promise<number>;
  close(): void;
}

export function createPoster(url: string, signingSecret: string, maxSockets = 64): Poster {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    post(body) {
      const { raw, contentType } = encodeDelivery({ kind: 'command', body });
      const data = Buffer.from(raw);
      return new Promise<number>((resolve, reject) => {
        const request = http.request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            headers: {
              'content-type': contentType,
              'content-length': data.length,
              ...signRequest(signingSecret, raw),
            },
          },
          (response) => {
            response.on('data', () => {});
            response.on('end', () => resolve(response.statusCode ?? 0));
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(data);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

export interface LoopResult {
  ops: number;
  elapsedMs: number;
  opsPerSecond: number;
  /** Per-op latencies in ms. */
  latencies: number[];
}

/** Runs `op` from `concurrency` senders until `total` ops are done; each sender starts its next op when its last ends. */
export async function closedLoop(
  concurrency: number,
  total: number,
  op: (index: number) => Promise<void>,
): Promise<LoopResult> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const sender = async () => {
    for (;;) {
      const index = next;
      if (index >= total) return;
      next += 1;
      const t0 = performance.now();
      await op(index);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  const elapsedMs = performance.now() - started;
  return { ops: total, elapsedMs, opsPerSecond: (total * 1000) / elapsedMs, latencies };
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
