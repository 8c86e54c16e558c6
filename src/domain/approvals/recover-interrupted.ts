import { type ApprovalDeps, type ApprovalNotifier, announce, appendQuietly, approvalEvent } from './approval-ports.js';
import { SYSTEM_ACTOR } from './approval-rules.js';
import type { ApprovalRequest } from './approval-types.js';

export interface Recovery {
  /** Requests whose cancel was under way when the process stopped: now `unknown`, never re-run. */
  interrupted: ApprovalRequest[];
  /** Requests filed but never posted before the process stopped: voided, so they block nothing. */
  unposted: ApprovalRequest[];
}

/**
 * At start-up. Pending requests survive as they are. A request left `executing` may or may not
 * have reached the issuer: it is marked `unknown`, audited, shown as such, and never run again
 * blindly. A pending request with no message was never seen by anyone: it is voided.
 */
export async function recoverInterrupted(
  deps: ApprovalDeps,
  notifier: ApprovalNotifier,
  options: { spare?: readonly string[] } = {},
): Promise<Recovery> {
  // Requests of a live sibling (another replica on the same database) are its own to finish.
  const spare = new Set(options.spare ?? []);
  const interrupted = await deps.approvals.markInterrupted({ spare: [...spare] });
  for (const request of interrupted) {
    deps.logger.warn(
      { approvalId: request.id, cardId: request.cardId },
      'a cancel was under way when cardops stopped: outcome unknown, not retried',
    );
    await appendQuietly(
      deps,
      approvalEvent(request, {
        actor: request.decidedBy ?? SYSTEM_ACTOR,
        teamId: request.teamId,
        channelId: request.messageChannel,
        outcome: 'unknown',
        error: request.error ?? 'interrupted: the process stopped during the issuer call',
      }),
    );
    await announce(notifier, request);
  }

  const unposted: ApprovalRequest[] = [];
  for (const request of await deps.approvals.listPending()) {
    if (request.messageTs !== null || (request.owner && spare.has(request.owner))) continue;
    if (!(await deps.approvals.discard(request.id))) continue;
    const voided = (await deps.approvals.get(request.id)) ?? request;
    unposted.push(voided);
    await appendQuietly(
      deps,
      approvalEvent(voided, {
        actor: SYSTEM_ACTOR,
        teamId: voided.teamId,
        channelId: voided.requestChannel,
        outcome: 'failed',
        error: 'approval message not posted: cardops stopped before posting it',
      }),
    );
    await notifier.tellRequester(voided);
  }
  return { interrupted, unposted };
}
