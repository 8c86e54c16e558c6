import crypto from 'node:crypto';
import type { Dispatcher } from 'undici';
import { keepAlivePool, sendBuffered } from '../adapters/http/buffered-request.js';

/**
 * Holds response_urls in memory only, behind short random handles: a response_url is a
 * credential to post into a conversation, so it never goes into a modal's private_metadata,
 * a button value, a log line or the database. Slack lets one be used 5 times within 30 minutes.
 */
export interface ResponseUrlVault {
  /** Keeps a response_url for up to 30 minutes; returns the handle to carry instead of it. */
  keep(url: string, owner: { userId: string; channelId: string }): string;
  /** The url behind a handle, if it is still alive and belongs to this user. */
  take(handle: string, userId: string): { url: string; channelId: string } | undefined;
  size(): number;
}

const LIFETIME_MS = 29 * 60_000;

export function createResponseUrlVault(now: () => number = Date.now): ResponseUrlVault {
  const entries = new Map<string, { url: string; userId: string; channelId: string; expiresAt: number }>();
  const sweep = () => {
    const t = now();
    for (const [handle, entry] of entries) if (entry.expiresAt <= t) entries.delete(handle);
  };
  return {
    keep(url, owner) {
      sweep();
      const handle = crypto.randomBytes(9).toString('base64url');
      entries.set(handle, { url, userId: owner.userId, channelId: owner.channelId, expiresAt: now() + LIFETIME_MS });
      return handle;
    },
    take(handle, userId) {
      const entry = entries.get(handle);
      if (!entry || entry.userId !== userId || entry.expiresAt <= now()) return undefined;
      return { url: entry.url, channelId: entry.channelId };
    },
    size: () => entries.size,
  };
}

/** Follow-ups to a response_url (modal answers, requester notices, hiding a revealed value). */
let followUps: Dispatcher | undefined;

/**
 * Posts to a response_url as Bolt's respond() does, over the same kind of keep-alive pool as the
 * Slack clients (`sendBuffered`: no redirect followed, one deadline for the whole call); throws
 * on a non-2xx answer without echoing the url.
 */
export async function postToResponseUrl(url: string, message: Record<string, unknown>, timeoutMs = 10_000) {
  followUps ??= keepAlivePool(16);
  const answer = await sendBuffered(followUps, url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    deadlineMs: timeoutMs,
    maxBytes: 64 * 1024,
  });
  if (answer.status < 200 || answer.status >= 300) throw new Error(`response_url answered HTTP ${answer.status}`);
}
