/**
 * The one catalogue of what cardops says to people: answers, refusals, help, the Home tab,
 * approval messages, forms' labels. Every entry is a function of plain arguments to mrkdwn
 * (or plain text for labels), so `test/unit/messages.test.ts` can render each one with sample
 * arguments for both issuer dialects and check it against the voice rules. Views build Block
 * Kit around these texts; listeners and the domain never write user text of their own.
 */
import type { AnchorBreak, CheckpointSource } from './domain/audit/anchor-check.js';
import type { VerifyResult } from './domain/audit/audit-types.js';
import type { PolicyOp } from './domain/ops.js';
import { code, escapeMrkdwn, mentionChannel, mentionUser } from './slack/views/mrkdwn.js';

/** The issuers cardops speaks to, as a person names them. */
export const ISSUER_NAMES = { sovera: 'Sovera', paycaddy: 'PayCaddy' } as const;
export type IssuerName = (typeof ISSUER_NAMES)[keyof typeof ISSUER_NAMES];

/** The usage line of each op, as `help` prints it. */
export const OP_USAGE: Record<PolicyOp, string> = {
  block: '/card block <cardId> [reason]',
  unblock: '/card unblock <cardId> [reason]',
  activate: '/card activate <cardId>',
  cancel: '/card cancel <cardId> <reason>',
  pan: '/card pan <cardId>',
  cvv: '/card cvv <cardId>',
  expiry: '/card expiry <cardId>',
  pin: '/card pin <cardId>',
  'unblock-pin': '/card unblock-pin <cardId>',
  'change-pin': '/card change-pin <cardId>',
  limit: '/card limit <cardId>',
  'set-limit': '/card set-limit <cardId> <amount>',
  history: '/card history <cardId>',
};

/** One line on what each op does, for help and the form's menu. */
export const OP_SUMMARY: Record<PolicyOp, string> = {
  block: 'block a card temporarily',
  unblock: 'unblock a blocked card',
  activate: 'activate a card the cardholder has in hand (checks last 4 digits and CVV)',
  cancel: 'cancel a card for good (needs an approver)',
  pan: 'show the card number to you only',
  cvv: 'show the CVV to you only',
  expiry: 'show the expiry date to you only',
  pin: 'show the PIN to you only',
  'unblock-pin': 'unblock a PIN blocked by wrong tries',
  'change-pin': 'set a new PIN (typed in a private form)',
  limit: 'show the internal monthly limit',
  'set-limit': 'set the internal monthly limit (0 removes it, once you confirm)',
  history: 'what cardops did to the card lately, and any cancel request waiting',
};

/** What each operation lets a person do, for refusals. */
export const OP_PHRASES: Record<PolicyOp, string> = {
  block: 'block cards',
  unblock: 'unblock cards',
  activate: 'activate cards',
  cancel: 'cancel cards',
  pan: 'see card numbers',
  cvv: 'see CVVs',
  expiry: 'see expiry dates',
  pin: 'see PINs',
  'unblock-pin': 'unblock PINs',
  'change-pin': 'change PINs',
  limit: 'see card limits',
  'set-limit': 'set card limits',
  history: 'see what cardops did to a card',
};

/** The secret each reveal shows, as a person names it. */
export const SECRET_NAMES = {
  pan: 'card number (PAN)',
  cvv: 'CVV',
  expiry: 'expiry date',
  pin: 'PIN',
} as const;
export type SecretName = keyof typeof SECRET_NAMES;

/** `the role x` or `one of the roles x, y`: roles always look the same, as code. */
export function listRoles(roles: readonly string[]): string {
  return roles.length === 1
    ? `the role ${code(roles[0] ?? '')}`
    : `one of the roles ${roles.map((r) => code(r)).join(', ')}`;
}

/** `1 event`, `3 events`: a count with its noun, singular for one. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

/** Who decided a request, as the approvals channel names them. */
function approverOf(by: string | null | undefined): string {
  return by ? mentionUser(by) : 'an approver';
}

/** A list of roles a person holds, as code, or "none". */
export function rolesHeld(roles: readonly string[]): string {
  return roles.length > 0 ? roles.map((r) => code(r)).join(', ') : 'none';
}

/**
 * What doing each op to a card is called at the start of a sentence: "Blocking card `x` was
 * refused", never "block of card `x`" (an op name is not a noun).
 */
const DOING: Record<PolicyOp, string> = {
  block: 'Blocking card',
  unblock: 'Unblocking card',
  activate: 'Activating card',
  cancel: 'Cancelling card',
  pan: 'Reading the card number of card',
  cvv: 'Reading the CVV of card',
  expiry: 'Reading the expiry date of card',
  pin: 'Reading the PIN of card',
  'unblock-pin': 'Unblocking the PIN of card',
  'change-pin': 'Changing the PIN of card',
  limit: 'Reading the limit of card',
  'set-limit': 'Setting the limit of card',
  history: 'Reading the history of card',
};

/** "Blocking card `x`", capitalised for the start of a sentence. */
export function doing(op: PolicyOp, cardId: string): string {
  return `${DOING[op]} ${code(cardId)}`;
}

/** "blocking card `x`", for the middle of a sentence. */
export function doingLower(op: PolicyOp, cardId: string): string {
  const phrase = doing(op, cardId);
  return phrase.charAt(0).toLowerCase() + phrase.slice(1);
}

/**
 * "Blocking", "Unblocking the PIN": DOING without its card, where the card is named already (a
 * line of its history). An op cardops does not know is shown as it is.
 */
function doingOp(op: string): string {
  const phrase = (DOING as Partial<Record<string, string>>)[op];
  return phrase === undefined ? op : phrase.replace(/ (of )?card$/, '');
}

/**
 * How every refusal ends: it was put on record, and whom to ask. One ending, so a person
 * refused anywhere in cardops reads the same next step.
 */
export function refusalEnd(who = 'your team lead, if you need this'): string {
  return `This was recorded in the audit log; ask ${who}.`;
}

/** The nearest of `candidates` to `typed` (at most two edits away), for "did you mean". */
export function nearest(typed: string, candidates: readonly string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const word of candidates) {
    const distance = editDistance(typed.toLowerCase(), word);
    if (distance <= 2 && (!best || distance < best.distance)) best = { word, distance };
  }
  return best?.word;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** A past state change, said of the card. */
const STATE_CHANGED: Partial<Record<PolicyOp, string>> = {
  block: 'blocked',
  unblock: 'unblocked',
  activate: 'activated',
  cancel: 'cancelled',
  'unblock-pin': 'PIN unblocked',
  'change-pin': 'PIN changed',
  'set-limit': 'limit set',
};

/** The past state change of an op ("blocked"), or undefined for an op that changes no state. */
function changedBy(op: string): string | undefined {
  return (STATE_CHANGED as Partial<Record<string, string>>)[op];
}

/** "Blocked", "PIN changed": a state change done, at the start of a line about the card. */
function doneOp(op: string): string {
  const verb = changedBy(op);
  return verb === undefined ? `${doingOp(op)}: done` : verb.charAt(0).toUpperCase() + verb.slice(1);
}

/** What broke at the first row a verify finds broken, after "Row #n breaks the audit chain: ". */
const AUDIT_BREAKS: Record<NonNullable<VerifyResult['firstBroken']>['problem'], string> = {
  edited: 'it was edited after it was written (its content no longer matches its hash)',
  'deleted-before': 'one or more rows just before it were deleted',
  reordered:
    'rows were swapped or moved (it carries the link of a row further on, or is stamped earlier than the row before it)',
  'bad-link':
    'it does not follow the row before it: that row was rewritten with a recomputed hash, or this one was forged',
};

/** Why a signed checkpoint contradicts the database, after "contradicts the database: ". */
function checkpointContradiction(kind: AnchorBreak['kind'], row: number): string {
  if (kind === 'row-missing') return `row #${row}, which it signed, is gone`;
  if (kind === 'hash-differs')
    return `row #${row} no longer has the hash it signed: a row up to #${row} was changed, removed or renumbered and the hashes recomputed`;
  return 'it was signed over another log: row #1 is not the row it names, so the log was replaced or rewritten from its first row';
}

/** Where verify reads checkpoints back from, as a person names it. */
const CHECKPOINT_SOURCES: Record<CheckpointSource, string> = {
  channel: 'anchor channel',
  file: 'checkpoint file',
};

/** "Rows 1–7", or "Row 1" when the range is one row. */
function rowsUpTo(row: number): string {
  return row === 1 ? 'Row 1' : `Rows 1–${row}`;
}

/** What verify says of the rows checked before a break: none, the one row, or how many. */
function rowsBefore(checked: number, what: 'it' | 'them'): string {
  if (checked === 0) return `There is no row before ${what}.`;
  if (checked === 1) return `The one row before ${what} was checked and holds.`;
  return `The ${checked.toLocaleString('en-US')} rows before ${what} were checked and hold.`;
}

export const MESSAGES = {
  // --- general ----------------------------------------------------------------------------
  sandboxNote: () => ':test_tube: *Sandbox issuer*: demo cards only, no real card was touched.',
  sandboxNoteShort: () => '(sandbox issuer)',
  sandboxNoteDemoOnly: () => '(sandbox issuer: demo cards only)',
  formSandboxNote: () => ':test_tube: Sandbox issuer: demo cards only.',
  traceLine: (a: { traceId: string }) => `Issuer trace id: ${code(a.traceId)}`,
  historyCommand: (a: { cardId: string }) => code(`/card history ${a.cardId}`),
  unknownOutcomeAdvice: (a: { cardId: string }) =>
    `Run ${code(`/card history ${a.cardId}`)} to see what cardops did, and ask the issuer's support with the trace id before trying again.`,

  // --- errors (defaults of AppError.userMessage) -------------------------------------------
  errorStateConflict: () => 'The issuer refused: the card is not in a state that allows this.',
  errorCardNotFound: () => 'The issuer does not know this card.',
  errorIssuerFailure: () => 'The issuer failed to process the request.',
  errorIssuerAuth: () => 'cardops cannot sign in to the issuer; the operator has been alerted.',
  errorIssuerTimeout: () => 'The issuer did not answer in time.',
  errorIssuerUnreachable: () => 'The issuer could not be reached.',
  errorIssuerMalformed: () => 'The issuer answered in an unexpected format.',
  errorIssuerWrongCard: () => 'The issuer answered about another card than the one asked for.',
  errorNotOffered: () => 'This operation is not offered by the configured issuer.',
  errorInvalidInput: () => 'The request is not valid.',
  errorDenied: () => 'You are not allowed to do this here.',
  errorAuditUnavailable: () => 'The audit log could not be written, so nothing was done.',
  errorRateLimited: () => 'Too many requests.',
  errorConfigInvalid: () => 'The configuration is not valid.',
  errorPolicyInvalid: () => 'The policy file is not valid.',

  // --- parsing `/card …` --------------------------------------------------------------------
  panLikeCardId: () =>
    'That looks like a card number. Use the issuer\u2019s card id instead: card numbers must never be typed into Slack.',
  cardIdNeeded: () => 'A card id is needed.',
  newPinDigitsOnly: () => 'The new PIN must be 4 to 12 digits.',
  cardIdInvalid: (a: { typed?: string } = {}) =>
    `${a.typed === undefined ? 'That' : `"${a.typed}"`} is not a valid card id: use 1 to 64 letters, digits, "-" or "_", starting with a letter or digit.`,
  amountInvalid: () => 'The amount must be a non-negative number with at most 2 decimals, like 500 or 1250.50.',
  amountTooLarge: (a: { max: number }) =>
    `That amount is too large: a limit is at most ${a.max.toLocaleString('en-US')}.`,
  amountBad: () => 'Bad amount.',
  unknownOp: (a: { typed: string; ops: readonly string[]; suggestion?: string | undefined }) =>
    `"${a.typed}" is not a /card operation.${a.suggestion ? ` Did you mean /card ${a.suggestion}?` : ''} Operations: ${a.ops.join(', ')}.`,
  cardIdOnly: (a: { op: PolicyOp }) =>
    `${a.op} takes only a card id.${a.op === 'change-pin' ? ' The new PIN is typed in a private form, never on the command line.' : ''}`,
  setLimitArgs: () => 'set-limit takes a card id and one amount.',
  reasonTooLong: (a: { max: number }) => `The reason is too long (at most ${a.max} characters).`,
  cancelNeedsReason: () => 'Cancelling a card needs a reason, for the approver and the audit.',
  formNotOpened: () => 'The form could not be opened in time. Try again, or type the operation.',
  notInThisVersion: (a: { op: string }) => `${code(a.op)} is not available in this version of cardops yet.`,

  // --- refusals (authorisation) ------------------------------------------------------------
  whyNobodyMay: (a: { op: PolicyOp }) => `Nobody may ${OP_PHRASES[a.op]}: the policy gives ${code(a.op)} to no role.`,
  whyRole: (a: { op: PolicyOp; needed: readonly string[]; roles: readonly string[]; staleNote?: string }) =>
    `You need ${listRoles(a.needed)} to ${OP_PHRASES[a.op]}.` +
    (a.roles.length === 0 ? ' You hold no cardops role.' : ` Your roles: ${rolesHeld(a.roles)}.`) +
    (a.staleNote ?? ''),
  staleGroups: (a: { groups: readonly string[] }) =>
    ` Slack user group ${a.groups.join(', ')} could not be read from Slack for too long, so its members are not counted until it can; the operator has been alerted.`,
  whyCancelOff: () =>
    'Cancelling cards is switched off: a cancel needs a second person to approve it, and the policy names no approvers (approvals.cancel).',
  whyChannel: (a: { op: PolicyOp; here: string; elsewhere: readonly string[] }) =>
    a.elsewhere.length === 0
      ? `${code(a.op)} is not allowed in ${a.here}, nor in any other channel.`
      : `${code(a.op)} is not allowed in ${a.here}. You may run it in ${a.elsewhere.join(', ')}.`,
  refused: (a: { message: string }) => `:lock: ${a.message} ${refusalEnd()}`,
  refusedNotOffered: (a: { op: PolicyOp; issuer: string }) =>
    `:information_source: ${code(a.op)} is not offered by ${a.issuer}, the issuer cardops is connected to, so nothing was sent to it. ${refusalEnd('the operator, if the issuer should offer it')}`,
  refusedDecideOwn: (a: { requestId: string }) =>
    `:no_entry: You filed cancel request ${code(a.requestId)}, so you cannot decide it: a cancel needs a second person. ${refusalEnd('another approver to decide it')}`,
  refusedDecideNotApprover: (a: { approverRoles: readonly string[] }) =>
    `:lock: Only holders of ${a.approverRoles.length === 0 ? 'an approver role (none is configured)' : listRoles(a.approverRoles)} may approve or reject cancel requests. ${refusalEnd('an approver to decide it')}`,
  refusedWithdraw: (a: { requester: string; requestId: string }) =>
    `:no_entry: Only ${mentionUser(a.requester)}, who filed cancel request ${code(a.requestId)}, may withdraw it. ${refusalEnd(`${mentionUser(a.requester)}, or an approver to reject it`)}`,
  refusedClearLock: (a: { approverRoles: readonly string[] }) =>
    `:lock: Only holders of ${a.approverRoles.length === 0 ? 'an approver role (none is configured)' : listRoles(a.approverRoles)} may clear an activation lock. ${refusalEnd('an approver to clear it')}`,
  refusedAudit: (a: { auditRoles: readonly string[]; roles: readonly string[] }) =>
    `:lock: ${
      a.auditRoles.length === 0
        ? 'The policy gives the audit log to no role (audit.roles), so nobody may read it from Slack.'
        : `You need ${listRoles(a.auditRoles)} to read the audit log.`
    }${a.roles.length === 0 ? ' You hold no cardops role.' : ` Your roles: ${rolesHeld(a.roles)}.`} ${refusalEnd()}`,

  // --- card answers -------------------------------------------------------------------------
  stateChangeDone: (a: { op: PolicyOp; cardId: string }) => {
    const verb = STATE_CHANGED[a.op] ?? `${a.op} done`;
    return a.op === 'unblock-pin' || a.op === 'change-pin' || a.op === 'set-limit'
      ? `:white_check_mark: Card ${code(a.cardId)}: ${verb}.`
      : `:white_check_mark: Card ${code(a.cardId)} is now *${verb}*.`;
  },
  reasonMasked: (a: { reason: string }) =>
    `:shield: Your reason held what looks like a card number, CVV, PIN or expiry date. It was masked before it was stored or shown to anyone: ${code(a.reason)}. Never type card data into Slack.`,
  limitNone: (a: { cardId: string }) => `Card ${code(a.cardId)} has *no internal limit*.`,
  limitShown: (a: { cardId: string; amount: string }) =>
    `Card ${code(a.cardId)}: internal monthly limit *${a.amount}*.`,
  limitSet: (a: { cardId: string; amount: string | null }) =>
    a.amount === null
      ? `:white_check_mark: Card ${code(a.cardId)}: internal monthly limit removed; the card has *no internal limit* now.`
      : `:white_check_mark: Card ${code(a.cardId)}: internal monthly limit set to *${a.amount}*.`,
  limitsNotOffered: (a: { provider: keyof typeof ISSUER_NAMES }) =>
    `Internal limits are not offered by this issuer (${ISSUER_NAMES[a.provider]}).`,
  limitRemoveAsk: (a: { cardId: string; minutes: number }) =>
    `:warning: A limit of 0 means *no internal limit*: it removes card ${code(a.cardId)}'s internal monthly limit, so its spending is no longer held to one. Press *Remove the limit* within ${a.minutes === 1 ? 'a minute' : `${a.minutes} minutes`} to confirm; nothing is sent to the issuer until you do.`,
  limitRemoveButton: () => 'Remove the limit',
  limitRemoveExpired: (a: { cardId: string }) =>
    `:hourglass: This confirmation expired, so card ${code(a.cardId)}'s limit was not touched. Run ${code(`/card set-limit ${a.cardId} 0`)} again to remove it.`,
  limitRemoveUnknown: () =>
    ':hourglass: This confirmation is no longer valid, so nothing was changed. Run the command again if you still mean it.',
  limitRemoveNotYours: () =>
    ':no_entry: This confirmation belongs to the person who asked to remove the limit. Nothing was changed.',
  limitRemoveUsed: (a: { cardId: string }) =>
    `:information_source: This confirmation was already used: card ${code(a.cardId)}'s limit removal was sent once. Run ${code(`/card limit ${a.cardId}`)} to see the limit now.`,
  opStateConflict: (a: { op: PolicyOp; cardId: string; issuerMessage?: string | undefined }) =>
    `:no_entry: ${doing(a.op, a.cardId)} was refused by the issuer: ${escapeMrkdwn(a.issuerMessage ?? 'the card is not in a state that allows it')}.`,
  opCardNotFound: (a: { cardId: string }) =>
    `:mag: The issuer does not know card ${code(a.cardId)}. Check the card id.`,
  opGatewayUnknown: (a: { op: PolicyOp; cardId: string }) =>
    `:warning: A gateway in front of the issuer gave up while ${doingLower(a.op, a.cardId)}, so it is *unknown* whether it took effect. ${MESSAGES.unknownOutcomeAdvice(a)}`,
  opIssuerFailed: (a: { op: PolicyOp; cardId: string }) =>
    `:warning: The issuer failed while ${doingLower(a.op, a.cardId)}. Try again in a few minutes; if it keeps failing, give the issuer's support the trace id below.`,
  opIssuerAuth: (a: { op: PolicyOp; cardId: string }) =>
    `:lock: cardops cannot sign in to the issuer, so ${doingLower(a.op, a.cardId)} was not done; the operator has been alerted.`,
  opTimeoutUnknown: (a: { op: PolicyOp; cardId: string }) =>
    `:hourglass: The issuer did not answer in time, so it is *unknown* whether ${doingLower(a.op, a.cardId)} took effect. ${MESSAGES.unknownOutcomeAdvice(a)}`,
  opTimeout: (a: { op: PolicyOp; cardId: string }) =>
    `:hourglass: The issuer did not answer in time, so ${doingLower(a.op, a.cardId)} was not done. Try again.`,
  opConnectionBrokeUnknown: (a: { op: PolicyOp; cardId: string }) =>
    `:electric_plug: The connection to the issuer broke while ${doingLower(a.op, a.cardId)}; it is *unknown* whether it took effect. ${MESSAGES.unknownOutcomeAdvice(a)}`,
  opUnreachable: (a: { op: PolicyOp; cardId: string }) =>
    `:electric_plug: The issuer could not be reached, so ${doingLower(a.op, a.cardId)} was not done. Try again shortly.`,
  opMalformedUnknown: (a: { op: PolicyOp; cardId: string }) =>
    `:warning: The issuer answered ${doingLower(a.op, a.cardId)} in an unexpected format, so its outcome is *unknown*. ${MESSAGES.unknownOutcomeAdvice(a)}`,
  opMalformed: (a: { op: PolicyOp; cardId: string }) =>
    `:warning: The issuer answered in an unexpected format, so the result of ${doingLower(a.op, a.cardId)} could not be shown.`,
  opNotOffered: (a: { message: string }) => `:information_source: ${escapeMrkdwn(a.message)}`,
  opWrongCardUnknown: (a: { op: PolicyOp; cardId: string }) =>
    `:warning: The issuer answered ${doingLower(a.op, a.cardId)} about another card, so its outcome is *unknown*. ${MESSAGES.unknownOutcomeAdvice(a)}`,
  opWrongCard: (a: { op: PolicyOp; cardId: string }) =>
    `:warning: The issuer answered about another card than ${code(a.cardId)}, so nothing of its answer is shown. Try again; if it happens again, give the issuer's support the trace id below.`,
  opAuditUnavailable: (a: { op: PolicyOp; cardId: string }) =>
    `:floppy_disk: The audit log could not be written, so ${doingLower(a.op, a.cardId)} was *not* sent to the issuer. Tell the operator; nothing changed.`,
  opOtherError: (a: { message: string }) => `:warning: ${escapeMrkdwn(a.message)}`,

  // --- the audit log ------------------------------------------------------------------------
  auditPageHeading: (a: { page: number; count: number; described: string }) =>
    a.page === 1
      ? `:ledger: *Audit log* — ${a.count === 1 ? 'the newest event' : `the newest ${count(a.count, 'event')}`} matching ${a.described}.`
      : `:ledger: *Audit log* — page ${a.page}: ${count(a.count, 'older event')} matching ${a.described}.`,
  auditPageContext: (a: { first: number; last: number; more: boolean }) =>
    `${a.first === a.last ? `Event #${a.first}` : `Events #${a.first}–#${a.last}, newest first`}; times in UTC.${a.more ? '' : ' No older events match.'}`,
  auditPageFallback: (a: { page: number; count: number; described: string }) =>
    `Audit log, page ${a.page}: ${count(a.count, 'event')} matching ${a.described}`,
  auditExportStarted: (a: { count: number; described: string }) =>
    `:hourglass_flowing_sand: Export under way: ${count(a.count, 'event')} ${a.count === 1 ? 'matches' : 'match'} ${a.described}. The CSV file will arrive in your direct messages with cardops; you will be told here when it is sent.`,
  auditExportDone: (a: { rows: number; fileName: string }) =>
    `:white_check_mark: Sent ${count(a.rows, 'row')} to your direct messages with cardops as ${code(a.fileName)}.`,
  auditExportComment: (a: { rows: number; described: string }) =>
    `cardops audit export: ${count(a.rows, 'row')} matching ${a.described}, oldest first, times in UTC.`,
  // `described`: what `auditFilterDescribed` says of the filters; `time`: a time already formatted.
  auditFilterDescribed: (a: {
    user?: string | undefined;
    cardId?: string | undefined;
    op?: string | undefined;
    outcome?: string | undefined;
    channel?: string | undefined;
    since?: string | undefined;
    before?: string | undefined;
  }) => {
    const parts = [
      a.user !== undefined ? `user ${mentionUser(a.user)}` : undefined,
      a.cardId !== undefined ? `card ${code(a.cardId)}` : undefined,
      a.op !== undefined ? `op ${code(a.op)}` : undefined,
      a.outcome !== undefined ? `outcome ${code(a.outcome)}` : undefined,
      a.channel !== undefined ? `channel ${a.channel}` : undefined,
      a.since !== undefined ? `since ${a.since}` : undefined,
      a.before !== undefined ? `before ${a.before}` : undefined,
    ].filter((part) => part !== undefined);
    return parts.length === 0 ? 'all events' : parts.join(', ');
  },
  auditNextButton: () => 'Next 20 (older)',
  auditDirectMessage: () => 'a direct message',
  // One event of a page: when, who, what, on which card, how it ended, where, why, and its ids.
  // `when`: already formatted; `where`: a channel mention or auditDirectMessage.
  auditEvent: (a: {
    id: number;
    when: string;
    actor: string;
    op: string;
    cardId: string | null;
    outcome: string;
    where: string | null;
    reason: string | null;
    error: string | null;
    requestId: string | null;
    traceId: string | null;
  }) => {
    const head = [
      `*${a.when}*`,
      mentionUser(a.actor),
      code(a.op),
      a.cardId !== null ? `card ${code(a.cardId)}` : undefined,
      `*${escapeMrkdwn(a.outcome)}*`,
    ].filter((part) => part !== undefined);
    const context = [
      a.where !== null ? `in ${a.where}` : undefined,
      a.reason !== null && a.reason !== '' ? `reason: ${escapeMrkdwn(a.reason)}` : undefined,
      a.error !== null && a.error !== '' ? `error: ${escapeMrkdwn(a.error)}` : undefined,
    ].filter((part) => part !== undefined);
    const ids = [
      `event #${a.id}`,
      a.requestId !== null ? `request ${code(a.requestId)}` : undefined,
      a.traceId !== null ? `trace ${code(a.traceId)}` : undefined,
    ].filter((part) => part !== undefined);
    return [head.join(' · '), ...(context.length > 0 ? [context.join(' · ')] : []), ids.join(' · ')].join('\n');
  },
  auditNoMatch: (a: { page: number; described: string }) =>
    a.page === 1 ? `:mag: No audit events match ${a.described}.` : `:mag: No older audit events match ${a.described}.`,
  auditUsage: () =>
    [
      '*Usage:*',
      `${code('/card-audit [filters]')} — the newest 20 matching events, with a button for older ones`,
      `${code('/card-audit export [filters]')} — every matching event as a CSV file, sent to your DM with cardops`,
      `${code('/card-audit verify')} — recompute the whole hash chain and report the first row that breaks it`,
    ].join('\n'),
  // The usage line of each `/card-audit` filter, plain text; `ops`, `outcomes`: what op: and outcome: take.
  auditFilterUsage: (a: {
    key: 'user' | 'card' | 'op' | 'outcome' | 'channel' | 'since' | 'until';
    ops: readonly string[];
    outcomes: readonly string[];
  }) =>
    ({
      user: 'user:@name — pick the person from Slack\u2019s autocomplete (or give a member id, U…)',
      card: 'card:<cardId> — e.g. card:card-active-1',
      op: `op:<op> — one of ${a.ops.join(', ')}; op:approval finds cancel requests and what became of them (requested, approved, rejected, withdrawn, expired, reminded)`,
      outcome: `outcome:<outcome> — one of ${a.outcomes.join(', ')}`,
      channel: 'channel:#channel — pick it from the autocomplete (or give a channel id, C…)',
      since: 'since:7d, since:24h, since:30m, since:2026-05-01 (UTC midnight) or since:2026-05-01T09:30Z',
      until: 'until:… the same forms; until:2026-05-31 means through the end of that day (UTC)',
    })[a.key],
  // What was wrong with a `/card-audit` filter, plain text (shown through `problem`); `shown`: the
  // value as typed, already cut short and masked.
  auditFilterNotFilter: (a: { shown: string }) =>
    `"${a.shown}" is not a filter: filters look like key:value, e.g. op:pan.`,
  auditFilterUnknownKey: (a: { shown: string; keys: readonly string[] }) =>
    `"${a.shown}:" is not a filter. Filters: ${a.keys.map((k) => `${k}:`).join(', ')}.`,
  auditFilterTwice: (a: { key: string }) => `${a.key}: is given twice; each filter may appear once.`,
  auditFilterNeedsValue: (a: { key: string; example: string }) => `${a.key}: needs a value, e.g. ${a.example}.`,
  auditFilterEmptyWindow: () => 'since: must be before until:, or nothing can match.',
  auditFilterBadValue: (a: { key: string }) => `${a.key}: has a bad value.`,
  auditFilterUserName: (a: { shown: string }) =>
    `user:${a.shown} is a name, which cardops cannot look up. Type user:@ and pick the person from Slack\u2019s autocomplete, so that Slack sends their member id; or give the id (U…, from "Copy member ID" on their profile).`,
  auditFilterNotUser: (a: { shown: string }) =>
    `user:${a.shown} is not a Slack user: pick the person from the autocomplete after user:@, or give a member id (U… or W…).`,
  auditFilterChannelName: (a: { shown: string }) =>
    `channel:${a.shown} is a name, which cardops cannot look up. Type channel:# and pick the channel from Slack\u2019s autocomplete, or give its id (C…, from the bottom of the channel\u2019s details).`,
  auditFilterNotChannel: (a: { shown: string }) =>
    `channel:${a.shown} is not a Slack channel: pick it from the autocomplete after channel:#, or give a channel id (C…, G… or D…).`,
  auditFilterCard: (a: { problem: string }) => `card: ${a.problem}`,
  auditFilterNotOp: (a: { shown: string; ops: readonly string[] }) =>
    `op:${a.shown} is not an op. Ops: ${a.ops.join(', ')}.`,
  auditFilterNotOutcome: (a: { shown: string; outcomes: readonly string[] }) =>
    `outcome:${a.shown} is not an outcome. Outcomes: ${a.outcomes.join(', ')}.`,
  auditFilterNotTime: (a: { key: string; shown: string }) =>
    `${a.key}:${a.shown} is not a time: use 7d, 24h, 30m, a date like 2026-05-01, or a UTC time like 2026-05-01T09:30Z.`,
  auditFilters: (a: { usages: readonly string[] }) =>
    [
      '*Filters* (any order, all must match, each at most once):',
      ...a.usages.map((usage) => `• ${escapeMrkdwn(usage)}`),
      `Example: ${code('/card-audit card:card-active-1 op:pan since:30d')}`,
    ].join('\n'),
  auditUnavailable: () =>
    ':floppy_disk: The audit log could not be written, so this look at it could not be recorded and nothing is shown. Tell the operator.',
  auditStalePage: () => `:grey_question: That page button is not valid any more. Run ${code('/card-audit')} again.`,
  auditReadFailed: () =>
    ':warning: The audit log could not be read just now. Try again; if it keeps failing, tell the operator.',
  auditExportEmpty: (a: { described: string }) =>
    `:mag: No audit events match ${a.described}, so there is nothing to export.`,
  auditExportFailed: (a: { step: string; problem: string }) =>
    `:warning: The export could not be delivered: Slack refused ${code(a.step)} (${escapeMrkdwn(a.problem)}). Nothing was sent to your DM. Try again; if it keeps failing, tell the operator.`,
  auditVerifyStarted: () => ':hourglass_flowing_sand: Verifying the whole audit hash chain… The result follows here.',
  auditVerifyHolds: (a: { checked: number }) =>
    a.checked === 1
      ? 'The hash chain of the one row recomputes: the row is consistent with the start of the chain.'
      : a.checked === 0
        ? 'The audit log has no rows yet: there is nothing to recompute.'
        : `The hash chain of all ${a.checked.toLocaleString('en-US')} rows recomputes: the rows are consistent with each other.`,
  // `after`: the last row left; `upTo`: the last row cut.
  auditVerifyCut: (a: { after: number; upTo: number; checked: number }) =>
    `:rotating_light: The audit log has been cut: rows after #${a.after} (up to #${a.upTo}) were deleted. ${rowsBefore(a.checked, 'them')}`,
  auditVerifyBroken: (a: { row: number; problem: keyof typeof AUDIT_BREAKS; checked: number }) =>
    `:rotating_light: Row #${a.row} breaks the audit chain: ${AUDIT_BREAKS[a.problem]}. ${rowsBefore(a.checked, 'it')}`,
  auditVerifyTampered: () =>
    'Keep this result for the auditors, and tell the operator: the database file has been tampered with.',
  // Signed checkpoints (SPEC §7). `key`: the signing key's fingerprint; `number`: a checkpoint's
  // number in the order read back; `row`: the row it signed; `time`: when, already formatted.
  auditUnanchored: () =>
    ':warning: The audit log is *unanchored*: no signing key is configured (`AUDIT_SIGNING_KEY_FILE`), so nothing proves the rows were not rewritten by someone who can write the database.',
  auditCheckpointsNoSource: () =>
    'No checkpoint source is configured (`audit.anchor_channel` in the policy, `AUDIT_CHECKPOINT_FILE`).',
  auditCheckpointSource: (a: {
    source: CheckpointSource;
    checkpoints: number | undefined;
    problem?: string | undefined;
    partial?: boolean | undefined;
  }) =>
    a.checkpoints === undefined
      ? `the ${CHECKPOINT_SOURCES[a.source]} could not be read (${escapeMrkdwn(a.problem ?? 'unavailable')})`
      : `${a.checkpoints} from the ${CHECKPOINT_SOURCES[a.source]}${a.partial ? ' (its newest messages only)' : ''}`,
  // `sources`: what `auditCheckpointSource` says of each source.
  auditCheckpointsRead: (a: { sources: readonly string[]; valid: number; key: string; unverifiable: number }) =>
    `Checkpoints read back: ${a.sources.join('; ')}. ${a.valid} signed by key ${code(a.key)}${a.unverifiable > 0 ? `; ${a.unverifiable} could not be verified with that key and prove nothing` : ''}.`,
  auditCheckpointContradicts: (a: {
    number: number;
    time: string;
    key: string;
    kind: AnchorBreak['kind'];
    row: number;
  }) =>
    `:rotating_light: Checkpoint ${a.number} (signed at ${a.time} by key ${code(a.key)}) contradicts the database: ${checkpointContradiction(a.kind, a.row)}.`,
  auditCheckpointStillMatch: (a: { row: number; number: number }) =>
    `${rowsUpTo(a.row)} still ${a.row === 1 ? 'matches' : 'match'} checkpoint ${a.number}.`,
  // `total`: the last row of the log; rows after the checkpoint's are not anchored yet.
  auditCheckpointProven: (a: { row: number; number: number; time: string; key: string; total: number }) =>
    `:white_check_mark: ${rowsUpTo(a.row)} ${a.row === 1 ? 'matches' : 'match'} checkpoint ${a.number} signed at ${a.time} by key ${code(a.key)}: ${a.row === 1 ? 'it is' : 'they are'} as written then.${
      a.total === a.row + 1
        ? ` Row #${a.total}, after it, is not yet anchored: it is only consistent with the rows before it.`
        : a.total > a.row
          ? ` Rows after it (#${a.row + 1}–#${a.total}) are not yet anchored: they are only consistent with each other.`
          : ''
    }`,
  auditCheckpointNone: () =>
    ':warning: No signed checkpoint of this log proves any row yet, so nothing proves the rows were not rewritten by someone who can write the database.',
  auditCheckpointMatch: (a: { row: number; number: number }) =>
    `${rowsUpTo(a.row)} ${a.row === 1 ? 'matches' : 'match'} checkpoint ${a.number}.`,

  // --- cancel requests and their approval ----------------------------------------------------
  // `by`, `requester`: user ids (mentioned); `when`: a date already formatted for Slack.
  approvalWaiting: (a: { when: string }) => `:hourglass_flowing_sand: Waiting for an approver. Expires ${a.when}.`,
  approvalExecuting: (a: { by?: string | null | undefined; cardId: string }) =>
    `:arrows_counterclockwise: Approved by ${approverOf(a.by)}: cancelling card ${code(a.cardId)} at the issuer…`,
  approvalDone: (a: { by?: string | null | undefined; cardId: string }) =>
    `:white_check_mark: Approved by ${approverOf(a.by)}: card ${code(a.cardId)} is *cancelled*.`,
  approvalFailed: (a: { by?: string | null | undefined; cardId: string; error?: string | null | undefined }) =>
    `:x: Approved by ${approverOf(a.by)}, but the issuer did not cancel card ${code(a.cardId)}: ${escapeMrkdwn(a.error ?? 'no reason given')}`,
  approvalNeverPosted: () =>
    ':x: This request was never posted to the approvers, so nobody could decide it. Nothing was cancelled.',
  approvalUnknown: (a: { by?: string | null | undefined; cardId: string }) =>
    `:question: Approved by ${approverOf(a.by)}, but the outcome is *unknown*: cardops will not run this cancel again. ${MESSAGES.unknownOutcomeAdvice(a)}`,
  approvalRejected: (a: { by?: string | null | undefined; cardId: string; reason?: string | null | undefined }) =>
    `:no_entry_sign: Rejected by ${approverOf(a.by)}${a.reason ? `: ${escapeMrkdwn(a.reason)}` : ' (no reason given)'}. Card ${code(a.cardId)} was not cancelled.`,
  approvalWithdrawn: (a: { requester: string; cardId: string }) =>
    `:leftwards_arrow_with_hook: Withdrawn by ${mentionUser(a.requester)}, who asked for it. Card ${code(a.cardId)} was not cancelled.`,
  approvalExpired: (a: { when: string; cardId: string }) =>
    `:hourglass: Expired ${a.when}: nobody decided in time. Card ${code(a.cardId)} was not cancelled; file a new request if it still must be.`,
  approvalLateOutcome: (a: { requestId: string; outcome: string }) =>
    `:information_source: Late outcome for ${code(a.requestId)}: the replica running this cancel was taken for stopped and the request was shown as unknown, but the issuer has now answered. ${a.outcome}`,
  withdrawButton: () => 'Withdraw',
  withdrawConfirmTitle: () => 'Withdraw this request?',
  withdrawConfirmText: (a: { requestId: string; cardId: string }) =>
    `Cancel request ${code(a.requestId)} for card ${code(a.cardId)} will be closed; the card stays as it is.`,
  approveButton: () => 'Approve',
  approveConfirmTitle: () => 'Cancel this card?',
  approveConfirmText: (a: { cardId: string }) =>
    `Card ${code(a.cardId)} will be cancelled for good. This cannot be undone.`,
  approveConfirmButton: () => 'Cancel the card',
  rejectButton: () => 'Reject',
  buttonBack: () => 'Back',
  fieldCard: (a: { cardId: string }) => `*Card*\n${code(a.cardId)}`,
  fieldRequestedBy: (a: { requester: string }) => `*Requested by*\n${mentionUser(a.requester)}`,
  fieldReason: (a: { reason: string }) => `*Reason*\n${escapeMrkdwn(a.reason) || '—'}`,
  fieldExpires: (a: { when: string }) => `*Expires*\n${a.when}`,
  requestMissing: () =>
    ':grey_question: This cancel request does not exist. It may belong to another cardops installation.',
  requestBadButton: () =>
    ':grey_question: This button does not carry a cancel request id. Use the buttons cardops posted.',
  requestOutcome: (a: { requestId: string; outcome: string }) => `Cancel request ${code(a.requestId)}: ${a.outcome}`,
  decisionUnrecorded: (a: { requestId: string }) =>
    `:floppy_disk: Your decision on cancel request ${code(a.requestId)} could not be recorded (cardops cannot write its database), so nothing changed: the request is still pending and the card was not cancelled. Try again in a moment; tell the operator if it persists.`,
  withdrawUnrecorded: (a: { requestId: string }) =>
    `:floppy_disk: Your withdrawal of cancel request ${code(a.requestId)} could not be recorded (cardops cannot write its database), so it is still pending. Try again in a moment; tell the operator if it persists.`,
  closedExpired: (a: { requestId: string; when: string }) =>
    `:hourglass: Cancel request ${code(a.requestId)} expired ${a.when}: it can no longer be approved or rejected.`,
  closedExecuting: (a: { requestId: string; by?: string | null | undefined }) =>
    `:arrows_counterclockwise: ${a.by ? mentionUser(a.by) : 'someone'} already approved cancel request ${code(a.requestId)}; the cancel is under way.`,
  closedUnknown: (a: { requestId: string; cardId: string; by?: string | null | undefined }) =>
    `:question: ${a.by ? mentionUser(a.by) : 'someone'} already approved cancel request ${code(a.requestId)}, but its outcome is *unknown*; it will not be run again. ${MESSAGES.unknownOutcomeAdvice(a)}`,
  closedVoid: (a: { requestId: string }) =>
    `:x: Cancel request ${code(a.requestId)} was never posted to the approvers; nothing can be decided.`,
  closedWithdrawn: (a: { requestId: string; requester: string }) =>
    `:leftwards_arrow_with_hook: ${mentionUser(a.requester)} withdrew cancel request ${code(a.requestId)}: there is nothing to decide.`,
  closedRejected: (a: { requestId: string; by?: string | null | undefined }) =>
    `:no_entry_sign: ${a.by ? mentionUser(a.by) : 'someone'} already rejected cancel request ${code(a.requestId)}.`,
  closedApproved: (a: { requestId: string; by?: string | null | undefined; outcome: string }) =>
    `:ballot_box_with_check: ${a.by ? mentionUser(a.by) : 'someone'} already approved cancel request ${code(a.requestId)}. ${a.outcome}`,
  cancelAlreadyPending: (a: {
    cardId: string;
    requestId: string;
    requester: string;
    executing: boolean;
    by?: string | null | undefined;
    channel?: string | null | undefined;
    when: string;
  }) =>
    `:information_source: Card ${code(a.cardId)} already has a cancel request: ${code(a.requestId)}, filed by ${mentionUser(a.requester)}, ${
      a.executing
        ? `was approved by ${approverOf(a.by)} and is being cancelled now`
        : `is waiting for an approver${a.channel ? ` in ${mentionChannel(a.channel)}` : ''} (expires ${a.when})`
    }. No second request was filed.`,
  cancelNotPosted: (a: { problem: 'not_in_channel' | 'channel_not_found' | 'other'; channel: string; error: string }) =>
    `:warning: The cancel request could not be posted for approval: ${
      a.problem === 'not_in_channel'
        ? `I am not a member of ${mentionChannel(a.channel)}: ask an admin to ${code('/invite @cardops')} there.`
        : a.problem === 'channel_not_found'
          ? `the approvals channel (${code(a.channel)}) no longer exists: ask an admin to set ${code('approvals.cancel.channel')} in the policy.`
          : `Slack refused to post it to ${mentionChannel(a.channel)} (${code(a.error)}). Try again in a moment.`
    }`,
  cancelNotPostedNext: () => 'No request is pending; nothing was cancelled.',
  yourRequestDone: (a: { requestId: string; cardId: string; by?: string | null | undefined }) =>
    `:white_check_mark: Your cancel request ${code(a.requestId)} was approved by ${approverOf(a.by)}: card ${code(a.cardId)} is *cancelled*.`,
  yourRequestFailed: (a: {
    requestId: string;
    cardId: string;
    by?: string | null | undefined;
    error?: string | null;
  }) =>
    `:x: Your cancel request ${code(a.requestId)} was approved by ${approverOf(a.by)}, but the issuer did not cancel card ${code(a.cardId)}: ${escapeMrkdwn(a.error ?? 'no reason given')}`,
  yourRequestNeverPosted: (a: { requestId: string; cardId: string }) =>
    `:warning: Your cancel request ${code(a.requestId)} for card ${code(a.cardId)} never reached the approvers (cardops stopped before posting it). Nothing was cancelled: file it again if it is still needed.`,
  yourRequestUnknown: (a: { requestId: string; cardId: string; by?: string | null | undefined }) =>
    `:question: Your cancel request ${code(a.requestId)} was approved by ${approverOf(a.by)}, but the outcome is *unknown*: cardops will not run it again. ${MESSAGES.unknownOutcomeAdvice(a)}`,
  yourRequestRejected: (a: {
    requestId: string;
    cardId: string;
    by?: string | null | undefined;
    reason?: string | null | undefined;
  }) =>
    `:no_entry_sign: Your cancel request ${code(a.requestId)} for card ${code(a.cardId)} was rejected by ${approverOf(a.by)}${a.reason ? `: ${escapeMrkdwn(a.reason)}` : ' (no reason given)'}.`,
  yourRequestExpired: (a: { requestId: string; cardId: string }) =>
    `:hourglass: Your cancel request ${code(a.requestId)} for card ${code(a.cardId)} expired: nobody decided in time. Nothing was cancelled; file a new request if it is still needed.`,
  yourRequestWithdrawn: (a: { requestId: string; cardId: string }) =>
    `:leftwards_arrow_with_hook: You withdrew cancel request ${code(a.requestId)}: card ${code(a.cardId)} was not cancelled, and nobody can approve the request now.`,
  yourRequestOther: (a: { requestId: string; cardId: string; outcome: string }) =>
    `Your cancel request ${code(a.requestId)} for card ${code(a.cardId)}: ${a.outcome}`,
  approvalTitle: (a: { requestId: string; cardId: string }) =>
    `:rotating_light: *Cancel request* ${code(a.requestId)}: card ${code(a.cardId)}. Cancelling cannot be undone.`,
  approvalWhoDecides: () => 'Only an approver may decide, and never the person who asked.',
  approvalFallbackWaiting: (a: { requestId: string; cardId: string; requester: string }) =>
    `Cancel request ${a.requestId}: card ${a.cardId}, asked by ${mentionUser(a.requester)}: waiting for an approver.`,
  approvalFallbackOutcome: (a: { requestId: string; outcome: string }) => `Cancel request ${a.requestId}: ${a.outcome}`,
  cancelRequested: (a: { requestId: string; cardId: string; channel?: string | null | undefined; when: string }) =>
    `:inbox_tray: Cancel request ${code(a.requestId)} for card ${code(a.cardId)} is waiting for an approver in ${a.channel ? mentionChannel(a.channel) : 'the approvals channel'}. It expires ${a.when}.`,
  cancelRequestedNext: () =>
    'You cannot approve it yourself: a second person must. You will be told here how it ends. Changed your mind? Withdraw it (also from the cardops Home tab).',
  cancelLimitedLive: (a: { limit: number; when: string }) =>
    `:no_entry: You have ${count(a.limit, 'cancel request')} waiting for an approver, the most allowed at once, so no new one was filed. The limit frees up when the soonest of them expires, ${a.when}; you may also withdraw one you no longer need (from your confirmation or the cardops Home tab).`,
  cancelLimitedHour: (a: { limit: number; when: string }) =>
    `:no_entry: You have filed ${count(a.limit, 'cancel request')} within the last hour, the most allowed, so no new one was filed. The limit resets as each turns an hour old: you may file again from ${a.when}.`,
  cancelLimitedBlockInstead: () => 'If a card must be stopped now, block it: blocking needs no approver.',
  cancelSwitchedOff: () =>
    `:lock: Cancelling cards is switched off: the policy names no approvers (approvals.cancel). ${refusalEnd('the operator to name approvers in the policy')}`,
  cancelAuditUnavailable: () =>
    ':floppy_disk: The audit log could not be written, so no cancel request was filed. Tell the operator; nothing changed.',
  reminder: (a: { mentions: readonly string[]; requestId: string; cardId: string; when: string }) =>
    `:alarm_clock: ${a.mentions.length > 0 ? `${a.mentions.join(' ')}: ` : ''}cancel request ${code(a.requestId)} for card ${code(a.cardId)} is still waiting for an approver. It expires ${a.when}; after that it must be filed again.`,

  // --- usage, help, whoami -----------------------------------------------------------------
  problem: (a: { problem: string }) => `:grey_question: ${escapeMrkdwn(a.problem)}`,
  usageOf: (a: { op: PolicyOp }) => `Usage: ${code(OP_USAGE[a.op])}`,
  usageGeneral: (a: { allowed: readonly PolicyOp[] }) =>
    a.allowed.length > 0
      ? `Usage: ${code('/card <operation> <cardId> …')}. Here you may: ${a.allowed.map((o) => code(o)).join(', ')}. ${code('/card help')} lists them.`
      : `Usage: ${code('/card <operation> <cardId> …')}. ${code('/card help')} lists what you may do here.`,
  helpNothingHere: (a: { channel: string }) => `You may not run any card operation in ${mentionChannel(a.channel)}.`,
  helpNothingHereNext: () => `${code('/card whoami')} shows your roles; ask your team lead if you need access.`,
  helpHeading: (a: { channel: string }) => `*What you may do in ${mentionChannel(a.channel)}:*`,
  helpOpLine: (a: { op: PolicyOp }) => `${code(OP_USAGE[a.op])} — ${OP_SUMMARY[a.op]}`,
  helpAlsoHeading: (a: { none?: boolean } = {}) =>
    a.none ? '*Through your roles you may:*' : '*Through your roles you may also:*',
  helpApproving: (a: { channel?: string | undefined }) =>
    `• approve or reject cancel requests${a.channel ? ` with their buttons in ${mentionChannel(a.channel)}` : ''} and on the cardops Home tab (never your own)`,
  helpAudit: () =>
    `• ${code('/card-audit [filters]')} — read the audit log; ${code('/card-audit export')} sends a CSV, ${code('/card-audit verify')} checks it`,
  helpElsewhere: (a: { channels: readonly string[]; none: boolean }) =>
    `${a.none ? 'You may run card operations' : 'You may also run card operations'} in ${a.channels.map((c) => mentionChannel(c)).join(', ')}: ${code('/card help')} there lists them.`,
  helpFooter: () => `${code('/card')} alone opens a form. ${code('/card whoami')} shows your roles.`,
  whoami: (a: { userId: string; roles: readonly string[]; allowed: readonly PolicyOp[]; channel: string }) =>
    `You are <@${a.userId}>.\n*Roles:* ${rolesHeld(a.roles)}\n*Operations allowed in ${mentionChannel(a.channel)}:* ${
      a.allowed.length > 0 ? a.allowed.map((o) => code(o)).join(', ') : 'none'
    }`,

  // --- the operation form -------------------------------------------------------------------
  formTitle: () => 'Card operation',
  formSubmit: () => 'Run',
  formCancel: () => 'Cancel',
  formOpLabel: () => 'Operation',
  formOpPlaceholder: () => 'Choose an operation',
  formCardIdLabel: () => 'Card id',
  formCardIdHint: () => 'The issuer’s card id, never the card number.',
  formReasonLabel: () => 'Reason',
  formReasonHint: () => 'Kept in the audit log. A cancel asks for its reason next, if none is given here.',
  formCancelReasonHint: () => 'Why the card must be cancelled: the approver reads it, the audit keeps it.',
  formCancelSubmit: () => 'Request cancel',
  formAmountLabel: () => 'Amount (set-limit only)',

  // --- the reject form ----------------------------------------------------------------------
  rejectTitle: () => 'Reject cancel request',
  rejectSubmit: () => 'Reject',
  rejectBack: () => 'Back',
  rejectClose: () => 'Close',
  rejectIntro: (a: { requestId: string; cardId: string }) =>
    `Reject ${code(a.requestId)}: card ${code(a.cardId)} will *not* be cancelled.`,
  rejectReasonLabel: () => 'Reason',
  rejectFormNotOpened: () => ':hourglass: The rejection form could not be opened in time. Click Reject again.',
  rejectReasonHint: () => 'Shown to the requester and kept in the audit log.',

  // --- the activation and PIN forms --------------------------------------------------------
  activateTitle: () => 'Activate card',
  activateSubmit: () => 'Check and activate',
  activateIntro: (a: { cardId: string }) =>
    `Ask the cardholder to read these off card ${code(a.cardId)}. The card is activated only if both match.`,
  activateLast4Label: () => 'Last 4 digits of the card number',
  activateCvvLabel: () => 'CVV (3 digits on the back; 4 on the front for some cards)',
  activateLast4Error: () => 'Type exactly 4 digits: the last 4 of the card number.',
  activateCvvError: () => 'Type the 3 digits of the CVV (4 on cards that print it on the front).',
  changePinTitle: () => 'Change PIN',
  changePinSubmit: () => 'Change PIN',
  changePinIntro: (a: { cardId: string }) =>
    `New PIN for card ${code(a.cardId)}. It goes to the issuer only: it is not shown, logged or kept.`,
  changePinLabel: () => 'New PIN (4 digits)',
  changePinHint: () => 'Not all one digit, and not a straight run like 1234 or 4321.',
  changePinAgainLabel: () => 'New PIN again',
  changePinDiffer: () => 'The two PINs differ. Type the same new PIN twice.',
  formOutOfDate: () => 'This form is out of date. Close it and run /card again.',
  formChooseOp: () => 'Choose one of the operations offered.',
  rejectFormOutOfDate: () => 'This form is out of date. Close it and click Reject again.',
  reasonAtMost: (a: { max: number }) => `At most ${a.max} characters.`,

  // --- activation checks and their limits --------------------------------------------------
  activationLockedForLife: (a: { card: string; checks: number }) =>
    `Activation of card ${a.card} is locked: it has had ${count(a.checks, 'card-in-hand check')}, the most allowed. Nothing was checked. An approver can clear the lock from the cardops Home tab.`,
  activationLockedHour: (a: { card: string; until: string; max: number }) =>
    `Activation of card ${a.card} is locked until ${a.until}: ${count(a.max, 'check')} within an hour did not activate it. Nothing was checked.`,
  activationAgentHour: (a: { checks: number; until: string }) =>
    `You have made ${count(a.checks, 'card-in-hand check')} within the last hour, the most allowed. Nothing was checked. You may check again from ${a.until}.`,
  // `op`: the audit row's op that took the card past activation (activate, block, unblock, cancel).
  activationPast: (a: { cardId: string; op: string; when: string; by: string }) =>
    `:information_source: Card ${code(a.cardId)} needs no activation: cardops ${changedBy(a.op) ?? a.op} it ${a.when} (by ${mentionUser(a.by)}). Nothing was checked or changed. ${MESSAGES.historyCommand(a)} shows what cardops did to it.`,
  // `why`: one of the activationLocked… or activationAgentHour sentences, in mrkdwn.
  activationBlocked: (a: { why: string }) => `:lock: ${a.why}`,
  activationNowLocked: (a: { checks: number }) =>
    `Activation of this card is now *locked*: it has had ${count(a.checks, 'card-in-hand check')}. An approver can clear the lock from the cardops Home tab.`,
  activationNowLockedUntil: (a: { until: string }) => `Activation of this card is now locked until *${a.until}*.`,
  activationLastCheck: (a: { checks: number; until: string }) =>
    `That was your last check for now (${count(a.checks, 'card-in-hand check')} within an hour): you may check again from *${a.until}*.`,
  activationLeftLife: (a: { left: number }) =>
    `${a.left} more ${a.left === 1 ? 'check locks' : 'checks lock'} its activation until an approver clears it.`,
  activationLeftAgent: (a: { left: number }) =>
    `You may make ${count(a.left, 'more check', 'more checks')} within this hour.`,
  activationLeftHour: (a: { left: number }) =>
    `${a.left} more failed ${a.left === 1 ? 'check locks' : 'checks lock'} its activation for an hour.`,
  activationNotActivated: (a: { cardId: string }) =>
    `:x: Card ${code(a.cardId)} was *not* activated: the details do not match, or the issuer would not activate it (it may already be active, blocked or cancelled, or not printed yet). Ask the cardholder to read them again from the card in hand; ${MESSAGES.historyCommand(a)} shows what cardops did to the card.`,
  activationFormNotOpened: (a: { command: string }) =>
    `:hourglass: The form could not be opened in time. Run ${code(a.command)} again.`,
  activationAlertCard: (a: { cardId: string; checks: number; by: string }) =>
    `:rotating_light: *Activation locked*: card ${code(a.cardId)} has had ${count(a.checks, 'card-in-hand check')} without being activated (the last by ${mentionUser(a.by)}). Nobody can check it again until an approver clears the lock from the cardops Home tab, once the cardholder is confirmed.`,
  activationAlertAgent: (a: { agent: string; checks: number; until: string }) =>
    `:rotating_light: *Activation checks paused*: ${mentionUser(a.agent)} has made ${count(a.checks, 'card-in-hand check')} within an hour, the most allowed. They may check again from ${a.until}.`,
  clearLockNoCard: () => ':grey_question: This button does not carry a card id.',
  clearLockNotLocked: (a: { cardId: string }) =>
    `:information_source: Activation of card ${code(a.cardId)} is not locked: nothing to clear.`,
  clearLockUnrecorded: (a: { cardId: string }) =>
    `:floppy_disk: The audit log could not be written, so the lock of card ${code(a.cardId)} stays. Tell the operator.`,
  clearLockDone: (a: { cardId: string; checks: number }) =>
    `:unlock: Activation lock of card ${code(a.cardId)} cleared: it may be checked ${a.checks} more ${a.checks === 1 ? 'time' : 'times'}.`,

  // --- `/card history` ----------------------------------------------------------------------
  historyNone: (a: { cardId: string }) => `cardops has no record of changing card ${code(a.cardId)}.`,
  historyHeading: (a: { cardId: string; count: number }) =>
    a.count === 1
      ? `*What cardops did to card ${code(a.cardId)}*: the one operation it recorded.`
      : `*What cardops did to card ${code(a.cardId)}*: the last ${a.count} operations, newest first.`,
  historyLiveExecuting: (a: { requestId: string; requester: string; by?: string | null | undefined }) =>
    `:arrows_counterclockwise: Cancel request ${code(a.requestId)} by ${mentionUser(a.requester)} was approved by ${approverOf(a.by)} and is being carried out now.`,
  historyLiveWaiting: (a: { requestId: string; requester: string; when: string }) =>
    `:inbox_tray: Cancel request ${code(a.requestId)} by ${mentionUser(a.requester)} is waiting for an approver; it expires ${a.when}.`,
  historyUnknownAdvice: () =>
    ':warning: Where the outcome is unknown, ask the issuer\u2019s support about the card with its trace id before trying again.',
  historyFromAudit: () => 'From the audit log: only what cardops itself did; the issuer was not asked.',
  historyOlder: (a: { cardId: string }) => `Older entries: a manager can run ${code(`/card-audit card:${a.cardId}`)}.`,
  // One operation of the history, how it ended; `op` as the audit log names it.
  historyEntryDone: (a: { op: string }) => `:white_check_mark: *${doneOp(a.op)}*`,
  historyEntryRefused: (a: { op: string }) => `:x: ${doingOp(a.op)} was refused by the issuer`,
  historyEntryCardNotFound: (a: { op: string }) => `:x: ${doingOp(a.op)} failed: the issuer does not know the card`,
  // `errorCode`: cardops' error code that starts the audit row's error, if any.
  historyEntryFailed: (a: { op: string; errorCode?: string | undefined }) =>
    `:x: ${doingOp(a.op)} failed${a.errorCode ? ` (${escapeMrkdwn(a.errorCode)})` : ''}`,
  historyEntryUnknown: (a: { op: string }) => `:question: ${doingOp(a.op)}: outcome *unknown*`,
  historyEntryNotActivated: () => ':x: Card-in-hand check: not activated',
  historyEntryNoOutcome: (a: { op: string }) => `:hourglass: ${doingOp(a.op)}: no outcome recorded yet`,
  // A line of the history: `when` already formatted, `entry` one of the historyEntry… texts.
  historyLine: (a: {
    when: string;
    entry: string;
    actor: string;
    requestId?: string | null | undefined;
    traceId?: string | null | undefined;
  }) =>
    `• ${[
      a.when,
      a.entry,
      `by ${mentionUser(a.actor)}`,
      ...(a.requestId ? [`request ${code(a.requestId)}`] : []),
      ...(a.traceId ? [`trace id ${code(a.traceId)}`] : []),
    ].join(' · ')}`,

  // --- reveals ------------------------------------------------------------------------------
  revealOffer: (a: { secret: SecretName; cardId: string; seconds: string }) =>
    `:lock: Press Reveal to fetch the ${SECRET_NAMES[a.secret]} of card ${code(a.cardId)} from the issuer. It will show for ${a.seconds}, to you only.`,
  revealButton: () => 'Reveal',
  revealed: (a: { secret: SecretName; cardId: string; shown: string }) =>
    `:unlock: The ${SECRET_NAMES[a.secret]} of card ${code(a.cardId)}: *${code(a.shown)}*`,
  revealedPanMasked: () => 'Masked to the first 6 and last 4 digits: your roles do not show the whole number.',
  revealedContext: (a: { seconds: string }) => `Shown to you only. It will be hidden in ${a.seconds}.`,
  revealedFallback: (a: { secret: SecretName; cardId: string; seconds: string }) =>
    `The ${SECRET_NAMES[a.secret]} of card ${code(a.cardId)} is shown to you for ${a.seconds}.`,
  revealHidden: (a: { secret: SecretName; cardId: string; seconds: string; early: boolean }) =>
    `:see_no_evil: ${a.early ? 'Hidden: cardops is restarting.' : `Hidden after ${a.seconds}.`} Run ${code(`/card ${a.secret} ${a.cardId}`)} again to see it.`,
  revealLimited: (a: { secret: SecretName; cardId: string; perHour: number }) =>
    `:raised_hand: Not shown: you have seen ${a.perHour === 1 ? '1 secret' : `${a.perHour} secrets`} (PAN, CVV, expiry, PIN) in the last hour, the most allowed per person. The limit resets as each of them turns an hour old: the ${SECRET_NAMES[a.secret]} of card ${code(a.cardId)} can be shown once the oldest does.`,
  revealStale: (a: { secret: SecretName; cardId: string }) =>
    `:hourglass: This Reveal button has expired, so nothing was shown. Run ${code(`/card ${a.secret} ${a.cardId}`)} again for a new one.`,
  revealUsed: () =>
    `:hourglass: This Reveal button is no longer valid: it was used already, or cardops did not make it. Nothing was shown. Run ${code('/card pan|cvv|expiry|pin <cardId>')} again for a new one.`,
  revealNotYours: () => ':no_entry: This Reveal button belongs to someone else. Nothing was shown.',

  // --- Home tab -----------------------------------------------------------------------------
  homeWaitingHeader: () => 'Cancel requests waiting for a decision',
  homeNothingWaiting: () => 'Nothing is waiting for you.',
  homeRequestTitle: (a: { requestId: string }) => `*Cancel request* ${code(a.requestId)}`,
  homeMoreWaiting: (a: { more: number; channel?: string | undefined }) =>
    `…and ${a.more} more${a.channel ? ` in ${mentionChannel(a.channel)}` : ''}.`,
  homeLocksHeader: () => 'Card activations locked',
  homeLock: (a: { cardId: string; checks: number; lockedAt: string }) =>
    `Card ${code(a.cardId)}: ${a.checks} card-in-hand checks without activation, locked ${a.lockedAt}. Clear it once the cardholder is confirmed.`,
  homeClearLockButton: () => 'Clear lock',
  homeClearLockTitle: () => 'Clear the lock?',
  homeClearLockText: (a: { cardId: string }) => `Card ${code(a.cardId)} may then be checked again.`,
  homeBack: () => 'Back',
  homeUnknownHeader: () => 'Outcome unknown: check at the issuer',
  homeRequestLine: (a: { requestId: string; cardId: string; outcome: string }) =>
    `${code(a.requestId)} card ${code(a.cardId)}: ${a.outcome}`,
  homeAuditHeader: () => 'Audit log',
  homeAudit: () =>
    `${code('/card-audit [filters]')} shows the newest matching events, to you only; ${code('/card-audit export')} sends them as a CSV file, ${code('/card-audit verify')} checks the log.`,
  homeNoRole: () =>
    `You hold no cardops role, so there is nothing for you to do here. ${code('/card whoami')} shows this; ask your team lead if you need access.`,
  homeOwnHeader: () => 'Your recent cancel requests',
  homeOwnNone: () => `You have filed none. ${code('/card cancel <cardId> <reason>')} files one.`,
} as const;

export type MessageKey = keyof typeof MESSAGES;
