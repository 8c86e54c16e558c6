import type { Logger } from '../../logger.js';
import type { AuditEventInput, AuditStore } from '../audit/audit-types.js';
import type { CardIssuer } from '../cards/card-issuer.js';
import type { RequestContext } from '../cards/execute-card-op.js';
import type { Policy } from '../policy/policy-schema.js';
import type { ApprovalRequest, ApprovalsStore } from './approval-types.js';

/** What the approval workflow needs from the outside world; `ListenerDeps` satisfies it. */
export interface ApprovalDeps {
  approvals: ApprovalsStore;
  audit: AuditStore;
  issuer: CardIssuer;
  logger: Logger;
  now: () => Date;
}

/** Someone acting on a request: who, from where, holding which roles, under which policy. */
export type Actor = RequestContext & { policy: Policy };

/** Why the approval message could not be posted: the first two are the operator's to fix. */
export type PostProblem = 'not_in_channel' | 'channel_not_found' | 'other';

export type PostResult =
  | { ok: true; channel: string; ts: string }
  | {
      ok: false;
      problem: PostProblem;
      /** Slack's error code, for the log and the audit. */
      error: string;
    };

/**
 * How the workflow shows itself in chat. The Slack side implements it; the domain never sees a
 * Bolt object. `refresh` and `tellRequester` never throw: a message that cannot be updated must not
 * undo a decision already taken.
 */
export interface ApprovalNotifier {
  /** Posts the request, with its Approve and Reject buttons, to the approvals channel. */
  post(request: ApprovalRequest, channel: string): Promise<PostResult>;
  /** Shows the request's current state on its approval message. */
  refresh(request: ApprovalRequest): Promise<void>;
  /** Tells the requester how their request ended (done, failed, unknown, rejected, expired). */
  tellRequester(request: ApprovalRequest): Promise<void>;
  /**
   * Says, in the approval message's thread, that a request shown as `unknown` (its replica was
   * taken for stopped) got its real outcome after all. Never throws.
   */
  noteLateOutcome(request: ApprovalRequest): Promise<void>;
}

/** The audit row of an approval event; op is always `cancel` and the approval id is always set. */
export function approvalEvent(
  request: ApprovalRequest,
  event: Omit<AuditEventInput, 'op' | 'cardId' | 'approvalId'>,
): AuditEventInput {
  return { ...event, op: request.op, cardId: request.cardId, approvalId: request.id };
}

/** Appends a row whose loss must not stop the workflow (the state change already happened): logged instead. */
export async function appendQuietly(deps: Pick<ApprovalDeps, 'audit' | 'logger'>, event: AuditEventInput) {
  try {
    await deps.audit.append(event);
  } catch (error) {
    deps.logger.error(
      { err: error, op: event.op, outcome: event.outcome, approvalId: event.approvalId },
      'approval event could not be audited',
    );
  }
}

/** Updates the approval message, then tells the requester: what every final state needs. */
export async function announce(notifier: ApprovalNotifier, request: ApprovalRequest): Promise<void> {
  await notifier.refresh(request);
  await notifier.tellRequester(request);
}
