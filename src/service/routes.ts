import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';

/**
 * GET /healthz (the process is up), GET /readyz (it can serve; 503 naming each failing part)
 * and GET /metrics (Prometheus text; a bearer token when METRICS_TOKEN is set). Served beside
 * POST /slack/events in HTTP mode and on HEALTH_PORT in Socket Mode. Probes are not logged:
 * they come every few seconds and say nothing an operator reads.
 */
export function serviceRoutes(options: {
  readiness: Readiness;
  metrics: Metrics;
  metricsToken?: string | undefined;
}): CustomRoute[] {
  const { readiness, metrics } = options;
  const expected = options.metricsToken ? Buffer.from(`Bearer ${options.metricsToken}`) : undefined;
  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  return [
    {
      path: '/healthz',
      method: ['GET', 'HEAD'],
      handler: (_req: IncomingMessage, res: ServerResponse) => send(res, 200, 'ok\n'),
    },
    {
      path: '/readyz',
      method: ['GET', 'HEAD'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        readiness.check().then(
          (failing) => (failing.length === 0 ? send(res, 200, 'ready\n') : send(res, 503, `${failing.join('\n')}\n`)),
          () => send(res, 503, 'readiness check failed\n'),
        );
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (req: IncomingMessage, res: ServerResponse) => {
        if (expected) {
          const given = Buffer.from(String(req.headers.authorization ?? ''));
          if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
            res.setHeader('www-authenticate', 'Bearer');
            send(res, 401, 'a bearer token is required (METRICS_TOKEN)\n');
            return;
          }
        }
        metrics.registry.metrics().then(
          (text) => send(res, 200, text, metrics.registry.contentType),
          () => send(res, 500, 'metrics could not be collected\n'),
        );
      },
    },
  ];
}
