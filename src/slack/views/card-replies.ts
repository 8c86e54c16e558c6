import { OP_SUMMARY, OP_USAGE } from '../../domain/cards/card-command.js';
import type { LimitResult } from '../../domain/cards/card-issuer.js';
import type { CardOp } from '../../domain/ops.js';
import type { AppError } from '../../errors.js';
import { code, escapeMrkdwn, mentionChannel } from './mrkdwn.js';
import { buildReply, type SlackReply } from './reply.js';

interface ReplyOptions {
  sandbox: boolean;
}

const PAST: Partial<Record<CardOp, string>> = {
  block: 'blocked',
  unblock: 'unblocked',
  activate: 'activated',
  cancel: 'cancelled',
  'unblock-pin': 'PIN unblocked',
  'change-pin': 'PIN changed',
};

const traceLine = (traceId: string | undefined) => (traceId ? [`Issuer trace id: ${code(traceId)}`] : []);

/** The answer to a state change that succeeded: what happened to which card. */
export function buildStateChangeDone(
  op: CardOp,
  cardId: string,
  traceId: string | undefined,
  options: ReplyOptions,
): SlackReply {
  const verb = PAST[op] ?? `${op} done`;
  const text =
    op === 'unblock-pin' || op === 'change-pin'
      ? `:white_check_mark: Card ${code(cardId)}: ${verb}.`
      : `:white_check_mark: Card ${code(cardId)} is now *${verb}*.`;
  return buildReply([text], { ...options, context: traceLine(traceId) });
}

/** Said before the answer when a reason held card data: what was stored and shown is the masked reason. */
export function buildReasonMasked(reason: string, options: ReplyOptions): SlackReply {
  return buildReply(
    [
      `:shield: Your reason held what looks like a card number, CVV, PIN or expiry date. It was masked before it was stored or shown to anyone: ${code(reason)}. Never type card data into Slack.`,
    ],
    options,
  );
}

export function buildLimitShown(result: LimitResult, options: ReplyOptions): SlackReply {
  const text =
    result.limit === null
      ? `Card ${code(result.cardId)} has no internal monthly limit set.`
      : `Card ${code(result.cardId)}: internal monthly limit *${formatAmount(result.limit)}*.`;
  return buildReply([text], { ...options, context: traceLine(result.traceId) });
}

export function buildLimitSet(result: LimitResult, options: ReplyOptions): SlackReply {
  const limit = result.limit === null ? 'none' : formatAmount(result.limit);
  return buildReply([`:white_check_mark: Card ${code(result.cardId)}: internal monthly limit set to *${limit}*.`], {
    ...options,
    context: traceLine(result.traceId),
  });
}

export function formatAmount(amount: number): string {
  return amount.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 });
}

/** Each error class has its own words; failures and unknown outcomes show the trace id the issuer's support asks for. */
export function buildOpFailed(op: CardOp, cardId: string, error: AppError, options: ReplyOptions): SlackReply {
  const card = code(cardId);
  let text: string;
  switch (error.code) {
    case 'STATE_CONFLICT':
      text = `:no_entry: ${op} of card ${card} was refused by the issuer: ${escapeMrkdwn(error.issuerMessage ?? 'the card is not in a state that allows it')}.`;
      break;
    case 'CARD_NOT_FOUND':
      text = `:mag: The issuer does not know card ${card}. Check the card id.`;
      break;
    case 'ISSUER_FAILURE':
      text =
        error.outcome === 'unknown'
          ? `:warning: A gateway in front of the issuer gave up during ${op} of card ${card}, so it is *unknown* whether it took effect. Check the card's state before trying again; the issuer's support will ask for the trace id below.`
          : `:warning: The issuer failed while doing ${op} on card ${card}. Try again in a few minutes; if it keeps failing, give the issuer's support the trace id below.`;
      break;
    case 'ISSUER_AUTH':
      text = `:lock: cardops cannot sign in to the issuer, so ${op} of card ${card} was not done; the operator has been alerted.`;
      break;
    case 'ISSUER_TIMEOUT':
      text =
        error.outcome === 'unknown'
          ? `:hourglass: The issuer did not answer in time, so it is *unknown* whether ${op} of card ${card} took effect. Check the card's state before trying again.`
          : `:hourglass: The issuer did not answer in time for ${op} of card ${card}. Try again.`;
      break;
    case 'ISSUER_UNREACHABLE':
      text =
        error.outcome === 'unknown'
          ? `:electric_plug: The connection to the issuer broke during ${op} of card ${card}; it is *unknown* whether it took effect. Check the card before trying again.`
          : `:electric_plug: The issuer could not be reached, so ${op} of card ${card} was not done. Try again shortly.`;
      break;
    case 'ISSUER_MALFORMED':
      text =
        error.outcome === 'unknown'
          ? `:warning: The issuer answered ${op} of card ${card} in an unexpected format, so its outcome is *unknown*. Check the card before trying again.`
          : `:warning: The issuer answered in an unexpected format, so ${op} of card ${card} could not be shown.`;
      break;
    case 'NOT_OFFERED':
      text = `:information_source: ${escapeMrkdwn(error.userMessage)}`;
      break;
    case 'AUDIT_UNAVAILABLE':
      text = `:floppy_disk: The audit log could not be written, so ${op} of card ${card} was *not* sent to the issuer. Tell the operator; nothing changed.`;
      break;
    default:
      text = `:warning: ${escapeMrkdwn(error.userMessage)}`;
  }
  return buildReply([text], { ...options, context: traceLine(error.traceId) });
}

/** Bad input: what is wrong, and the usage to do it right. */
export function buildUsage(
  problem: string,
  op: CardOp | undefined,
  allowed: CardOp[],
  options: ReplyOptions,
): SlackReply {
  const usage = op
    ? `Usage: ${code(OP_USAGE[op])}`
    : allowed.length > 0
      ? `Usage: ${code('/card <operation> <cardId> …')}. Here you may: ${allowed.map((o) => code(o)).join(', ')}. ${code('/card help')} lists them.`
      : `Usage: ${code('/card <operation> <cardId> …')}. ${code('/card help')} lists what you may do here.`;
  return buildReply([`:grey_question: ${escapeMrkdwn(problem)}`, usage], options);
}

export function buildDenied(message: string, options: ReplyOptions): SlackReply {
  return buildReply([`:lock: ${message}`], options);
}

export function buildHelp(allowed: CardOp[], channelKey: string, options: ReplyOptions): SlackReply {
  const where = mentionChannel(channelKey === 'dm' ? 'dm' : channelKey);
  if (allowed.length === 0) {
    return buildReply(
      [
        `You may not run any card operation in ${where}.`,
        `${code('/card whoami')} shows your roles; ask your lead if you need access.`,
      ],
      options,
    );
  }
  const lines = allowed.map((op) => `${code(OP_USAGE[op])} — ${OP_SUMMARY[op]}`);
  return buildReply(
    [
      `*What you may do in ${where}:*\n${lines.join('\n')}`,
      `${code('/card')} alone opens a form. ${code('/card whoami')} shows your roles.`,
    ],
    options,
  );
}

export function buildWhoami(
  userId: string,
  roles: string[],
  allowed: CardOp[],
  channelKey: string,
  options: ReplyOptions,
): SlackReply {
  const where = mentionChannel(channelKey === 'dm' ? 'dm' : channelKey);
  const roleText = roles.length > 0 ? roles.map((r) => code(r)).join(', ') : 'none';
  const opsText = allowed.length > 0 ? allowed.map((o) => code(o)).join(', ') : 'none';
  return buildReply(
    [`You are <@${userId}>.\n*Roles:* ${roleText}\n*Operations allowed in ${where}:* ${opsText}`],
    options,
  );
}
