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

/** An answer with the masked-reason notice put first, in one message (a form has one answer). */
export function withReasonMasked(reason: string, message: SlackReply): SlackReply {
  const notice = buildReasonMasked(reason, { sandbox: false });
  return { text: `${notice.text}\n${message.text}`, blocks: [...notice.blocks, ...message.blocks] };
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

/** Beyond the card ops of one channel: what a person's other roles let them do, and where else they may act. */
export interface HelpExtras {
  /** Holds an audit role: `/card-audit`. */
  audit: boolean;
  /** Holds an approver role: deciding cancel requests, in this channel (if configured) and on the Home tab. */
  approve: { channel: string | undefined } | undefined;
  /** Other channels (policy keys) where some `/card` command is allowed to this person. */
  elsewhere: readonly string[];
}

const roleLines = (extras: HelpExtras) => [
  ...(extras.approve ? [MESSAGES.helpApproving({ channel: extras.approve.channel })] : []),
  ...(extras.audit ? [MESSAGES.helpAudit()] : []),
];

/** `/card help`: only what this person may do, here and through their other roles (SPEC §5). */
export function buildHelp(
  allowed: readonly PolicyOp[],
  channelKey: string,
  extras: HelpExtras,
  options: ReplyOptions,
): SlackReply {
  const channel = channelKey === 'dm' ? 'dm' : channelKey;
  const elsewhere =
    extras.elsewhere.length > 0
      ? [MESSAGES.helpElsewhere({ channels: extras.elsewhere, none: allowed.length === 0 })]
      : [];
  const roles = roleLines(extras);
  if (allowed.length === 0) {
    return buildReply(
      [
        MESSAGES.helpNothingHere({ channel }),
        ...(roles.length > 0 ? [`${MESSAGES.helpAlsoHeading({ none: true })}\n${roles.join('\n')}`] : []),
        ...elsewhere,
        MESSAGES.helpNothingHereNext(),
      ],
      options,
    );
  }
  const lines = allowed.map((op) => MESSAGES.helpOpLine({ op }));
  return buildReply(
    [
      `${MESSAGES.helpHeading({ channel })}\n${lines.join('\n')}`,
      ...(roles.length > 0 ? [`${MESSAGES.helpAlsoHeading()}\n${roles.join('\n')}`] : []),
      ...elsewhere,
      MESSAGES.helpFooter(),
    ],
    options,
  );
}

export function buildWhoami(
  userId: string,
  roles: string[],
  allowed: readonly PolicyOp[],
  channelKey: string,
  extras: HelpExtras,
  options: ReplyOptions,
): SlackReply {
  const channel = channelKey === 'dm' ? 'dm' : channelKey;
  const also = roleLines(extras);
  return buildReply(
    [
      MESSAGES.whoami({ userId, roles, allowed, channel }),
      ...(also.length > 0 ? [`${MESSAGES.helpAlsoHeading()}\n${also.join('\n')}`] : []),
      ...(extras.elsewhere.length > 0
        ? [MESSAGES.helpElsewhere({ channels: extras.elsewhere, none: allowed.length === 0 })]
        : []),
    ],
    options,
  );
}
