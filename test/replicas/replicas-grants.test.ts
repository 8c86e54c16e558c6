import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT } from '../helpers/child-bot.js';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../helpers/postgres.js';
import {
  ALICE,
  APPROVALS,
  CAROL,
  DAVE,
  type ReplicaRig,
  readReplicaState,
  SECURE,
  startReplicaRig,
  waitFor,
} from './replica-rig.js';

/**
 * docs/operations/replicas.md gives the bot's PostgreSQL role its minimal grants: no UPDATE,
 * DELETE or TRUNCATE on the audit table. The grants are read from that page, applied to a fresh
 * role, and two replicas run as that role: everything works, and the role cannot rewrite the log.
 */

/** The grant statements of the operations page, for this role and database. */
function documentedGrants(role: string, database: string): string {
  const page = fs.readFileSync(path.join(ROOT, 'docs', 'operations', 'replicas.md'), 'utf8');
  const block = [...page.matchAll(/```sql\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .find((sql) => sql.includes('GRANT SELECT, INSERT ON audit'));
  if (!block) throw new Error('no grants block in docs/operations/replicas.md');
  return block.replace(/DATABASE cardops\b/g, `DATABASE ${database}`).replace(/\b(TO|FROM) cardops\b/g, `$1 ${role}`);
}

describeWithPostgres('the bot under the documented minimal grants', () => {
  let db: TestDatabase;
  let rig: ReplicaRig | undefined;
  const role = `cardops_bot_${crypto.randomBytes(4).toString('hex')}`;
  let botUrl: string;

  const asOwner = async (sql: string) => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // The owner's first start creates the schema, as the page says.
    const owner = await startReplicaRig({ databaseUrl: db.url, replicas: 1 });
    await owner.close();
    await asOwner(`CREATE ROLE ${role} LOGIN`);
    await asOwner(documentedGrants(role, db.name));
    const url = new URL(db.url);
    url.username = role;
    url.password = '';
    botUrl = url.toString();
  }, 180_000);
  afterAll(async () => {
    await rig?.close();
    await db?.drop();
    const admin = new pg.Client({ connectionString: new URL('/postgres', db.url).toString() });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
  });

  it('when two replicas run as the bot role, then commands, an approved cancel and a reveal work, and the role can neither update nor delete audit rows', async () => {
    rig = await startReplicaRig({ databaseUrl: botUrl, replicas: 2 });
    // /readyz's test write (a row in replicas, rolled back) goes through with these grants.
    for (const replica of rig.replicas) {
      const ready = await fetch(`http://127.0.0.1:${replica?.port}/readyz`);
      expect(`${ready.status} ${await ready.text()}`).toBe('200 ready\n');
    }
    const block = rig.command(ALICE, 'block card-grants-1 lost wallet');
    expect(await rig.send(0, block)).toBe(200);
    expect((await rig.messageAt(block.responseUrl)).text).toContain('blocked');

    expect(await rig.send(1, rig.command(ALICE, 'cancel card-grants-2 stolen'))).toBe(200);
    const message = await waitFor(
      () => rig?.slack.messages.find((m) => m.channel === APPROVALS && m.text.includes('card-grants-2')),
      'the approval message',
    );
    expect(await rig.send(0, rig.click(DAVE, message, 'approval_approve'))).toBe(200);
    await waitFor(() => JSON.stringify(message.blocks).includes('is *cancelled*'), 'the cancel to be done');

    const asked = rig.command(CAROL, 'pan card-grants-3', SECURE);
    expect(await rig.send(1, asked)).toBe(200);
    const offer = await rig.messageAt(asked.responseUrl);
    expect(await rig.send(0, rig.click(CAROL, offer, 'reveal_secret'))).toBe(200);
    await waitFor(() => JSON.stringify(offer.blocks).includes('4929 8700 0000 0006'), 'the PAN on screen');

    const bot = new pg.Client({ connectionString: botUrl });
    await bot.connect();
    try {
      for (const sql of [
        "UPDATE audit SET reason = 'rewritten' WHERE id = 1",
        'DELETE FROM audit WHERE id = 1',
        'TRUNCATE audit',
        'ALTER TABLE audit DISABLE TRIGGER audit_no_update',
      ]) {
        await expect(bot.query(sql), sql).rejects.toMatchObject({ code: expect.stringMatching(/^42501$|^42809$/) });
      }
    } finally {
      await bot.end();
    }
    const state = await readReplicaState(db.url);
    expect(state.verified).toMatchObject({ ok: true, checked: state.rows.length });
    expect(state.rows.some((r) => r.cardId === 'card-grants-2' && r.outcome === 'approved')).toBe(true);
  }, 240_000);
});
