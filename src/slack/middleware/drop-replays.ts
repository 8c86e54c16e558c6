import type { Logger } from '../../logger.js';

/**
 * Drops a delivery seen before. Bolt accepts a correctly signed request for 5 minutes and does not
 * deduplicate, so a captured command, form submission or click could be sent again and run again.
 * Slack gives every command and interaction its own `trigger_id`, and every event its own
 * `event_id` (kept across Slack's own retries): a second delivery with the same one is
 * acknowledged, so Slack shows no error, and goes no further. Exactly-once steps (the approval
 * claim) do not rely on this; it keeps everything else from running twice.
 */
export interface ReplayGuardOptions {
  logger: Pick<Logger, 'warn'>;
  /** How long an id is remembered: Bolt's signature window. */
  ttlMs?: number;
  /** At most this many ids are kept; the oldest go first. */
  maxIds?: number;
  now?: () => number;
}

const SIGNATURE_WINDOW_MS = 5 * 60_000;

/** The id Slack gives this one delivery, or undefined when it carries none. */
export function deliveryId(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record.event_id === 'string' && record.event_id !== '') return `event:${record.event_id}`;
  if (typeof record.trigger_id === 'string' && record.trigger_id !== '') return `trigger:${record.trigger_id}`;
  return undefined;
}

/** Returns a check that remembers each delivery id and answers true for one seen before (logged). */
export function createReplayCheck(options: ReplayGuardOptions): (body: unknown) => boolean {
  const ttlMs = options.ttlMs ?? SIGNATURE_WINDOW_MS;
  const maxIds = options.maxIds ?? 50_000;
  const now = options.now ?? Date.now;
  // Insertion order is expiry order: the oldest entries are first.
  const seen = new Map<string, number>();

  const forgetOld = (at: number) => {
    for (const [id, expires] of seen) {
      if (expires > at && seen.size < maxIds) break;
      seen.delete(id);
    }
  };

  return (body) => {
    const id = deliveryId(body);
    if (id === undefined) return false;
    const at = now();
    forgetOld(at);
    if (seen.has(id)) {
      options.logger.warn({ kind: id.slice(0, id.indexOf(':')) }, 'dropped a Slack delivery seen before (replayed)');
      return true;
    }
    seen.set(id, at + ttlMs);
    return false;
  };
}
