import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../helpers/postgres.js';
import {
  ALICE,
  APPROVALS,
  BOB,
  CAROL,
  DAVE,
  ERIN,
  type ReplicaRig,
  readReplicaState,
  SECURE,
  startReplicaRig,
  waitFor,
} from './replica-rig.js';

/**
 * SPEC §9 with real processes: three `node dist/main.js` replicas over signed HTTP on loopback,
 * sharing one PostgreSQL database, each delivery sent to the replica a load balancer would pick.
 * The crash scenario is in replicas-crash.test.ts.
 */

describeWithPostgres('several replicas on one PostgreSQL database', () => {
  let db: TestDatabase;
  let rig: ReplicaRig;
  beforeAll(async () => {
    db = await createTestDatabase();
    rig = await startReplicaRig({ databaseUrl: db.url, replicas: 3 });
  }, 180_000);
  afterAll(async () => {
    await rig?.close();
    await db?.drop();
  });

  const approvalMessageFor = (cardId: string) =>
    waitFor(
      () =>
        rig.slack.messages.find((m) => m.channel === APPROVALS && m.visibility === 'public' && m.text.includes(cardId)),
      `the approval message for ${cardId}`,
    );

  it('when 20 Approve clicks are spread over three replicas, then one cancel reaches the issuer, one approval is audited and the chain verifies', async () => {
    const card = 'card-rep-approve-1';
    expect(await rig.send(0, rig.command(ALICE, `cancel ${card} reported stolen`))).toBe(200);
    const message = await approvalMessageFor(card);

    const clicks = Array.from({ length: 20 }, (_, n) =>
      rig.click(n % 2 === 0 ? DAVE : ERIN, message, 'approval_approve'),
    );
    const statuses = await Promise.all(clicks.map((click, n) => rig.send(n % 3, click)));
    expect(statuses.every((status) => status === 200)).toBe(true);

    const state = await waitFor(
      async () => {
        const now = await readReplicaState(db.url);
        return now.approvals.find((a) => a.cardId === card)?.state === 'done' && now;
      },
      'the cancel to be done',
      60_000,
    );
    await waitFor(() => JSON.stringify(message.blocks).includes('is *cancelled*'), 'the approval message to say so');
    const approvalId = state.approvals.find((a) => a.cardId === card)?.id;
    expect(approvalId).toBeDefined();
    expect(rig.issuer.requests.filter((r) => r.op === 'cancel' && r.cardId === card)).toHaveLength(1);
    expect(state.rows.filter((r) => r.approvalId === approvalId && r.outcome === 'approved')).toHaveLength(1);
    expect(state.approvals.find((a) => a.id === approvalId)?.state).toBe('done');
    expect(state.verified).toMatchObject({ ok: true, checked: state.rows.length });
  }, 120_000);

  it('when two replicas are asked to cancel the same card at once, then one request is filed and the second asker is pointed at it', async () => {
    const card = 'card-rep-twice-1';
    const first = rig.command(ALICE, `cancel ${card} lost in transit`);
    const second = rig.command(BOB, `cancel ${card} customer called`);
    const statuses = await Promise.all([rig.send(0, first), rig.send(1, second)]);
    expect(statuses).toEqual([200, 200]);

    const answers = await Promise.all([rig.messageAt(first.responseUrl), rig.messageAt(second.responseUrl)]);
    const pointed = answers.filter((m) => m.text.includes('already has a cancel request'));
    expect(pointed).toHaveLength(1);
    await approvalMessageFor(card);

    const state = await readReplicaState(db.url);
    expect(state.approvals.filter((a) => a.cardId === card)).toHaveLength(1);
    expect(rig.slack.messages.filter((m) => m.channel === APPROVALS && m.text.includes(card))).toHaveLength(1);
    expect(state.verified.ok).toBe(true);
  }, 120_000);

  it('when a delivery is replayed to a second replica, then it is dropped there: the issuer sees one call', async () => {
    const card = 'card-rep-replay-1';
    const delivery = rig.command(ALICE, `block ${card} replay test`);
    expect(await rig.send(0, delivery)).toBe(200);
    await rig.messageAt(delivery.responseUrl);
    // The same signed bytes, within Slack's five-minute signature window, to another replica.
    expect(await rig.send(1, delivery)).toBe(200);
    expect(await rig.send(2, delivery)).toBe(200);
    // A later command to the same replicas is answered, so the replays had their chance to run.
    const later = rig.command(ALICE, `block ${card}-after replay test`);
    expect(await rig.send(1, later)).toBe(200);
    await rig.messageAt(later.responseUrl);

    expect(rig.issuer.requests.filter((r) => r.op === 'block' && r.cardId === card)).toHaveLength(1);
    const state = await readReplicaState(db.url);
    expect(state.rows.filter((r) => r.cardId === card && r.outcome === 'started')).toHaveLength(1);
  }, 60_000);

  it('when a Reveal offered by one replica is pressed on another, then the value is shown through the click and the offer is used up', async () => {
    const card = 'card-rep-reveal-1';
    const asked = rig.command(CAROL, `pan ${card}`, SECURE);
    expect(await rig.send(0, asked)).toBe(200);
    const offer: SlackMessage = await rig.messageAt(asked.responseUrl, 'the Reveal offer');
    expect(offer.text).toContain('Press Reveal to fetch');
    expect(rig.issuer.requests.filter((r) => r.cardId === card)).toHaveLength(0);

    const press = rig.click(CAROL, offer, 'reveal_secret');
    const pressAgain = rig.click(CAROL, offer, 'reveal_secret');
    expect(await rig.send(1, press)).toBe(200);
    // The stub issuer's PAN, spaced in fours as the reveal shows it.
    await waitFor(() => JSON.stringify(offer.blocks).includes('4929 8700 0000 0006'), 'the PAN on screen');
    expect(rig.issuer.requests.filter((r) => r.op === 'pan' && r.cardId === card)).toHaveLength(1);

    // The same button again, on the third replica: single use across replicas.
    expect(await rig.send(2, pressAgain)).toBe(200);
    await waitFor(() => offer.text.includes('no longer valid'), 'the second press to be refused');
    expect(rig.issuer.requests.filter((r) => r.op === 'pan' && r.cardId === card)).toHaveLength(1);
    const state = await readReplicaState(db.url);
    expect(state.rows.filter((r) => r.cardId === card && r.outcome === 'revealed')).toHaveLength(1);
  }, 60_000);
});
