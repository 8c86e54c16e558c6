import type { LimitResult } from '../../domain/cards/card-issuer.js';
import type { CardOp, PolicyOp } from '../../domain/ops.js';
import type { AppError } from '../../errors.js';
import { MESSAGES } from '../../messages.js';
import { buildReply, type SlackReply, withButtonAfterFirst } from './reply.js';

interface ReplyOptions {
  sandbox: boolean;
}

const traceLine = (traceId: string | undefined) => (traceId ? [MESSAGES.traceLine({ traceId })] : []);

/** The answer to a state change that succeeded: what happened to which card. */
export function buildStateChangeDone(
  op: CardOp,
  cardId: string,
  traceId: string | undefined,
  options: ReplyOptions,
): SlackReply {
  return buildReply([MESSAGES.stateChangeDone({ op, cardId })], { ...options, context: traceLine(traceId) });
}

/** Said before the answer when a reason held card data: what was stored and shown is the masked reason. */
export function buildReasonMasked(reason: string, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.reasonMasked({ reason })], options);
}

export function buildLimitShown(result: LimitResult, options: ReplyOptions): SlackReply {
  const text =
    result.limit === null
      ? MESSAGES.limitNone({ cardId: result.cardId })
      : MESSAGES.limitShown({ cardId: result.cardId, amount: formatAmount(result.limit) });
  return buildReply([text], { ...options, context: traceLine(result.traceId) });
}

export function buildLimitSet(result: LimitResult, options: ReplyOptions): SlackReply {
  const amount = result.limit === null ? null : formatAmount(result.limit);
  return buildReply([MESSAGES.limitSet({ cardId: result.cardId, amount })], {
    ...options,
    context: traceLine(result.traceId),
  });
}

/** The action_id of the button that confirms removing a card's limit (`/card set-limit <cardId> 0`). */
export const LIMIT_REMOVAL_ACTION_ID = 'confirm_limit_removal';

/** Asks the requester, and only them (ephemeral), to confirm that a limit of 0 removes the card's limit. */
export function buildLimitRemoveAsk(
  cardId: string,
  confirmationId: string,
  ttlMs: number,
  options: ReplyOptions,
): SlackReply {
  const minutes = Math.max(1, Math.round(ttlMs / 60_000));
  const reply = buildReply([MESSAGES.limitRemoveAsk({ cardId, minutes })], options);
  return withButtonAfterFirst(reply, {
    blockId: 'limit_removal',
    actionId: LIMIT_REMOVAL_ACTION_ID,
    style: 'danger',
    text: MESSAGES.limitRemoveButton(),
    value: confirmationId,
  });
}

export function buildLimitRemoveExpired(cardId: string, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.limitRemoveExpired({ cardId })], options);
}

export function buildLimitRemoveUsed(cardId: string, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.limitRemoveUsed({ cardId })], options);
}

export function buildLimitRemoveUnknown(options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.limitRemoveUnknown()], options);
}

export function buildLimitRemoveNotYours(options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.limitRemoveNotYours()], options);
}

export function formatAmount(amount: number): string {
  return amount.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 });
}

/** Each error class has its own words; failures and unknown outcomes show the trace id the issuer's support asks for. */
export function buildOpFailed(op: CardOp, cardId: string, error: AppError, options: ReplyOptions): SlackReply {
  const a = { op, cardId };
  const unknown = error.outcome === 'unknown';
  let text: string;
  switch (error.code) {
    case 'STATE_CONFLICT':
      text = MESSAGES.opStateConflict({ ...a, issuerMessage: error.issuerMessage });
      break;
    case 'CARD_NOT_FOUND':
      text = MESSAGES.opCardNotFound(a);
      break;
    case 'ISSUER_FAILURE':
      text = unknown ? MESSAGES.opGatewayUnknown(a) : MESSAGES.opIssuerFailed(a);
      break;
    case 'ISSUER_AUTH':
      text = MESSAGES.opIssuerAuth(a);
      break;
    case 'ISSUER_TIMEOUT':
      text = unknown ? MESSAGES.opTimeoutUnknown(a) : MESSAGES.opTimeout(a);
      break;
    case 'ISSUER_UNREACHABLE':
      text = unknown ? MESSAGES.opConnectionBrokeUnknown(a) : MESSAGES.opUnreachable(a);
      break;
    case 'ISSUER_MALFORMED':
      text = unknown ? MESSAGES.opMalformedUnknown(a) : MESSAGES.opMalformed(a);
      break;
    case 'ISSUER_WRONG_CARD':
      text = unknown ? MESSAGES.opWrongCardUnknown(a) : MESSAGES.opWrongCard(a);
      break;
    case 'NOT_OFFERED':
      text = MESSAGES.opNotOffered({ message: error.userMessage });
      break;
    case 'AUDIT_UNAVAILABLE':
      text = MESSAGES.opAuditUnavailable(a);
      break;
    default:
      text = MESSAGES.opOtherError({ message: error.userMessage });
  }
  return buildReply([text], { ...options, context: traceLine(error.traceId) });
}

/** Bad input: what is wrong, and the usage to do it right. */
export function buildUsage(
  problem: string,
  op: PolicyOp | undefined,
  allowed: readonly PolicyOp[],
  options: ReplyOptions,
): SlackReply {
  const usage = op ? MESSAGES.usageOf({ op }) : MESSAGES.usageGeneral({ allowed });
  return buildReply([MESSAGES.problem({ problem }), usage], options);
}

export function buildDenied(message: string, options: ReplyOptions): SlackReply {
  return buildReply([MESSAGES.refused({ message })], options);
}

export function buildHelp(allowed: readonly PolicyOp[], channelKey: string, options: ReplyOptions): SlackReply {
  const channel = channelKey === 'dm' ? 'dm' : channelKey;
  if (allowed.length === 0) {
    return buildReply([MESSAGES.helpNothingHere({ channel }), MESSAGES.helpNothingHereNext()], options);
  }
  const lines = allowed.map((op) => MESSAGES.helpOpLine({ op }));
  return buildReply([`${MESSAGES.helpHeading({ channel })}\n${lines.join('\n')}`, MESSAGES.helpFooter()], options);
}

export function buildWhoami(
  userId: string,
  roles: string[],
  allowed: readonly PolicyOp[],
  channelKey: string,
  options: ReplyOptions,
): SlackReply {
  const channel = channelKey === 'dm' ? 'dm' : channelKey;
  return buildReply([MESSAGES.whoami({ userId, roles, allowed, channel })], options);
}
