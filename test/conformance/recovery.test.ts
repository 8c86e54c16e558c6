import { expect, it } from 'vitest';
import { INTERRUPTED_CALL, reportInterruptedCalls } from '../../src/domain/audit/report-interrupted-calls.js';
import { describeEachEngine } from './engines.js';

const quiet = { warn: () => {} };

describeEachEngine('recovery of calls cut off by a stopped replica', (engine) => {
  it('when calls were left without an outcome, then only those of owners that are not live siblings become unknown, once', async () => {
    const stopped = await engine.open({ replicaId: 'replica-stopped' });
    const alive = await engine.open({ replicaId: 'replica-alive' });
    const cut = await stopped.audit.append({ actor: 'U0AGENT01', op: 'block', cardId: 'card-1', outcome: 'started' });
    await stopped.audit.append({ actor: 'U0AGENT01', op: 'block', cardId: 'card-2', outcome: 'started' });
    await stopped.audit.append({ actor: 'U0AGENT01', op: 'block', cardId: 'card-2', outcome: 'ok' });
    const running = await alive.audit.append({
      actor: 'U0AGENT02',
      op: 'unblock',
      cardId: 'card-3',
      outcome: 'started',
    });

    const spare = engine.shared ? ['replica-alive'] : [];
    const written = await reportInterruptedCalls({ audit: alive.audit, logger: quiet }, { spare });
    const closed = engine.shared ? [cut] : [cut, running];
    expect(written.map((r) => [r.cardId, r.outcome])).toEqual(closed.map((r) => [r.cardId, 'unknown']));
    for (const row of written) expect(row.error).toContain(INTERRUPTED_CALL);
    // Run again (another replica, or the next heartbeat): nothing is written twice.
    expect(await reportInterruptedCalls({ audit: stopped.audit, logger: quiet }, { spare })).toEqual([]);
    expect((await alive.audit.verify()).ok).toBe(true);
  });
});
