import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { createReplayCheck } from './drop-replays.js';
import { malformedInteraction } from './require-well-formed.js';

/**
 * The one global middleware, first for every delivery: counts it in flight until its listeners
 * finish (shutdown waits for them), then drops a replayed or malformed delivery, acknowledged so
 * that the sender learns nothing. One middleware rather than three: Bolt copies its arguments
 * for every middleware it calls, on every request.
 */
export function createGate(options: {
  logger: Pick<Logger, 'warn'>;
  tasks: { enter(): () => void };
}): Middleware<AnyMiddlewareArgs> {
  const replayed = createReplayCheck({ logger: options.logger });
  return async (args) => {
    const leave = options.tasks.enter();
    try {
      if (replayed(args.body) || malformedInteraction(args.body, options.logger)) {
        if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
        return;
      }
      await args.next();
    } finally {
      leave();
    }
  };
}
