import { createHash } from 'node:crypto';
import type { ReplayIds } from '../../domain/deliveries/replay-ids.js';
import type { Logger } from '../../logger.js';

/**
 * Drops a delivery seen before. Bolt accepts a correctly signed request for 5 minutes and does not
 * deduplicate, so a captured command, form submission or click could be sent again and run again.
 * Slack gives every command and interaction its own `trigger_id`, and every event its own
 * `event_id` (kept across Slack's own retries): a second delivery with the same one is
 * acknowledged, so Slack shows no error, and goes no further. Exactly-once steps (the approval
 * claim) do not rely on this; it keeps everything else from running twice. The ids are kept in
 * the ReplayIds store (rows shared by every replica on PostgreSQL), as a SHA-256 digest: a
 * trigger_id is a secret and never reaches a database row.
 */
export interface ReplayGuardOptions {
  logger: Pick<Logger, 'warn'>;
  ids: ReplayIds;
  /** How long an id is remembered: Bolt's signature window. */
  ttlMs?: number;
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

/** What the store keeps of a delivery id: its kind and a digest of the id, never the id. */
export function replayKey(id: string): string {
  const kind = id.slice(0, id.indexOf(':'));
  return `${kind}:${createHash('sha256').update(id).digest('base64url')}`;
}

/** Returns a check that records each delivery id and answers true for one seen before (logged). */
export function createReplayCheck(options: ReplayGuardOptions): (body: unknown) => Promise<boolean> {
  const ttlMs = options.ttlMs ?? SIGNATURE_WINDOW_MS;
  return async (body) => {
    const id = deliveryId(body);
    if (id === undefined) return false;
    if (await options.ids.firstSeen(replayKey(id), ttlMs)) return false;
    options.logger.warn({ kind: id.slice(0, id.indexOf(':')) }, 'dropped a Slack delivery seen before (replayed)');
    return true;
  };
}
