import { describe, expect, it } from 'vitest';
import { AUDIT_FILTER_KEYS, AUDIT_FILTER_USAGE } from '../../src/domain/audit/audit-filters.js';
import { CARD_OPS, POLICY_OPS, STATE_CHANGING_OPS } from '../../src/domain/ops.js';
import { type ISSUER_NAMES, type IssuerName, MESSAGES, type MessageKey } from '../../src/messages.js';

/** What differs between the two issuer dialects in what cardops says. */
interface Dialect {
  provider: keyof typeof ISSUER_NAMES;
  issuer: IssuerName;
  /** Sovera answers carry a trace id; PayCaddy's do not. */
  traceId: string | undefined;
  issuerMessage: string;
}

const DIALECTS: Dialect[] = [
  { provider: 'sovera', issuer: 'Sovera', traceId: 'tr-9f2c41', issuerMessage: 'Card is already blocked' },
  { provider: 'paycaddy', issuer: 'PayCaddy', traceId: undefined, issuerMessage: 'The card is already blocked.' },
];

type Catalogue = typeof MESSAGES;
type ArgsOf<K extends MessageKey> = Parameters<Catalogue[K]>[0];

/**
 * Sample arguments for every message that takes any, per dialect. A message added to the
 * catalogue with arguments and no sample here fails the test below; several samples per key
 * cover its branches (one role or several, none allowed, a count of one).
 */
const SAMPLES: { [K in MessageKey]?: (d: Dialect) => ArgsOf<K>[] } = {
  traceLine: (d) => [{ traceId: d.traceId ?? 'pc-none' }],
  historyCommand: () => [{ cardId: 'card-active-1' }],
  unknownOutcomeAdvice: () => [{ cardId: 'card-active-1' }],
  amountTooLarge: () => [{ max: 1_000_000_000 }],
  unknownOp: () => [
    { typed: 'blok', ops: CARD_OPS, suggestion: 'block card-1' },
    { typed: 'frobnicate', ops: CARD_OPS },
  ],
  cardIdInvalid: () => [{ typed: 'card#1' }],
  cardIdOnly: () => [{ op: 'pan' }, { op: 'change-pin' }, { op: 'history' }],
  reasonTooLong: () => [{ max: 300 }],
  notInThisVersion: () => [{ op: 'block' }],
  whyNobodyMay: () => POLICY_OPS.map((op) => ({ op })),
  whyRole: () => [
    { op: 'pan', needed: ['senior'], roles: ['agent'] },
    { op: 'block', needed: ['agent', 'senior'], roles: [] },
    { op: 'block', needed: ['agent'], roles: [], staleNote: MESSAGES.staleGroups({ groups: ['S0SUPPORT'] }) },
  ],
  staleGroups: () => [{ groups: ['S0SUPPORT'] }],
  whyChannel: () => [
    { op: 'pan', here: 'this channel', elsewhere: ['<#C0SECURE>'] },
    { op: 'block', here: 'a direct message with the bot', elsewhere: [] },
  ],
  refused: () => [{ message: 'You need the role `senior` to see card numbers.' }],
  refusedNotOffered: (d) => [{ op: 'set-limit', issuer: d.issuer }],
  refusedDecideOwn: () => [{ requestId: 'CR-7KQ2M9XA' }],
  refusedDecideNotApprover: () => [
    { approverRoles: ['approver'] },
    { approverRoles: ['approver', 'senior'] },
    { approverRoles: [] },
  ],
  refusedWithdraw: () => [{ requester: 'U0AGENT01', requestId: 'CR-7KQ2M9XA' }],
  refusedClearLock: () => [{ approverRoles: ['approver'] }],
  refusedAudit: () => [
    { auditRoles: ['manager'], roles: ['agent'] },
    { auditRoles: [], roles: [] },
  ],
  stateChangeDone: () => POLICY_OPS.map((op) => ({ op, cardId: 'card-active-1' })),
  reasonMasked: () => [{ reason: 'lost, card 4929 87** **** 0986' }],
  limitNone: () => [{ cardId: 'card-active-3' }],
  limitShown: () => [{ cardId: 'card-active-3', amount: '1,500' }],
  limitSet: () => [
    { cardId: 'card-active-3', amount: '2,000' },
    { cardId: 'card-active-3', amount: null },
  ],
  opStateConflict: (d) => [
    { op: 'block', cardId: 'card-blocked-1', issuerMessage: d.issuerMessage },
    { op: 'unblock', cardId: 'card-active-1' },
  ],
  opCardNotFound: () => [{ cardId: 'card-nope' }],
  opGatewayUnknown: () => [{ op: 'block', cardId: 'card-active-1' }],
  opIssuerFailed: () => [{ op: 'block', cardId: 'card-active-1' }],
  opIssuerAuth: () => [{ op: 'block', cardId: 'card-active-1' }],
  opTimeoutUnknown: () => [{ op: 'block', cardId: 'card-active-1' }],
  opTimeout: () => [{ op: 'pan', cardId: 'card-active-1' }],
  opConnectionBrokeUnknown: () => [{ op: 'block', cardId: 'card-active-1' }],
  opUnreachable: () => [{ op: 'block', cardId: 'card-active-1' }],
  opMalformedUnknown: () => [{ op: 'block', cardId: 'card-active-1' }],
  opMalformed: () => [{ op: 'limit', cardId: 'card-active-1' }],
  opNotOffered: (d) => [{ message: MESSAGES.limitsNotOffered({ provider: d.provider }) }],
  opWrongCardUnknown: () => [{ op: 'block', cardId: 'card-active-1' }],
  opWrongCard: () => [{ op: 'cvv', cardId: 'card-active-1' }],
  limitsNotOffered: (d) => [{ provider: d.provider }],
  limitRemoveAsk: () => [
    { cardId: 'card-active-3', minutes: 5 },
    { cardId: 'card-active-3', minutes: 1 },
  ],
  limitRemoveExpired: () => [{ cardId: 'card-active-3' }],
  limitRemoveUsed: () => [{ cardId: 'card-active-3' }],
  opAuditUnavailable: () => [{ op: 'block', cardId: 'card-active-1' }],
  opOtherError: () => [{ message: 'Too many requests.' }],
  problem: () => [{ problem: 'A card id is needed.' }],
  usageOf: () => POLICY_OPS.map((op) => ({ op })),
  usageGeneral: () => [{ allowed: ['block', 'unblock'] }, { allowed: [] }],
  helpNothingHere: () => [{ channel: 'C0RANDOM' }, { channel: 'dm' }],
  helpHeading: () => [{ channel: 'C0SUPPORT' }, { channel: 'dm' }],
  helpOpLine: () => POLICY_OPS.map((op) => ({ op })),
  helpApproving: () => [{ channel: 'C0APPROVE' }, {}],
  helpElsewhere: () => [
    { channels: ['C0SUPPORT', 'dm'], none: true },
    { channels: ['C0SECURE'], none: false },
  ],
  auditPageHeading: () => [
    { page: 1, count: 1, described: 'all events' },
    { page: 1, count: 20, described: 'card `card-active-1`' },
    { page: 2, count: 1, described: 'all events' },
  ],
  auditPageContext: () => [
    { first: 7, last: 7, more: false },
    { first: 40, last: 21, more: true },
  ],
  auditPageFallback: () => [{ page: 1, count: 1, described: 'all events' }],
  auditExportStarted: () => [
    { count: 1, described: 'all events' },
    { count: 1234, described: 'all events' },
  ],
  auditExportDone: () => [{ rows: 1, fileName: 'cardops-audit.csv' }],
  auditExportComment: () => [{ rows: 1, described: 'all events' }],
  auditFilterDescribed: () => [
    {},
    {
      user: 'U0MANAGER',
      cardId: 'card-active-1',
      op: 'pan',
      outcome: 'ok',
      channel: '<#C0SUPPORT>',
      since: '2026-05-01 00:00:00 UTC',
      before: '2026-05-31 00:00:00 UTC',
    },
    { channel: 'a direct message' },
  ],
  auditEvent: () => [
    {
      id: 41,
      when: '2026-05-21 10:15:03 UTC',
      actor: 'U0AGENT01',
      op: 'block',
      cardId: 'card-active-1',
      outcome: 'ok',
      where: '<#C0SUPPORT>',
      reason: 'lost <wallet>',
      error: 'STATE_CONFLICT: Card is already blocked',
      requestId: 'CR-7KQ2M9XA',
      traceId: 'tr-9f2c41',
    },
    {
      id: 42,
      when: '2026-05-21 10:16:00 UTC',
      actor: 'U0MANAGER',
      op: 'audit',
      cardId: null,
      outcome: 'queried',
      where: 'a direct message',
      reason: '',
      error: null,
      requestId: null,
      traceId: null,
    },
  ],
  auditNoMatch: () => [
    { page: 1, described: 'all events' },
    { page: 2, described: 'card `card-active-1`' },
  ],
  auditFilters: () => [{ usages: AUDIT_FILTER_KEYS.map((key) => AUDIT_FILTER_USAGE[key]) }],
  auditExportEmpty: () => [{ described: 'op `pan`' }],
  auditExportFailed: () => [{ step: 'files.completeUploadExternal', problem: 'not_in_channel' }],
  auditFilterUsage: () =>
    AUDIT_FILTER_KEYS.map((key) => ({ key, ops: ['block', 'pan', 'approval'], outcomes: ['ok', 'denied'] })),
  auditFilterNotFilter: () => [{ shown: 'pan' }],
  auditFilterUnknownKey: () => [{ shown: 'when', keys: AUDIT_FILTER_KEYS }],
  auditFilterTwice: () => [{ key: 'op' }],
  auditFilterNeedsValue: () => [{ key: 'card', example: 'card:<cardId>' }],
  auditFilterBadValue: () => [{ key: 'since' }],
  auditFilterUserName: () => [{ shown: '@alice' }],
  auditFilterNotUser: () => [{ shown: 'alice' }],
  auditFilterChannelName: () => [{ shown: '#support' }],
  auditFilterNotChannel: () => [{ shown: 'support' }],
  auditFilterCard: () => [{ problem: 'A card id has letters, digits and dashes only.' }],
  auditFilterNotOp: () => [{ shown: 'blok', ops: ['block', 'unblock'] }],
  auditFilterNotOutcome: () => [{ shown: 'done', outcomes: ['ok', 'failed'] }],
  auditFilterNotTime: () => [
    { key: 'since', shown: 'yesterday' },
    { key: 'until', shown: '31/05' },
  ],
  auditVerifyHolds: () => [{ checked: 1 }, { checked: 0 }, { checked: 12_345 }],
  auditVerifyCut: () => [
    { after: 1, upTo: 4, checked: 1 },
    { after: 0, upTo: 3, checked: 0 },
    { after: 120, upTo: 125, checked: 120 },
  ],
  auditVerifyBroken: () =>
    (['edited', 'deleted-before', 'reordered', 'bad-link'] as const).flatMap((problem) => [
      { row: 1, problem, checked: 0 },
      { row: 2, problem, checked: 1 },
      { row: 1501, problem, checked: 1500 },
    ]),
  auditCheckpointSource: () => [
    { source: 'channel', checkpoints: 1 },
    { source: 'file', checkpoints: 12, partial: true },
    { source: 'channel', checkpoints: undefined, problem: 'missing_scope <channels:history>' },
    { source: 'file', checkpoints: undefined },
  ],
  auditCheckpointsRead: () => [
    { sources: ['3 from the anchor channel'], valid: 3, key: 'ed25519:9f2c41', unverifiable: 0 },
    {
      sources: ['1 from the checkpoint file', 'the anchor channel could not be read (unavailable)'],
      valid: 1,
      key: 'ed25519:9f2c41',
      unverifiable: 1,
    },
  ],
  auditCheckpointContradicts: () =>
    (['row-missing', 'hash-differs', 'other-log'] as const).map((kind) => ({
      number: 2,
      time: '2026-05-21 10:15:03 UTC',
      key: 'ed25519:9f2c41',
      kind,
      row: 40,
    })),
  auditCheckpointStillMatch: () => [
    { row: 20, number: 1 },
    { row: 1, number: 1 },
  ],
  auditCheckpointProven: () => [
    { row: 40, number: 2, time: '2026-05-21 10:15:03 UTC', key: 'ed25519:9f2c41', total: 40 },
    { row: 40, number: 2, time: '2026-05-21 10:15:03 UTC', key: 'ed25519:9f2c41', total: 57 },
    { row: 1, number: 1, time: '2026-05-21 10:15:03 UTC', key: 'ed25519:9f2c41', total: 2 },
  ],
  auditCheckpointMatch: () => [
    { row: 40, number: 2 },
    { row: 1, number: 1 },
  ],
  approvalWaiting: () => [{ when: '<!date^1764842400^{date_short_pretty} {time}|2026-12-04 10:00 UTC>' }],
  approvalExecuting: () => [{ by: 'U0ONCALL1', cardId: 'card-active-1' }],
  approvalDone: () => [{ by: 'U0ONCALL1', cardId: 'card-active-1' }, { cardId: 'card-active-1' }],
  approvalFailed: (d) => [
    { by: 'U0ONCALL1', cardId: 'card-active-1', error: d.issuerMessage },
    { by: 'U0ONCALL1', cardId: 'card-active-1' },
  ],
  approvalUnknown: () => [{ by: 'U0ONCALL1', cardId: 'card-active-1' }],
  approvalRejected: () => [
    { by: 'U0ONCALL1', cardId: 'card-active-1', reason: 'wrong card' },
    { by: 'U0ONCALL1', cardId: 'card-active-1' },
  ],
  approvalWithdrawn: () => [{ requester: 'U0AGENT01', cardId: 'card-active-1' }],
  approvalExpired: () => [{ when: '2026-12-04 10:00 UTC', cardId: 'card-active-1' }],
  approvalTitle: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1' }],
  approvalFallbackWaiting: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', requester: 'U0AGENT01' }],
  approvalFallbackOutcome: () => [
    { requestId: 'CR-7KQ2M9XA', outcome: 'Approved by <@U0ONCALL1>: card `card-active-1` is *cancelled*.' },
  ],
  cancelRequested: () => [
    { requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', channel: 'C0APPROVE', when: '2026-12-04 10:00 UTC' },
    { requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', when: '2026-12-04 10:00 UTC' },
  ],
  cancelLimitedLive: () => [
    { limit: 1, when: '2026-12-04 10:00 UTC' },
    { limit: 5, when: '2026-12-04 10:00 UTC' },
  ],
  cancelLimitedHour: () => [{ limit: 20, when: '2026-12-04 10:00 UTC' }],
  reminder: () => [
    {
      mentions: ['<!subteam^S0ONCALL>'],
      requestId: 'CR-7KQ2M9XA',
      cardId: 'card-active-1',
      when: '2026-12-04 10:00 UTC',
    },
    { mentions: [], requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', when: '2026-12-04 10:00 UTC' },
  ],
  approvalLateOutcome: () => [
    { requestId: 'CR-7KQ2M9XA', outcome: 'Approved by <@U0ONCALL1>: card `card-active-1` is *cancelled*.' },
  ],
  withdrawConfirmText: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1' }],
  approveConfirmText: () => [{ cardId: 'card-active-1' }],
  fieldCard: () => [{ cardId: 'card-active-1' }],
  fieldRequestedBy: () => [{ requester: 'U0AGENT01' }],
  fieldReason: () => [{ reason: 'stolen <wallet>' }, { reason: '' }],
  fieldExpires: () => [{ when: '2026-12-04 10:00 UTC' }],
  requestOutcome: () => [{ requestId: 'CR-7KQ2M9XA', outcome: 'Waiting for an approver.' }],
  decisionUnrecorded: () => [{ requestId: 'CR-7KQ2M9XA' }],
  withdrawUnrecorded: () => [{ requestId: 'CR-7KQ2M9XA' }],
  closedExpired: () => [{ requestId: 'CR-7KQ2M9XA', when: '2026-12-04 10:00 UTC' }],
  closedExecuting: () => [{ requestId: 'CR-7KQ2M9XA', by: 'U0ONCALL1' }, { requestId: 'CR-7KQ2M9XA' }],
  closedUnknown: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', by: 'U0ONCALL1' }],
  closedVoid: () => [{ requestId: 'CR-7KQ2M9XA' }],
  closedWithdrawn: () => [{ requestId: 'CR-7KQ2M9XA', requester: 'U0AGENT01' }],
  closedRejected: () => [{ requestId: 'CR-7KQ2M9XA', by: 'U0ONCALL2' }],
  closedApproved: () => [
    { requestId: 'CR-7KQ2M9XA', by: 'U0ONCALL2', outcome: 'Card `card-active-1` is *cancelled*.' },
  ],
  activateIntro: () => [{ cardId: 'card-printed-1' }],
  changePinIntro: () => [{ cardId: 'card-active-3' }],
  reasonAtMost: () => [{ max: 300 }],
  activationLockedForLife: () => [{ card: '`card-printed-1`', checks: 5 }],
  activationLockedHour: () => [{ card: 'card-printed-1', until: '11:00 UTC', max: 3 }],
  activationAgentHour: () => [
    { checks: 1, until: '11:00 UTC' },
    { checks: 10, until: '11:00 UTC' },
  ],
  activationPast: () =>
    ['activate', 'block', 'unblock', 'cancel'].map((op) => ({
      cardId: 'card-active-1',
      op,
      when: '2026-12-04 10:00 UTC',
      by: 'U0AGENT01',
    })),
  activationBlocked: () => [
    { why: MESSAGES.activationLockedForLife({ card: '`card-printed-1`', checks: 5 }) },
    { why: MESSAGES.activationAgentHour({ checks: 10, until: '*11:00 UTC*' }) },
  ],
  activationNowLocked: () => [{ checks: 5 }],
  activationNowLockedUntil: () => [{ until: '11:00 UTC' }],
  activationLastCheck: () => [{ checks: 1, until: '11:00 UTC' }],
  activationLeftLife: () => [{ left: 1 }, { left: 2 }],
  activationLeftAgent: () => [{ left: 1 }, { left: 4 }],
  activationLeftHour: () => [{ left: 1 }, { left: 2 }],
  activationNotActivated: () => [{ cardId: 'card-printed-1' }],
  activationFormNotOpened: () => [{ command: '/card activate card-printed-1' }],
  activationAlertCard: () => [{ cardId: 'card-printed-1', checks: 5, by: 'U0AGENT01' }],
  activationAlertAgent: () => [{ agent: 'U0AGENT01', checks: 10, until: '11:00 UTC' }],
  clearLockNotLocked: () => [{ cardId: 'card-printed-1' }],
  clearLockUnrecorded: () => [{ cardId: 'card-printed-1' }],
  clearLockDone: () => [
    { cardId: 'card-printed-1', checks: 1 },
    { cardId: 'card-printed-1', checks: 5 },
  ],
  cancelAlreadyPending: () => [
    {
      cardId: 'card-active-1',
      requestId: 'CR-7KQ2M9XA',
      requester: 'U0AGENT01',
      executing: false,
      channel: 'C0APPROVE',
      when: '10:00',
    },
    {
      cardId: 'card-active-1',
      requestId: 'CR-7KQ2M9XA',
      requester: 'U0AGENT01',
      executing: true,
      by: 'U0ONCALL1',
      when: '10:00',
    },
  ],
  cancelNotPosted: () => [
    { problem: 'not_in_channel', channel: 'C0APPROVE', error: 'not_in_channel' },
    { problem: 'channel_not_found', channel: 'C0GONE', error: 'channel_not_found' },
    { problem: 'other', channel: 'C0APPROVE', error: 'ratelimited' },
  ],
  yourRequestDone: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', by: 'U0ONCALL1' }],
  yourRequestFailed: (d) => [
    { requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', by: 'U0ONCALL1', error: d.issuerMessage },
  ],
  yourRequestNeverPosted: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1' }],
  yourRequestUnknown: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', by: 'U0ONCALL1' }],
  yourRequestRejected: () => [
    { requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', by: 'U0ONCALL1', reason: 'wrong card' },
    { requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', by: 'U0ONCALL1' },
  ],
  yourRequestExpired: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1' }],
  yourRequestWithdrawn: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1' }],
  yourRequestOther: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', outcome: 'Waiting for an approver.' }],
  historyNone: () => [{ cardId: 'card-active-4' }],
  historyHeading: () => [
    { cardId: 'card-active-1', count: 1 },
    { cardId: 'card-active-1', count: 10 },
  ],
  historyLiveExecuting: () => [{ requestId: 'CR-7KQ2M9XA', requester: 'U0AGENT01', by: 'U0ONCALL1' }],
  historyLiveWaiting: () => [{ requestId: 'CR-7KQ2M9XA', requester: 'U0AGENT01', when: '10:00 UTC' }],
  historyOlder: () => [{ cardId: 'card-active-1' }],
  historyEntryDone: () => [...STATE_CHANGING_OPS, 'some-new-op'].map((op) => ({ op })),
  historyEntryRefused: () => STATE_CHANGING_OPS.map((op) => ({ op })),
  historyEntryCardNotFound: () => [{ op: 'block' }, { op: 'unblock-pin' }],
  historyEntryFailed: () => [
    { op: 'block', errorCode: 'ISSUER_FAILURE' },
    { op: 'set-limit', errorCode: '' },
    { op: 'change-pin' },
  ],
  historyEntryUnknown: () => STATE_CHANGING_OPS.map((op) => ({ op })),
  historyEntryNoOutcome: () => [{ op: 'cancel' }, { op: 'some-new-op' }],
  historyLine: () => [
    {
      when: '<!date^1764842400^{date_short_pretty} {time}|2026-12-04 10:00 UTC>',
      entry: MESSAGES.historyEntryDone({ op: 'cancel' }),
      actor: 'U0AGENT01',
      requestId: 'CR-7KQ2M9XA',
      traceId: 'tr-9f2c41',
    },
    { when: '2026-12-04 10:00 UTC', entry: MESSAGES.historyEntryNotActivated(), actor: 'U0AGENT01' },
  ],
  whoami: () => [
    { userId: 'U0AGENT01', roles: ['agent'], allowed: ['block', 'history'], channel: 'C0SUPPORT' },
    { userId: 'U0STRANGE', roles: [], allowed: [], channel: 'dm' },
  ],
  rejectIntro: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1' }],
  revealOffer: () => [{ secret: 'pan', cardId: 'card-active-1', seconds: '60 s' }],
  revealed: () => [{ secret: 'cvv', cardId: 'card-active-1', shown: '913' }],
  revealedContext: () => [{ seconds: '60 s' }],
  revealedFallback: () => [{ secret: 'expiry', cardId: 'card-active-1', seconds: '60 s' }],
  revealHidden: () => [
    { secret: 'pin', cardId: 'card-active-1', seconds: '60 s', early: false },
    { secret: 'pin', cardId: 'card-active-1', seconds: '60 s', early: true },
  ],
  revealLimited: () => [
    { secret: 'pan', cardId: 'card-active-1', perHour: 20 },
    { secret: 'pin', cardId: 'card-active-1', perHour: 1 },
  ],
  revealStale: () => [{ secret: 'pan', cardId: 'card-active-1' }],
  homeRequestTitle: () => [{ requestId: 'CR-7KQ2M9XA' }],
  homeMoreWaiting: () => [{ more: 3, channel: 'C0APPROVE' }, { more: 1 }],
  homeLock: () => [{ cardId: 'card-printed-1', checks: 5, lockedAt: '2026-12-04 09:00 UTC' }],
  homeClearLockText: () => [{ cardId: 'card-printed-1' }],
  homeRequestLine: () => [{ requestId: 'CR-7KQ2M9XA', cardId: 'card-active-1', outcome: 'Waiting for an approver.' }],
};

/** Every message of the catalogue, rendered with each of its samples for one dialect. */
function renderAll(dialect: Dialect): { key: string; text: string }[] {
  const rendered: { key: string; text: string }[] = [];
  for (const key of Object.keys(MESSAGES) as MessageKey[]) {
    const message = MESSAGES[key] as (args?: unknown) => string;
    const samples = (SAMPLES[key] as ((d: Dialect) => unknown[]) | undefined)?.(dialect);
    if (samples === undefined) {
      if (message.length > 0) throw new Error(`message ${key} takes arguments but has no sample in this test`);
      rendered.push({ key, text: message() });
      continue;
    }
    for (const args of samples) rendered.push({ key, text: message(args) });
  }
  return rendered;
}

describe('the message catalogue', () => {
  for (const dialect of DIALECTS) {
    describe(`when every message is rendered for ${dialect.issuer}`, () => {
      const rendered = renderAll(dialect);

      it('then each is non-empty text with no undefined, NaN or [object Object] in it', () => {
        for (const { key, text } of rendered) {
          expect(typeof text, key).toBe('string');
          expect(text.trim().length, key).toBeGreaterThan(0);
          expect(text, key).not.toMatch(/undefined|NaN|\[object Object\]|null/);
        }
      });

      it('then no sentence uses an op name as a noun ("block of card …")', () => {
        const ops = [...POLICY_OPS].sort((a, b) => b.length - a.length).join('|');
        // "the limit of card" is a noun phrase of its own; "limit of card" alone is the op as a noun.
        const opAsNoun = new RegExp(`(?<![a-z-]|the )(${ops}) (of|on) card`, 'i');
        for (const { key, text } of rendered) expect(text, key).not.toMatch(opAsNoun);
      });

      it('then a role name always looks the same: as code', () => {
        for (const { key, text } of rendered) {
          expect(text, key).not.toMatch(/\bthe roles? (?!`)[a-z]/);
          expect(text, key).not.toMatch(/\bYour roles: (?!`)/);
        }
      });

      it('then every refusal ends the same way: recorded, and whom to ask', () => {
        const refusals = rendered.filter(({ key }) => key.startsWith('refused'));
        expect(refusals.length).toBeGreaterThan(5);
        for (const { key, text } of refusals)
          expect(text, key).toMatch(/ This was recorded in the audit log; ask [^.]+\.$/);
      });

      it('then counts of one are singular ("1 secret", never "1 secrets")', () => {
        for (const { key, text } of rendered)
          expect(text, key).not.toMatch(
            /\b1 ([a-z-]+ )?(events|rows|secrets|checks|requests|cards|minutes|hours|seconds|attempts|operations)\b/i,
          );
      });

      it('then no label says "(optional)" (Slack marks optional inputs itself) and nothing not yet fetched "is ready"', () => {
        for (const { key, text } of rendered) {
          expect(text, key).not.toContain('(optional)');
          expect(text, key).not.toMatch(/\bis ready\b/);
        }
      });

      it('then limits say when they reset, a too-large amount says too large, and an expired Reveal says how to ask again', () => {
        const text = (key: MessageKey) =>
          rendered
            .filter((r) => r.key === key)
            .map((r) => r.text)
            .join('\n');
        expect(text('revealLimited')).toMatch(/resets/);
        expect(text('cancelLimitedLive')).toMatch(/frees up when/);
        expect(text('cancelLimitedHour')).toMatch(/resets/);
        expect(text('auditPageHeading')).toContain('the newest event matching');
        expect(text('auditVerifyHolds')).toContain('The hash chain of the one row recomputes');
        expect(text('auditVerifyHolds')).toContain('The audit log has no rows yet');
        expect(text('auditVerifyHolds')).not.toMatch(/all [01] rows/);
        expect(text('auditVerifyCut')).toContain('The one row before them was checked and holds.');
        expect(text('auditVerifyBroken')).toContain('The one row before it was checked and holds.');
        expect(text('auditVerifyBroken')).toContain('There is no row before it.');
        expect(text('auditVerifyBroken')).toContain('The 1,500 rows before it were checked and hold.');
        expect(text('auditCheckpointProven')).toContain('Row 1 matches checkpoint 1');
        expect(text('auditCheckpointProven')).toContain('Row #2, after it, is not yet anchored');
        expect(`${text('auditCheckpointMatch')}\n${text('auditCheckpointStillMatch')}`).not.toMatch(/Rows 1–1\b/);
        expect(text('auditNoMatch')).toContain('No older audit events match');
        expect(text('amountTooLarge')).toMatch(/too large/);
        expect(text('revealStale')).toMatch(/expired.*Run `\/card pan card-active-1` again/);
        expect(text('unknownOp')).toMatch(/Did you mean \/card block card-1\?/);
        expect(text('refusedNotOffered')).toContain(`not offered by ${dialect.issuer}`);
      });

      it('then a bad card id is echoed back, escaped for Slack', () => {
        const shown = MESSAGES.problem({ problem: MESSAGES.cardIdInvalid({ typed: '<!channel>&x' }) });
        expect(shown).toContain('"&lt;!channel&gt;&amp;x" is not a valid card id');
      });

      it('then every sample given is used by a message that exists', () => {
        for (const key of Object.keys(SAMPLES)) expect(Object.keys(MESSAGES), key).toContain(key);
      });
    });
  }
});
