import crypto from 'node:crypto';
import type { Logger } from '../logger.js';
import type { TaskTracker } from './deps.js';
import { postToResponseUrl } from './response-urls.js';

/** The four operations that show a secret, sharing the per-user hourly reveal budget. */
export type RevealOp = 'pan' | 'cvv' | 'expiry' | 'pin';

/** A Reveal button waiting to be pressed: everything its value stands for. No secret in it. */
export interface RevealOffer {
  userId: string;
  op: RevealOp;
  cardId: string;
  channelId: string;
  teamId: string | null;
  expiresAt: number;
}

export type RevealClaim =
  | { kind: 'ok'; offer: RevealOffer }
  | { kind: 'unknown' }
  | { kind: 'expired'; offer: RevealOffer }
  | { kind: 'not-yours'; offer: RevealOffer };

export interface HideMessage {
  text: string;
  blocks: unknown[];
}

/**
 * Reveal buttons and the timers that hide shown secrets. Both live in memory only: a button's
 * value is a random id standing for an offer here (button values can be forged, so nothing in
 * them is trusted), and the response_url that can replace a shown secret lives only in the
 * closure of its hide timer. A restart loses both, which is safe: offers can be asked again, and
 * `hideAll` lets a shutdown hide every shown secret first.
 */
export interface RevealTimers {
  /** Keeps an offer; returns the id to put in the Reveal button. */
  offer(offer: Omit<RevealOffer, 'expiresAt'>, nowMs: number): string;
  /** Takes an offer for its owner (it can be used once); someone else's or a stale one is refused. */
  claim(id: string, userId: string, nowMs: number): RevealClaim;
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

/** How long a Reveal button works: a few minutes, so an offer left on screen does not stay live. */
export const REVEAL_OFFER_TTL_MS = 5 * 60_000;

export function createRevealTimers(options: {
  logger: Logger;
  tasks: Pick<TaskTracker, 'run'>;
  post?: (url: string, message: Record<string, unknown>) => Promise<void>;
  offerTtlMs?: number;
}): RevealTimers {
  const post = options.post ?? postToResponseUrl;
  const ttl = options.offerTtlMs ?? REVEAL_OFFER_TTL_MS;
  const offers = new Map<string, RevealOffer>();
  const inFlight = new Map<string, number>();
  const timers = new Map<number, { timer: NodeJS.Timeout; hide: (early: boolean) => Promise<void> }>();
  let nextTimer = 0;

  const sweep = (nowMs: number) => {
    // Expired offers are kept a while longer so a late click can be told so, then forgotten.
    for (const [id, offer] of offers) if (offer.expiresAt + ttl <= nowMs) offers.delete(id);
  };

  return {
    offer(offer, nowMs) {
      sweep(nowMs);
      const id = crypto.randomBytes(12).toString('base64url');
      offers.set(id, { ...offer, expiresAt: nowMs + ttl });
      return id;
    },
    claim(id, userId, nowMs) {
      const offer = offers.get(id);
      if (!offer) return { kind: 'unknown' };
      if (offer.userId !== userId) return { kind: 'not-yours', offer };
      offers.delete(id);
      if (offer.expiresAt <= nowMs) return { kind: 'expired', offer };
      return { kind: 'ok', offer };
    },
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
      const timer = setTimeout(() => options.tasks.run('hide a shown secret', () => hide(false)), delayMs);
      timer.unref();
      timers.set(key, { timer, hide });
    },
    async hideAll() {
      offers.clear();
      const pending = [...timers.values()];
      for (const { timer } of pending) clearTimeout(timer);
      await Promise.all(pending.map(({ hide }) => hide(true)));
    },
    get shown() {
      return timers.size;
    },
  };
}
