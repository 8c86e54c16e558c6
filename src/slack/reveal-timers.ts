import { type Clock, realClock } from '../domain/clock.js';
import type { Logger } from '../logger.js';
import type { TaskTracker } from './deps.js';
import { postToResponseUrl } from './response-urls.js';

// The per-user reveal op type lives with the shared offers (domain); re-exported for the views.
export type { RevealOp } from '../domain/cards/reveal-offers.js';

export interface HideMessage {
  text: string;
  blocks: unknown[];
}

/**
 * What stays in the process that holds it (SPEC §9): the timers that hide shown secrets, and the
 * count of reveals under way on this replica. A hide timer's response_url lives only in its
 * closure: it is a secret, never stored, so a shown value is hidden by the replica that showed it.
 * A crash loses the timers (the value stays on the asker's screen until Slack drops the ephemeral
 * message); `hideAll` lets a clean stop hide every shown secret first. The Reveal offers
 * themselves are shared through the store (domain/cards/reveal-offers.ts), so a click may land on
 * any replica.
 */
export interface RevealTimers {
  /** Counts a reveal in progress for a user until the returned release is called (the budget check). */
  reserve(userId: string): () => void;
  inProgress(userId: string): number;
  /** Replaces a shown secret through `responseUrl` after `delayMs`; `early` is true when hideAll does it. */
  scheduleHide(responseUrl: string, delayMs: number, message: (early: boolean) => HideMessage): void;
  /** Hides every shown secret now (shutdown), resolving when every replacement was attempted. */
  hideAll(): Promise<void>;
  /** Secrets on screen waiting to be hidden. */
  readonly shown: number;
}

export function createRevealTimers(options: {
  logger: Logger;
  tasks: Pick<TaskTracker, 'run'>;
  post?: (url: string, message: Record<string, unknown>) => Promise<void>;
  clock?: Clock;
}): RevealTimers {
  const post = options.post ?? postToResponseUrl;
  const clock = options.clock ?? realClock;
  const inFlight = new Map<string, number>();
  const timers = new Map<number, { timer: unknown; hide: (early: boolean) => Promise<void> }>();
  let nextTimer = 0;

  return {
    reserve(userId) {
      inFlight.set(userId, (inFlight.get(userId) ?? 0) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (inFlight.get(userId) ?? 1) - 1;
        if (left <= 0) inFlight.delete(userId);
        else inFlight.set(userId, left);
      };
    },
    inProgress: (userId) => inFlight.get(userId) ?? 0,
    scheduleHide(responseUrl, delayMs, message) {
      const key = nextTimer++;
      const hide = async (early: boolean) => {
        timers.delete(key);
        try {
          await post(responseUrl, { replace_original: true, ...message(early) });
        } catch (error) {
          // The error names the HTTP status only, never the url.
          options.logger.warn({ err: error }, 'a shown secret could not be hidden');
        }
      };
      const timer = clock.setTimer(() => options.tasks.run('hide a shown secret', () => hide(false)), delayMs);
      timers.set(key, { timer, hide });
    },
    async hideAll() {
      const pending = [...timers.values()];
      for (const { timer } of pending) clock.clearTimer(timer);
      await Promise.all(pending.map(({ hide }) => hide(true)));
    },
    get shown() {
      return timers.size;
    },
  };
}
