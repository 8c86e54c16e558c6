import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApprovalsStore } from '../../src/adapters/sqlite/approvals-store.js';
import { createAuditStore } from '../../src/adapters/sqlite/audit-store.js';
import { closeDatabase, type Database, openDatabase } from '../../src/adapters/sqlite/database.js';
import type { Actor, ApprovalDeps, ApprovalNotifier, PostResult } from '../../src/domain/approvals/approval-ports.js';
import { refusalFor, standingOf } from '../../src/domain/approvals/approval-rules.js';
import type { ApprovalRequest, ApprovalsStore } from '../../src/domain/approvals/approval-types.js';
import { approveCancel } from '../../src/domain/approvals/approve-cancel.js';
import { recoverInterrupted } from '../../src/domain/approvals/recover-interrupted.js';
import { rejectCancel } from '../../src/domain/approvals/reject-cancel.js';
import { requestCancel } from '../../src/domain/approvals/request-cancel.js';
import { sweepExpired } from '../../src/domain/approvals/sweep-expired.js';
import type { AuditStore } from '../../src/domain/audit/audit-types.js';
import type { CardIssuer, CardStateResult } from '../../src/domain/cards/card-issuer.js';
import { type Policy, parsePolicy } from '../../src/domain/policy/policy-schema.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';

const POLICY_YAML = `
roles:
  agent: { users: [U0AGENT01] }
  approver: { users: [U0ONCALL1, U0ONCALL2] }
operations:
  cancel: [agent]
channels:
  C0SUPPORT: [cancel]
approvals:
  cancel: { approvers: [approver], channel: C0APPROVE, ttl: 30m }
`;

function policy(): Policy {
  const parsed = parsePolicy(POLICY_YAML);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.policy;
}

const actor = (id: string, roles: string[], channelId = 'C0APPROVE'): Actor => ({
  actor: id,
  teamId: 'T1',
  channelId,
  roles,
  policy: policy(),
});
const ALICE = actor('U0AGENT01', ['agent'], 'C0SUPPORT');
const DAVE = actor('U0ONCALL1', ['approver']);
const ERIN = actor('U0ONCALL2', ['approver']);

/** Records what the workflow showed, and posts wherever it is told. */
function recordingNotifier(post: PostResult = { ok: true, channel: 'C0APPROVE', ts: '1.000001' }) {
  const shown: { kind: string; id: string; state: string }[] = [];
  const notifier: ApprovalNotifier = {
    async post(request) {
      shown.push({ kind: 'post', id: request.id, state: request.state });
      return post;
    },
    async refresh(request) {
      shown.push({ kind: 'refresh', id: request.id, state: request.state });
    },
    async tellRequester(request) {
      shown.push({ kind: 'tell', id: request.id, state: request.state });
    },
    async remind(request) {
      shown.push({ kind: 'remind', id: request.id, state: request.state });
    },
    async noteLateOutcome(request) {
      shown.push({ kind: 'late', id: request.id, state: request.state });
    },
  };
  return { notifier, shown };
}

function issuerAnswering(cancel: (cardId: string) => Promise<CardStateResult>) {
  const calls: string[] = [];
  const issuer = {
    provider: 'sovera',
    offers: () => true,
    cancel: async (cardId: string) => {
      calls.push(cardId);
      return cancel(cardId);
    },
  } as unknown as CardIssuer;
  return { issuer, calls };
}

describe('approval domain', () => {
  let db: Database;
  let audit: AuditStore;
  let approvals: ApprovalsStore;
  let t: number;
  const now = () => new Date(t);

  beforeEach(() => {
    t = Date.parse('2026-05-01T10:00:00.000Z');
    db = openDatabase(':memory:');
    audit = createAuditStore(db, { now });
    approvals = createApprovalsStore(db, { now });
  });
  afterEach(async () => {
    await audit.close();
    closeDatabase(db);
  });

  const deps = (issuer: CardIssuer, overrides: Partial<ApprovalDeps> = {}): ApprovalDeps => ({
    approvals,
    audit,
    issuer,
    logger: createLogger({ level: 'silent' }),
    now,
    ...overrides,
  });

  async function filed(d: ApprovalDeps): Promise<ApprovalRequest> {
    const result = await requestCancel(d, recordingNotifier().notifier, ALICE, { cardId: 'card-1', reason: 'stolen' });
    if (result.kind !== 'filed') throw new Error(`not filed: ${result.kind}`);
    return result.request;
  }

  const outcomes = async (id: string) =>
    (await audit.query({}, { limit: 100 })).rows
      .filter((r) => r.approvalId === id)
      .reverse()
      .map((r) => r.outcome);

  it('when the approved row cannot be written, then the issuer is not called and the request ends failed', async () => {
    const { issuer, calls } = issuerAnswering(async (cardId) => ({ cardId, isActive: false }));
    const request = await filed(deps(issuer));
    const failing = {
      ...audit,
      append: async (event: Parameters<AuditStore['append']>[0]) => {
        if (event.outcome === 'approved') throw new AppError('AUDIT_UNAVAILABLE', 'disk full');
        return audit.append(event);
      },
    };
    const { notifier, shown } = recordingNotifier();
    const result = await approveCancel(deps(issuer, { audit: failing }), notifier, DAVE, request.id);
    expect(result.kind).toBe('approved');
    expect(calls).toEqual([]);
    expect((await approvals.get(request.id))?.state).toBe('failed');
    expect((await approvals.get(request.id))?.error).toMatch(/audit log could not be written/);
    expect(shown.map((s) => `${s.kind}:${s.state}`)).toEqual(['refresh:failed', 'tell:failed']);
  });

  it('when the issuer times out during the cancel, then the request is unknown with the trace id and never retried', async () => {
    const { issuer, calls } = issuerAnswering(async () => {
      throw new AppError('ISSUER_TIMEOUT', 'timeout', { outcome: 'unknown', traceId: 'trace-42' });
    });
    const request = await filed(deps(issuer));
    const { notifier, shown } = recordingNotifier();
    await approveCancel(deps(issuer), notifier, DAVE, request.id);
    const again = await approveCancel(deps(issuer), notifier, ERIN, request.id);
    expect(calls).toEqual(['card-1']);
    expect(await approvals.get(request.id)).toMatchObject({
      state: 'unknown',
      traceId: 'trace-42',
      decidedBy: DAVE.actor,
    });
    expect(again).toMatchObject({ kind: 'closed', standing: 'unknown' });
    expect(await outcomes(request.id)).toEqual(['requested', 'approved', 'started', 'unknown']);
    expect(shown.map((s) => `${s.kind}:${s.state}`)).toEqual(['refresh:executing', 'refresh:unknown', 'tell:unknown']);
  });

  it('when the requested row cannot be written, then nothing is posted and no request stays pending', async () => {
    const { issuer } = issuerAnswering(async (cardId) => ({ cardId }));
    const failing = {
      ...audit,
      append: async () => {
        throw new AppError('AUDIT_UNAVAILABLE', 'disk full');
      },
    };
    const { notifier, shown } = recordingNotifier();
    const result = await requestCancel(deps(issuer, { audit: failing }), notifier, ALICE, {
      cardId: 'card-1',
      reason: 'x',
    });
    expect(result.kind).toBe('audit-unavailable');
    expect(shown).toEqual([]);
    expect(await approvals.pendingForCard('card-1')).toBeUndefined();
  });

  it('when a request is rejected, then a later reject or approve finds it closed and the issuer is never called', async () => {
    const { issuer, calls } = issuerAnswering(async (cardId) => ({ cardId }));
    const request = await filed(deps(issuer));
    expect(await rejectCancel(deps(issuer), ERIN, request.id, null)).toMatchObject({ kind: 'rejected' });
    expect(await rejectCancel(deps(issuer), DAVE, request.id, 'me too')).toMatchObject({
      kind: 'closed',
      standing: 'decided',
    });
    expect(await approveCancel(deps(issuer), recordingNotifier().notifier, DAVE, request.id)).toMatchObject({
      kind: 'closed',
      standing: 'decided',
    });
    expect(calls).toEqual([]);
    expect(await outcomes(request.id)).toEqual(['requested', 'rejected']);
  });

  it('when the ttl has passed, then approve and reject are closed as expired, and one sweep expires it once', async () => {
    const { issuer, calls } = issuerAnswering(async (cardId) => ({ cardId }));
    const request = await filed(deps(issuer));
    t += 30 * 60_000;
    expect(await approveCancel(deps(issuer), recordingNotifier().notifier, DAVE, request.id)).toMatchObject({
      kind: 'closed',
      standing: 'expired',
    });
    expect(await rejectCancel(deps(issuer), DAVE, request.id, null)).toMatchObject({
      kind: 'closed',
      standing: 'expired',
    });
    const { notifier, shown } = recordingNotifier();
    const [first, second] = await Promise.all([
      sweepExpired(deps(issuer), notifier),
      sweepExpired(deps(issuer), notifier),
    ]);
    expect((first?.length ?? 0) + (second?.length ?? 0)).toBe(1);
    expect(shown.map((s) => `${s.kind}:${s.state}`)).toEqual(['refresh:expired', 'tell:expired']);
    expect(calls).toEqual([]);
    expect(await outcomes(request.id)).toEqual(['requested', 'expired']);
  });

  it('when recovery finds a request mid-call, then it is marked unknown once and audited with its approver', async () => {
    const { issuer } = issuerAnswering(async (cardId) => ({ cardId }));
    const request = await filed(deps(issuer));
    await approvals.claim(request.id, DAVE.actor, now());
    const { notifier, shown } = recordingNotifier();
    const first = await recoverInterrupted(deps(issuer), notifier);
    const second = await recoverInterrupted(deps(issuer), notifier);
    expect(first.interrupted.map((r) => r.id)).toEqual([request.id]);
    expect(second.interrupted).toEqual([]);
    expect(shown.map((s) => `${s.kind}:${s.state}`)).toEqual(['refresh:unknown', 'tell:unknown']);
    const row = (await audit.query({ outcome: 'unknown' }, { limit: 1 })).rows[0];
    expect(row).toMatchObject({ actor: DAVE.actor, approvalId: request.id, op: 'cancel' });
  });
});

describe('who may decide', () => {
  const base: ApprovalRequest = {
    id: 'CR-0000000A',
    op: 'cancel',
    cardId: 'card-1',
    requester: 'U0AGENT01',
    teamId: null,
    requestChannel: 'C0SUPPORT',
    reason: 'x',
    state: 'pending',
    createdAt: '2026-05-01T10:00:00.000Z',
    expiresAt: '2026-05-01T10:30:00.000Z',
    decidedBy: null,
    decidedAt: null,
    decisionReason: null,
    messageChannel: 'C0APPROVE',
    messageTs: '1.1',
    traceId: null,
    error: null,
    remindedAt: null,
  };

  it.each([
    ['an approver', 'U0ONCALL1', ['approver'], undefined],
    ['the requester, even holding the approver role', 'U0AGENT01', ['agent', 'approver'], 'requester'],
    ['someone with other roles only', 'U0MANAGER', ['manager', 'agent'], 'not-approver'],
    ['someone with no role', 'U0STRANGE', [], 'not-approver'],
  ])('when %s decides, then the refusal is %s', (_who, id, roles, expected) => {
    expect(refusalFor(policy(), { actor: id, roles }, base)).toBe(expected);
  });

  it.each([
    [{ state: 'pending' }, '2026-05-01T10:29:59.999Z', 'open'],
    [{ state: 'pending' }, '2026-05-01T10:30:00.000Z', 'expired'],
    [{ state: 'executing', decidedBy: 'U0ONCALL1' }, '2026-05-01T10:10:00.000Z', 'executing'],
    [{ state: 'done', decidedBy: 'U0ONCALL1' }, '2026-05-01T10:10:00.000Z', 'decided'],
    [{ state: 'failed', decidedBy: 'U0ONCALL1' }, '2026-05-01T10:10:00.000Z', 'decided'],
    [{ state: 'failed', decidedBy: null }, '2026-05-01T10:10:00.000Z', 'void'],
    [{ state: 'unknown', decidedBy: 'U0ONCALL1' }, '2026-05-01T10:10:00.000Z', 'unknown'],
    [{ state: 'rejected', decidedBy: 'U0ONCALL1' }, '2026-05-01T10:10:00.000Z', 'decided'],
    [{ state: 'expired' }, '2026-05-01T10:40:00.000Z', 'expired'],
  ] as const)('when a request is %o at %s, then it stands %s', (changes, at, expected) => {
    expect(standingOf({ ...base, ...changes }, new Date(at))).toBe(expected);
  });
});
