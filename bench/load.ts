import http from 'node:http';
import { encodeDelivery, signRequest } from '../src/shell/slack-driver.js';

/**
 * The load generator shared by every HTTP figure: signed slash-command posts over keep-alive
 * loopback connections, a closed loop of N concurrent senders, and percentiles. The same code
 * drives the full bot and the minimal Bolt app, so their ratio compares the apps, not the clients.
 */

export interface Poster {
  /**
   * POSTs a signed slash-command body; resolves with the status once the answer (the ack) is read,
   * or with 0 when the request failed (a connection reset or hang-up, no answer within the
   * deadline). It never rejects: a failed request is counted (see `loadFailures`), not a crash.
   */
  post(body: Record<string, string>): Promise<number>;
  close(): void;
}

/**
 * Every request of this run that did not get its 200 or its answer, by reason (`socket hang up`,
 * `ECONNRESET`, `HTTP 503`, `no answer at the response_url within 60 s`). The bench reports it as
 * a figure whose budget is 0, beside the figures whose own notes count their failures.
 */
export const loadFailures = new Map<string, number>();

export function countFailure(reason: string): void {
  loadFailures.set(reason, (loadFailures.get(reason) ?? 0) + 1);
}

/** How long one request may wait for its ack before it counts as failed. */
const REQUEST_DEADLINE_MS = 30_000;

export function createPoster(url: string, signingSecret: string, maxSockets = 64): Poster {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    post(body) {
      const { raw, contentType } = encodeDelivery({ kind: 'command', body });
      const data = Buffer.from(raw);
      return new Promise<number>((resolve) => {
        let settled = false;
        const settle = (status: number, failure?: string) => {
          if (settled) return;
          settled = true;
          if (failure) countFailure(failure);
          else if (status !== 200) countFailure(`HTTP ${status}`);
          resolve(status);
        };
        const failed = (error: Error & { code?: string }) =>
          settle(
            0,
            !error.code || error.message.includes(error.code) ? error.message : `${error.code}: ${error.message}`,
          );
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
            response.on('end', () => settle(response.statusCode ?? 0));
            response.on('error', failed);
            // Cut after the headers: neither `end` nor always `error` comes.
            response.on('close', () => {
              if (!response.complete) settle(0, 'answer cut off');
            });
          },
        );
        request.setTimeout(REQUEST_DEADLINE_MS, () => {
          request.destroy(
            Object.assign(new Error('no ack'), { code: `no ack within ${REQUEST_DEADLINE_MS / 1000} s` }),
          );
        });
        request.on('error', failed);
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
