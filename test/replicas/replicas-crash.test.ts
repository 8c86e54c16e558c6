import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditRow } from '../../src/domain/audit/audit-types.js';
import { danglingStarts, outcomeOf } from '../helpers/dangling-starts.js';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../helpers/postgres.js';
import {
  ALICE,
  APPROVALS,
  BOB,
  DAVE,
  type ReplicaRig,
  readReplicaState,
  SUPPORT,
  startReplicaRig,
  waitFor,
} from './replica-rig.js';

/**
 * SPEC §6, §7, §9 across replicas: one of three replicas is SIGKILLed in the middle of a load of
 * state-changing commands spread over all three, while it has an approved cancel under way at the
 * issuer. The two others keep answering; when the killed one is started again, only the calls it
 * owned are reported `unknown`, nothing is retried, the chain verifies and the pending approvals
 * are still pending.
 */

/** A replica's issuer calls are recovered once its heartbeat is older than the issuer timeout. */
const ISSUER_TIMEOUT_MS = 10_000;

describeWithPostgres('a replica killed mid-load', () => {
  let db: TestDatabase;
  let rig: ReplicaRig;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await rig?.close();
    await db?.drop();
  });

  it('when one of three replicas is SIGKILLed during a load and an approved cancel, then the others keep answering, and after its restart only its calls are unknown, nothing is retried, the chain verifies and pending approvals stay pending', async () => {
    let spread = 0;
    rig = await startReplicaRig({
      databaseUrl: db.url,
      replicas: 3,
      issuerTimeoutMs: ISSUER_TIMEOUT_MS,
      issuer: {
        // 20–220 ms per call, so that many are in flight at any moment; the first cancel never returns.
        delayMs: () => {
          spread = (spread + 37) % 200;
          return 20 + spread;
        },
        answer: (request) =>
          request.op === 'cancel' && request.cardId === 'card-crash-c1' ? { kind: 'hang' } : { kind: 'success' },
      },
    });

    // Three cancel requests wait for an approver (filed on different replicas); dave approves the
    // first on replica 0, whose cancel call hangs at the issuer.
    for (const n of [1, 2, 3]) {
      expect(await rig.send(n - 1, rig.command(ALICE, `cancel card-crash-c${n} reported stolen`))).toBe(200);
    }
    const approvalMessages = await waitFor(() => {
      const found = rig.slack.messages.filter((m) => m.channel === APPROVALS && m.visibility === 'public');
      return found.length === 3 && found;
    }, 'three approval messages');
    const c1 = approvalMessages.find((m) => m.text.includes('card-crash-c1'));
    if (!c1) throw new Error('no approval message for card-crash-c1');
    expect(await rig.send(0, rig.click(DAVE, c1, 'approval_approve'))).toBe(200);
    await waitFor(() => rig.issuer.requests.some((r) => r.op === 'cancel'), 'the approved cancel to reach the issuer');

    // A load of blocks spread over the three replicas; each card id names its replica.
    let sent = 0;
    let stop = false;
    const sender = async (replica: number, user: string) => {
      while (!stop) {
        sent += 1;
        const delivery = rig.command(user, `block card-r${replica}-${sent} crash test`);
        await rig.send(replica, delivery).catch(() => {});
      }
    };
    const load = Promise.all(Array.from({ length: 12 }, (_, i) => sender(i % 3, i % 2 === 0 ? ALICE : BOB)));
    const fromReplica = (replica: number) =>
      rig.issuer.requests.filter((r) => r.op === 'block' && r.cardId?.startsWith(`card-r${replica}-`)).length;
    await waitFor(() => fromReplica(0) >= 30 && fromReplica(1) >= 10, 'blocks from replica 0 at the issuer', 60_000);
    const killed = rig.replicas[0];
    if (!killed) throw new Error('no replica 0');
    await killed.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');

    // The survivors keep answering while replica 0 is down.
    const stillThere = [1, 2].map((replica) => rig.command(ALICE, `block card-after-${replica} still answering`));
    expect(await Promise.all(stillThere.map((delivery, i) => rig.send(i + 1, delivery)))).toEqual([200, 200]);
    for (const delivery of stillThere) await rig.messageAt(delivery.responseUrl, 'a survivor to answer');
    stop = true;
    await load;

    // The survivors' calls in flight finish; what stays open is the killed replica's.
    const ownedByKilled = (row: AuditRow) => /^card-(r0-|crash-c1$)/.test(row.cardId ?? '');
    const afterKill = await waitFor(async () => {
      const state = await readReplicaState(db.url);
      return danglingStarts(state.rows).every(ownedByKilled) && state;
    }, 'the survivors to finish their calls');
    const cutOff = danglingStarts(afterKill.rows);
    // The kill did cut calls off (else this test proves nothing): the approved cancel at least.
    expect(cutOff.some((r) => r.op === 'cancel' && r.cardId === 'card-crash-c1')).toBe(true);
    // Only replica 0's calls were left open: the survivors finished theirs.
    for (const row of cutOff) expect(row.cardId ?? '', `${row.op} ${row.cardId}`).toMatch(/^card-(r0-|crash-c1$)/);
    // Every call the issuer received has its durable started row.
    for (const request of rig.issuer.requests) {
      const started = afterKill.rows.filter(
        (r) => r.outcome === 'started' && r.op === request.op && r.cardId === request.cardId,
      );
      expect(started, `${request.op} ${request.cardId}`).toHaveLength(1);
    }

    // Started again once its heartbeat is older than the issuer timeout: its calls cannot still be
    // under way. The new process has a new replica id; the old id's heartbeat still counts as live
    // at this restart (the limit is the issuer timeout plus three 5 s beats), so it is the stale
    // sweep of the heartbeat loop (the restarted replica's or a survivor's) that closes the old
    // id's calls a few seconds later, not the start-up recovery.
    await new Promise((resolve) => setTimeout(resolve, ISSUER_TIMEOUT_MS + 2_000));
    const beforeRestart = rig.issuer.requests.length;
    await rig.restart(0);
    const after = await waitFor(
      async () => {
        const state = await readReplicaState(db.url);
        return danglingStarts(state.rows).length === 0 && state;
      },
      'every cut-off call to be settled',
      60_000,
    );
    expect(after.verified).toMatchObject({ ok: true, checked: after.rows.length });
    for (const started of cutOff) {
      const outcome = outcomeOf(after.rows, started);
      expect(outcome?.outcome, `${started.op} ${started.cardId}`).toBe('unknown');
    }
    // Only the killed replica's calls are unknown.
    for (const row of after.rows.filter((r) => r.outcome === 'unknown')) {
      expect(row.cardId ?? '', `${row.op} ${row.cardId}`).toMatch(/^card-(r0-|crash-c1$)/);
    }
    // Nothing was retried: each card was called once, and the restart called the issuer for nothing.
    const calls = rig.issuer.requests.map((r) => `${r.op} ${r.cardId}`);
    expect(new Set(calls).size).toBe(calls.length);
    expect(rig.issuer.requests.slice(beforeRestart)).toEqual([]);

    // The approved cancel under way is unknown, never re-run; the two others are still pending.
    const states = Object.fromEntries(after.approvals.map((a) => [a.cardId, a.state]));
    expect(states).toEqual({ 'card-crash-c1': 'unknown', 'card-crash-c2': 'pending', 'card-crash-c3': 'pending' });
    expect(rig.issuer.requests.filter((r) => r.op === 'cancel')).toHaveLength(1);
    // And every replica, the restarted one included, still answers.
    for (const replica of [0, 1, 2]) {
      const delivery = rig.command(ALICE, `block card-final-${replica} after the restart`, SUPPORT);
      expect(await rig.send(replica, delivery)).toBe(200);
      await rig.messageAt(delivery.responseUrl, `replica ${replica} to answer after the restart`);
    }
  }, 300_000);
});
