import type { KnownBlock } from '@slack/types';
import type { RevealOp } from '../reveal-timers.js';
import { code } from './mrkdwn.js';
import { buildReply, type SlackReply } from './reply.js';

interface ReplyOptions {
  sandbox: boolean;
}

export const REVEAL_ACTION_ID = 'reveal_secret';

const WHAT: Record<RevealOp, string> = {
  pan: 'card number (PAN)',
  cvv: 'CVV',
  expiry: 'expiry date',
  pin: 'PIN',
};

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
  const first = `:lock: The ${WHAT[op]} of card ${code(cardId)} is ready. It will show for ${formatSeconds(hideMs)}, to you only.`;
  const reply = buildReply([first], options);
  const button: KnownBlock = {
    type: 'actions',
    block_id: 'reveal',
    elements: [
      {
        type: 'button',
        action_id: REVEAL_ACTION_ID,
        style: 'primary',
        text: { type: 'plain_text', text: 'Reveal' },
        value: revealId,
      },
    ],
  };
  const [section, ...rest] = reply.blocks;
  return { text: reply.text, blocks: section ? [section, button, ...rest] : [button, ...rest] };
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
  const lines = [`:unlock: The ${WHAT[op]} of card ${code(cardId)}: *${code(shown)}*`];
  if (op === 'pan' && extra.masked)
    lines.push('Masked to the first 6 and last 4 digits: your roles do not show the whole number.');
  const context = [`Shown to you only. It will be hidden in ${formatSeconds(extra.hideMs)}.`];
  if (extra.traceId) context.push(`Issuer trace id: ${code(extra.traceId)}`);
  const reply = buildReply(lines, { ...options, context });
  return {
    ...reply,
    text: `The ${WHAT[op]} of card ${code(cardId)} is shown to you for ${formatSeconds(extra.hideMs)}.`,
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
  const why = early ? 'Hidden: cardops is restarting.' : `Hidden after ${formatSeconds(hideMs)}.`;
  return buildReply([`:see_no_evil: ${why} Run ${code(`/card ${op} ${cardId}`)} again to see it.`], options);
}

export function buildRevealLimited(op: RevealOp, cardId: string, perHour: number, options: ReplyOptions): SlackReply {
  return buildReply(
    [
      `:raised_hand: Not shown: you have seen ${perHour} secrets (PAN, CVV, expiry, PIN) in the last hour, the most allowed per person. The ${WHAT[op]} of card ${code(cardId)} can be shown again once the oldest of them is an hour old.`,
    ],
    options,
  );
}

export function buildRevealStale(
  op: RevealOp | undefined,
  cardId: string | undefined,
  options: ReplyOptions,
): SlackReply {
  const again = op && cardId ? ` Run ${code(`/card ${op} ${cardId}`)} again.` : ' Run the command again.';
  return buildReply([`:hourglass: This Reveal button is no longer valid.${again}`], options);
}

export function buildRevealNotYours(options: ReplyOptions): SlackReply {
  return buildReply([':no_entry: This Reveal button belongs to someone else. Nothing was shown.'], options);
}
