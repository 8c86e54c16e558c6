import { MESSAGES } from '../../messages.js';
import type { RevealOp } from '../reveal-timers.js';
import { buildReply, type SlackReply, withButtonAfterFirst } from './reply.js';

interface ReplyOptions {
  sandbox: boolean;
}

export const REVEAL_ACTION_ID = 'reveal_secret';

/** 60 s, 5 s, 1 s: how long a secret stays on screen, as a person reads it. */
export function formatSeconds(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}

/** First 6 and last 4 digits, as card schemes allow showing: 492987******0986. */
export function maskPan(pan: string): string {
  const digits = pan.replace(/\D/g, '');
  if (digits.length <= 10) return '*'.repeat(digits.length);
  return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
}

/** The whole PAN in groups of four, easier to read out. */
export function groupPan(pan: string): string {
  return (
    pan
      .replace(/\D/g, '')
      .match(/.{1,4}/g)
      ?.join(' ') ?? ''
  );
}

/** The first answer to `/card pan|cvv|expiry|pin`: no secret yet, only a Reveal button standing for it. */
export function buildRevealOffer(
  op: RevealOp,
  cardId: string,
  revealId: string,
  hideMs: number,
  options: ReplyOptions,
): SlackReply {
  const first = MESSAGES.revealOffer({ secret: op, cardId, seconds: formatSeconds(hideMs) });
  const reply = buildReply([first], options);
  return withButtonAfterFirst(reply, {
    blockId: 'reveal',
    actionId: REVEAL_ACTION_ID,
    style: 'primary',
    text: MESSAGES.revealButton(),
    value: revealId,
  });
}

/**
 * The secret itself, answered through the Reveal click's response_url (ephemeral, replacing the
 * offer). The value is in the blocks only: the `text` fallback feeds notifications and previews.
 */
export function buildRevealed(
  op: RevealOp,
  cardId: string,
  value: string,
  extra: { masked?: boolean; hideMs: number; traceId?: string | undefined },
  options: ReplyOptions,
): SlackReply {
  const shown = op === 'pan' ? (extra.masked ? maskPan(value) : groupPan(value)) : value;
  const lines = [MESSAGES.revealed({ secret: op, cardId, shown })];
  if (op === 'pan' && extra.masked) lines.push(MESSAGES.revealedPanMasked());
  const context = [MESSAGES.revealedContext({ seconds: formatSeconds(extra.hideMs) })];
  if (extra.traceId) context.push(MESSAGES.traceLine({ traceId: extra.traceId }));
  const reply = buildReply(lines, { ...options, context });
  return {
    ...reply,
    text: MESSAGES.revealedFallback({ secret: op, cardId, seconds: formatSeconds(extra.hideMs) }),
  };
}

/** What replaces a shown secret. */
export function buildRevealHidden(
  op: RevealOp,
  cardId: string,
  hideMs: number,
  early: boolean,
  options: ReplyOptions,
): SlackReply {
  return buildReply([MESSAGES.revealHidden({ secret: op, cardId, seconds: formatSeconds(hideMs), early })], options);
}

export function buildRevealLimited(op: RevealOp, cardId: string, perHour: number, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.revealLimited({ secret: op, cardId, perHour })], options);
}

export function buildRevealStale(
  op: RevealOp | undefined,
  cardId: string | undefined,
  options: ReplyOptions,
): SlackReply {
  return buildReply([op && cardId ? MESSAGES.revealStale({ secret: op, cardId }) : MESSAGES.revealUsed()], options);
}

export function buildRevealNotYours(options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.revealNotYours()], options);
}
