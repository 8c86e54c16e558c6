import { expect, it } from 'vitest';
import type { ApprovalsStore, NewApprovalRequest } from '../../src/domain/approvals/approval-types.js';
import { describeEachEngine } from './engines.js';

const MIN = 60_000;
const request = (over: Partial<NewApprovalRequest> = {}): NewApprovalRequest => ({
  cardId: 'card-1',
  requester: 'U0AGENT01',
  teamId: 'T0TEAM',
  requestChannel: 'C0SUPPORT',
  reason: 'stolen',
  ttlMs: 30 * MIN,
  ...over,
});

async function filed(store: ApprovalsStore, over: Partial<NewApprovalRequest> = {}) {
  const result = await store.create(request(over));
  if (!result.created) throw new Error('expected a new request');
  return result.request;
}

describeEachEngine('approvals store conformance', (engine) => {
  it('when a request is filed, then it is pending with an id and an expiry, and a second one for the card points at it', async () => {
    const { approvals } = await engine.open();
    const first = await filed(approvals);
    expect(first).toMatchObject({ id: expect.stringMatching(/^CR-[0-9A-HJKMNP-TV-Z]{8}$/), state: 'pending' });
    expect(Date.parse(first.expiresAt) - Date.parse(first.createdAt)).toBe(30 * MIN);
    const second = await approvals.create(request({ requester: 'U0AGENT02' }));
    expect(second).toMatchObject({ created: false, existing: { id: first.id } });
    expect((await approvals.pendingForCard('card-1'))?.id).toBe(first.id);
    expect((await approvals.listPending()).map((r) => r.id)).toEqual([first.id]);
  });

  it('when two connections file for the same card at once, then exactly one request is stored', async () => {
    const [a, b] = await Promise.all([engine.open(), engine.open()]);
    const results = await Promise.all([
      a.approvals.create(request()),
      b.approvals.create(request({ requester: 'U0AGENT02' })),
      a.approvals.create(request({ requester: 'U0AGENT03' })),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await a.approvals.listPending()).toHaveLength(1);
  });

  it('when 20 approvers claim at once over several connections, then exactly one claim wins', async () => {
    const connections = await Promise.all([engine.open(), engine.open(), engine.open()]);
    const r = await filed(connections[0]!.approvals);
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => connections[i % 3]!.approvals.claim(r.id, `U0ONCALL${i}`)),
    );
    const won = claims.filter((c) => c.claimed);
    expect(won).toHaveLength(1);
    const current = await connections[1]!.approvals.get(r.id);
    expect(current).toMatchObject({ state: 'executing', decidedBy: won[0]?.request?.decidedBy });
  });

  it('when the requester tries to claim their own request, or it has expired, then the claim fails', async () => {
    const { approvals } = await engine.open();
    const r = await filed(approvals);
    expect((await approvals.claim(r.id, 'U0AGENT01')).claimed).toBe(false);
    expect((await approvals.claim(r.id, 'U0ONCALL1', new Date(Date.parse(r.expiresAt) + 1))).claimed).toBe(false);
    expect((await approvals.get(r.id))?.state).toBe('pending');
  });

  it('when a claimed request finishes, then it is final once, and a second finish changes nothing', async () => {
    const { approvals } = await engine.open();
    const r = await filed(approvals);
    await approvals.claim(r.id, 'U0ONCALL1');
    const done = await approvals.finish(r.id, 'done', { traceId: 'trace-1' });
    expect(done).toMatchObject({ finished: true, request: { state: 'done', traceId: 'trace-1' } });
    expect(await approvals.finish(r.id, 'failed', { error: 'late' })).toMatchObject({
      finished: false,
      request: { state: 'done' },
    });
    // A final request frees the card for a new one.
    expect((await approvals.create(request())).created).toBe(true);
  });

  it('when a request is rejected, discarded or attached to its message, then it says so', async () => {
    const { approvals } = await engine.open();
    const a = await filed(approvals);
    const b = await filed(approvals, { cardId: 'card-2' });
    expect(await approvals.attachMessage(a.id, 'C0APPROVE', '1.0001')).toBe(true);
    expect(await approvals.reject(a.id, 'U0ONCALL1', 'not stolen')).toMatchObject({
      rejected: true,
      request: { state: 'rejected', decidedBy: 'U0ONCALL1', decisionReason: 'not stolen', messageTs: '1.0001' },
    });
    expect((await approvals.reject(a.id, 'U0ONCALL2', null)).rejected).toBe(false);
    expect(await approvals.discard(b.id)).toBe(true);
    expect(await approvals.get(b.id)).toMatchObject({ state: 'failed', error: 'not posted' });
    expect((await approvals.listByRequester('U0AGENT01', 10)).map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
  });

  it('when two connections sweep expired requests at once, then each request is expired by exactly one of them', async () => {
    const [a, b] = await Promise.all([engine.open(), engine.open()]);
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) ids.push((await filed(a.approvals, { cardId: `card-${i}`, ttlMs: 1 })).id);
    const later = new Date(Date.now() + MIN);
    const [x, y] = await Promise.all([a.approvals.expireDue(later), b.approvals.expireDue(later)]);
    expect([...x, ...y].map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(await a.approvals.expireDue(later)).toEqual([]);
  });

  it('when requests were left executing, then markInterrupted makes them unknown once, sparing only the named live owners', async () => {
    const own = await engine.open({ replicaId: 'replica-a' });
    const sibling = await engine.open({ replicaId: 'replica-b' });
    const mine = await filed(own.approvals);
    const theirs = await filed(own.approvals, { cardId: 'card-2' });
    const waiting = await filed(own.approvals, { cardId: 'card-3' });
    await own.approvals.claim(mine.id, 'U0ONCALL1');
    await sibling.approvals.claim(theirs.id, 'U0ONCALL2');
    const spare = engine.shared ? ['replica-b'] : [];
    const marked = await own.approvals.markInterrupted({ spare });
    const expected = engine.shared ? [mine.id] : [mine.id, theirs.id];
    expect(marked.map((r) => r.id).sort()).toEqual(expected.sort());
    for (const r of marked)
      expect(r).toMatchObject({ state: 'unknown', error: expect.stringContaining('interrupted') });
    expect((await own.approvals.get(waiting.id))?.state).toBe('pending');
    expect(await own.approvals.markInterrupted({ spare })).toEqual([]);
    if (engine.shared) {
      expect((await own.approvals.get(theirs.id))?.state).toBe('executing');
      // The owner was alive after all: its real outcome settles the request, and says it came late.
      const mineLate = await own.approvals.finish(mine.id, 'done', { traceId: 'late-trace' });
      expect(mineLate).toMatchObject({ finished: true, late: true, request: { state: 'done' } });
    }
  });
});
