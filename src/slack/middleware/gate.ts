import type { AllMiddlewareArgs, AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { ReplayIds } from '../../domain/deliveries/replay-ids.js';
import type { Logger } from '../../logger.js';
import type { Route } from '../listeners/router.js';
import { createReplayCheck } from './drop-replays.js';
import { malformedInteraction } from './require-well-formed.js';

/**
 * The one global middleware, for every delivery: counts it in flight until its handler finishes
 * (shutdown waits for it), drops a replayed or malformed delivery, acknowledged so that the
 * sender learns nothing, then runs the handler `route` picks (see router.ts). One middleware
 * rather than several: Bolt copies its arguments for every middleware it calls, on every request.
 */
export function createGate(options: {
  logger: Pick<Logger, 'warn'>;
  tasks: { enter(): () => void };
  replayIds: ReplayIds;
  route: (args: AnyMiddlewareArgs & AllMiddlewareArgs) => Route | undefined;
  /** Told of every acknowledgement sent (for /metrics). */
  onAck?: (kind: 'command' | 'interaction' | 'event') => void;
}): Middleware<AnyMiddlewareArgs> {
  const replayed = createReplayCheck({ logger: options.logger, ids: options.replayIds });
  const onAck = options.onAck;
  return async (args) => {
    const leave = options.tasks.enter();
    try {
      if (onAck && 'ack' in args && typeof args.ack === 'function') {
        const ack = args.ack as (...a: unknown[]) => Promise<void>;
        const kind = 'command' in args ? 'command' : 'event' in args ? 'event' : 'interaction';
        (args as { ack: unknown }).ack = async (...a: unknown[]) => {
          await ack(...a);
          onAck(kind);
        };
      }
      if ((await replayed(args.body)) || malformedInteraction(args.body, options.logger)) {
        if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
        return;
      }
      const handler = options.route(args);
      if (handler) await handler();
      else await args.next();
    } finally {
      leave();
    }
  };
}
