import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { danglingStarts, outcomeOf } from '../helpers/dangling-starts.js';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../helpers/postgres.js';
import {
  ALICE,
  APPROVALS,
  BOB,
  DAVE,
  type ReplicaRig,
  readReplicaState,
  startReplicaRig,
  waitFor,
} from './replica-rig.js';

/**
 * Issue 12 point 5 with real processes: recovery goes by heartbeats, not by who is running.
 *
 * Replica A's heartbeat stalls while A itself keeps working (its heartbeat row is held locked, as
 * when the connection its beats use hangs): once the row is older than the issuer timeout plus
 * three beats, A is taken for stopped. Replica B keeps beating. A replica C that starts then marks
 * `unknown` only A's unfinished work: A's approved cancel, whose issuer call is still in flight,
 * and not B's call in flight, which B's periodic heartbeat protects (B started long before C, so
 * its start-up beat alone would be stale). When the issuer then answers A's cancel, A settles the
 * `unknown` approval with the real outcome and says so in the approval thread.
 */

/** Long enough for C to start and recover, on a loaded machine, while A's and B's held calls are still in flight. */
const ISSUER_TIMEOUT_MS = 30_000;
/** As src/app.ts: the issuer timeout plus three 5 s heartbeats. */
const STALE_MS = ISSUER_TIMEOUT_MS + 3 * 5_000;

describeWithPostgres('recovery by heartbeat across replicas', () => {
  let db: TestDatabase;
  let rig: ReplicaRig;
  let admin: pg.Client | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await admin?.query('ROLLBACK').catch(() => {});
    await admin?.end().catch(() => {});
    await rig?.close();
    await db?.drop();
  });

  it('when a replica’s heartbeat goes stale while it works, then a starting sibling marks only its calls unknown (a beating sibling’s call in flight is left alone), and its late real outcome settles the approval and says so in the thread', async () => {
    let releaseCalls: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      releaseCalls = resolve;
    });
    rig = await startReplicaRig({
      databaseUrl: db.url,
      replicas: 2,
      issuerTimeoutMs: ISSUER_TIMEOUT_MS,
      issuer: {
        // A's approved cancel and B's block stay at the issuer until the test lets them answer.
        answer: (request) =>
          request.cardId === 'card-hb-a-cancel' || request.cardId === 'card-hb-b-block'
            ? { kind: 'held', until: released }
            : { kind: 'success' },
      },
    });
    const [replicaA, replicaB] = rig.replicas;
    if (!replicaA || !replicaB) throw new Error('two replicas expected');

    admin = new pg.Client({ connectionString: db.url });
    admin.on('error', () => {});
    await admin.connect();
    const client = admin;
    const replicaIdOf = async (pid: number) => {
      const found = await client.query<{ id: string }>('SELECT id FROM replicas WHERE id LIKE $1', [`%:${pid}:%`]);
      return found.rows[0]?.id;
    };
    const idA = await waitFor(() => replicaIdOf(replicaA.pid), 'replica A’s heartbeat row');
    const idB = await waitFor(() => replicaIdOf(replicaB.pid), 'replica B’s heartbeat row');

    // A cancel request waits for an approver (filed on B).
    expect(await rig.send(1, rig.command(ALICE, 'cancel card-hb-a-cancel reported stolen'))).toBe(200);
    const approval = await waitFor(
      () =>
        rig.slack.messages.find(
          (m) => m.channel === APPROVALS && m.visibility === 'public' && m.text.includes('card-hb-a-cancel'),
        ),
      'the approval message',
    );

    // A's heartbeat stalls: its row is locked, so each of A's beats waits; A keeps serving.
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM replicas WHERE id = $1 FOR UPDATE', [idA]);
    /** Milliseconds, by the database's clock, since a replica's last beat or its start. */
    const since = async (id: string, column: 'beat_at' | 'started_at') =>
      Number(
        (
          await client.query<{ age: string }>(
            `SELECT extract(epoch FROM clock_timestamp() - ${column}) * 1000 AS age FROM replicas WHERE id = $1`,
            [id],
          )
        ).rows[0]?.age ?? Number.NaN,
      );
    const ageOf = (id: string) => since(id, 'beat_at');
    const upFor = (id: string) => since(id, 'started_at');
    // Waited for on the database's clock, as the replicas judge it: A's last beat is stale, and B
    // has been up longer than that too, so only B's periodic beats can keep it alive.
    await waitFor(
      async () => (await ageOf(idA)) > STALE_MS + 1_000 && (await upFor(idB)) > STALE_MS + 1_000,
      'A’s heartbeat to go stale, and B to have been up as long',
      STALE_MS + 60_000,
    );
    expect(await ageOf(idB)).toBeLessThan(STALE_MS);

    // Work in flight on both: dave approves on A (its cancel call is held at the issuer), bob's
    // block on B is held as well.
    expect(await rig.send(0, rig.click(DAVE, approval, 'approval_approve'))).toBe(200);
    expect(await rig.send(1, rig.command(BOB, 'block card-hb-b-block lost'))).toBe(200);
    await waitFor(
      () =>
        rig.issuer.requests.some((r) => r.cardId === 'card-hb-a-cancel') &&
        rig.issuer.requests.some((r) => r.cardId === 'card-hb-b-block'),
      'both calls to reach the issuer',
    );

    // C starts: its start-up recovery takes A for stopped and B for alive.
    await rig.restart(2);
    const recovered = await waitFor(async () => {
      const state = await readReplicaState(db.url);
      return state.approvals.find((a) => a.cardId === 'card-hb-a-cancel')?.state === 'unknown' && state;
    }, 'A’s approved cancel to be reported unknown');
    const open = danglingStarts(recovered.rows).map((r) => `${r.op} ${r.cardId}`);
    // B's call is still open, untouched; A's was closed as unknown while its call is still held.
    expect(open).toEqual(['block card-hb-b-block']);
    const cancelStarted = recovered.rows.find((r) => r.op === 'cancel' && r.outcome === 'started');
    if (!cancelStarted) throw new Error('no started row for the cancel');
    expect(outcomeOf(recovered.rows, cancelStarted)?.outcome).toBe('unknown');
    expect(recovered.rows.filter((r) => r.outcome === 'unknown').map((r) => `${r.op} ${r.cardId}`)).toEqual([
      'cancel card-hb-a-cancel',
    ]);
    expect(rig.issuer.requests.filter((r) => r.cardId === 'card-hb-a-cancel')).toHaveLength(1);

    // The issuer answers both at last: A settles its approval with the real outcome, B its block.
    releaseCalls();
    const settled = await waitFor(async () => {
      const state = await readReplicaState(db.url);
      return (
        state.approvals.find((a) => a.cardId === 'card-hb-a-cancel')?.state === 'done' &&
        danglingStarts(state.rows).length === 0 &&
        state
      );
    }, 'the late outcome and B’s block to be recorded');
    const cancelRows = settled.rows.filter((r) => r.op === 'cancel' && r.outcome !== 'requested').map((r) => r.outcome);
    expect(cancelRows).toEqual(['approved', 'started', 'unknown', 'ok']);
    const blockRows = settled.rows.filter((r) => r.cardId === 'card-hb-b-block').map((r) => r.outcome);
    expect(blockRows).toEqual(['started', 'ok']);
    expect(settled.verified).toMatchObject({ ok: true, checked: settled.rows.length });

    // The approval thread says the cancel reported unknown got its real outcome after all.
    const note = await waitFor(
      () =>
        rig.slack.messages.find(
          (m) => m.channel === APPROVALS && m.threadTs === approval.ts && m.text.includes('Late outcome'),
        ),
      'the late-outcome note in the approval thread',
    );
    expect(note.text).toContain('was taken for stopped');
    expect(note.text).toMatch(/cancelled/i);
    // Bob was told his block went through, by B.
    await waitFor(
      () =>
        rig.slack.messages.find((m) => m.to === BOB && m.text.includes('card-hb-b-block') && /blocked/i.test(m.text)),
      'bob’s answer',
    );

    // A's heartbeat comes back once its row is free, and nothing more is marked unknown.
    await client.query('ROLLBACK');
    await waitFor(async () => (await ageOf(idA)) < 5_000 + 1_000, 'A to beat again');
    const final = await readReplicaState(db.url);
    expect(final.rows.filter((r) => r.outcome === 'unknown')).toHaveLength(1);
    expect(final.verified.ok).toBe(true);
  }, 300_000);
});
