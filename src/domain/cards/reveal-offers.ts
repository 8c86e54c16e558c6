import crypto from 'node:crypto';

/** The four operations that show a secret, sharing the per-user hourly reveal budget. */
export type RevealOp = 'pan' | 'cvv' | 'expiry' | 'pin';

/** A Reveal button waiting to be pressed: everything its value stands for. No secret in it. */
export interface RevealOffer {
  userId: string;
  op: RevealOp;
  cardId: string;
  channelId: string;
  teamId: string | null;
  /** Epoch ms after which the button only says it is stale. */
  expiresAt: number;
}

export type RevealClaim =
  | { kind: 'ok'; offer: RevealOffer }
  | { kind: 'unknown' }
  | { kind: 'expired'; offer: RevealOffer }
  | { kind: 'not-yours'; offer: RevealOffer };

/**
 * Where Reveal offers wait for their click (SPEC §9): in the database, so that a click reaching
 * another replica than the one that made the offer still finds it. An offer holds no secret and no
 * response_url; the replica that gets the click reads the value and shows it through that click's
 * own response_url.
 */
export interface RevealOffersStore {
  /** Keeps an offer under `id` and forgets those expired more than `keepMs` before `nowMs`. */
  save(id: string, offer: RevealOffer, options: { nowMs: number; keepMs: number }): Promise<void>;
  /**
   * Takes the offer for its owner, once: the first claim of the owner, on any replica, removes it
   * (and gets `expired` if it is past its time). Someone else's claim leaves it in place.
   */
  claim(id: string, userId: string, nowMs: number): Promise<RevealClaim>;
}

/** How long a Reveal button works: a few minutes, so an offer left on screen does not stay live. */
export const REVEAL_OFFER_TTL_MS = 5 * 60_000;

/** Stores an offer and returns the random id to put in the Reveal button (button values can be forged). */
export async function offerReveal(
  store: RevealOffersStore,
  offer: Omit<RevealOffer, 'expiresAt'>,
  nowMs: number,
  ttlMs = REVEAL_OFFER_TTL_MS,
): Promise<string> {
  const id = crypto.randomBytes(12).toString('base64url');
  // Expired offers are kept one more ttl so a late click can be told so, then forgotten.
  await store.save(id, { ...offer, expiresAt: nowMs + ttlMs }, { nowMs, keepMs: ttlMs });
  return id;
}

/** The claim rule both adapters share, once the stored offer (if any) is known. */
export function judgeClaim(offer: RevealOffer | undefined, userId: string, nowMs: number): RevealClaim {
  if (!offer) return { kind: 'unknown' };
  if (offer.userId !== userId) return { kind: 'not-yours', offer };
  if (offer.expiresAt <= nowMs) return { kind: 'expired', offer };
  return { kind: 'ok', offer };
}
