import { expect, it } from 'vitest';
import type { AuditEventInput, AuditRow } from '../../src/domain/audit/audit-types.js';
import { chainHash, GENESIS_HASH, toChainedTuple } from '../../src/domain/audit/hash-chain.js';
import { describeEachEngine } from './engines.js';

const event = (i: number, over: Partial<AuditEventInput> = {}): AuditEventInput => ({
  actor: `U0USER${i % 3}`,
  teamId: 'T0TEAM',
  channelId: i % 2 === 0 ? 'C0SUPPORT' : 'C0SECURE',
  op: i % 4 === 0 ? 'block' : 'unblock',
  cardId: `card-${i % 5}`,
  outcome: i % 3 === 0 ? 'started' : 'ok',
  reason: `reason ${i}`,
  ...over,
});

/** Every row follows the one before it: ids 1..n, each hash over the previous one, time never going back. */
function expectOneChain(rows: AuditRow[]): void {
  let prev = GENESIS_HASH;
  let prevTs = '';
  rows.forEach((row, i) => {
    expect(row.id).toBe(i + 1);
    expect(row.prevHash).toBe(prev);
    expect(row.hash).toBe(chainHash(prev, toChainedTuple(row)));
    expect(row.ts >= prevTs).toBe(true);
    prev = row.hash;
    prevTs = row.ts;
  });
}

async function allRows(stores: { audit: { iterate: (f: object, n?: number) => AsyncGenerator<AuditRow[]> } }) {
  const rows: AuditRow[] = [];
  for await (const batch of stores.audit.iterate({}, 7)) rows.push(...batch);
  return rows;
}

describeEachEngine('audit store conformance', (engine) => {
  it('when events are appended, then each is stored once, chained, stamped in ISO UTC, and read back the same', async () => {
    const { audit } = await engine.open();
    const appended: AuditRow[] = [];
    for (let i = 0; i < 12; i += 1) appended.push(await audit.append(event(i)));
    const rows = await allRows({ audit });
    expect(rows.map(({ replica: _r, ...row }) => row)).toEqual(appended.map(({ replica: _r, ...row }) => row));
    expectOneChain(rows);
    for (const row of rows) expect(row.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await audit.verify()).toEqual({ checked: 12, ok: true });
  });

  it('when a card number is in free text, then it is masked before it is stored and hashed', async () => {
    const { audit } = await engine.open();
    const row = await audit.append(event(1, { reason: 'customer read 4111 1111 1111 1111 aloud' }));
    expect(row.reason).not.toContain('4111 1111 1111 1111');
    expect((await audit.query({}, { limit: 1 })).rows[0]?.reason).toBe(row.reason);
  });

  it('when free text holds a NUL, then it is stored replaced and the appends batched with it still succeed', async () => {
    const { audit } = await engine.open();
    const rows = await Promise.all([
      audit.append(event(1, { reason: 'a\u0000b' })),
      audit.append(event(2)),
      audit.append(event(3, { error: '\u0000' })),
    ]);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(rows[0]?.reason).toBe('a\uFFFDb');
    expect((await audit.query({ actor: rows[2]!.actor }, { limit: 1 })).rows[0]?.error).toBe('\uFFFD');
    expect((await audit.verify()).ok).toBe(true);
  });

  it('when queried with each filter shape, then query (newest first, paged), count and iterate agree', async () => {
    const { audit } = await engine.open();
    for (let i = 0; i < 40; i += 1) await audit.append(event(i));
    const all = await allRows({ audit });
    const since = all[10]!.ts;
    const filters = [
      {},
      { actor: 'U0USER1' },
      { cardId: 'card-2' },
      { op: 'block', outcome: 'started' as const },
      { channelId: 'C0SECURE', op: 'unblock' },
      { actor: 'U0USER0', since },
      { until: all[30]!.ts },
      { cardId: 'nothing' },
    ];
    for (const filter of filters) {
      const expected = all.filter((r) =>
        Object.entries(filter).every(([key, value]) =>
          key === 'since' ? r.ts >= value : key === 'until' ? r.ts < value : r[key as keyof AuditRow] === value,
        ),
      );
      const paged: AuditRow[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await audit.query(filter, { limit: 4, ...(before !== undefined ? { before } : {}) });
        paged.push(...page.rows);
        if (page.nextCursor === undefined) break;
        before = page.nextCursor;
      }
      const ids = expected.map((r) => r.id);
      expect(
        paged.map((r) => r.id),
        JSON.stringify(filter),
      ).toEqual([...ids].reverse());
      expect(await audit.count(filter), JSON.stringify(filter)).toBe(ids.length);
      const iterated: number[] = [];
      for await (const batch of audit.iterate(filter, 3)) iterated.push(...batch.map((r) => r.id));
      expect(iterated, JSON.stringify(filter)).toEqual(ids);
    }
  });

  it('when filtered by op approval, then exactly the approval events of cancel requests come back, paged, counted and iterated', async () => {
    const { audit } = await engine.open();
    const approval = (outcome: AuditEventInput['outcome'], over: Partial<AuditEventInput> = {}): AuditEventInput => ({
      actor: 'U0ONCALL1',
      op: 'cancel',
      cardId: 'card-1',
      approvalId: 'CR-AAAA1111',
      outcome,
      ...over,
    });
    const events: AuditEventInput[] = [
      approval('requested', { actor: 'U0AGENT01' }),
      event(1),
      approval('refused', { actor: 'U0AGENT02' }),
      approval('reminded', { actor: 'cardops' }),
      approval('approved'),
      // The approved cancel's issuer call is the cancel itself, not an approval event.
      approval('started'),
      approval('ok'),
      approval('requested', { approvalId: 'CR-BBBB2222', cardId: 'card-2' }),
      approval('withdrawn', { approvalId: 'CR-BBBB2222', cardId: 'card-2' }),
      approval('requested', { approvalId: 'CR-CCCC3333', cardId: 'card-3' }),
      approval('rejected', { approvalId: 'CR-CCCC3333', cardId: 'card-3' }),
      approval('requested', { approvalId: 'CR-DDDD4444', cardId: 'card-4' }),
      approval('expired', { approvalId: 'CR-DDDD4444', cardId: 'card-4', actor: 'cardops' }),
      // A cancel request refused for the requester's limits has no approval id: no request was filed.
      approval('limited', { approvalId: null }),
      // Another op's confirmation carries an id too, but is no approval of a cancel.
      { actor: 'U0SENIOR1', op: 'set-limit', cardId: 'card-1', approvalId: 'LR-1', outcome: 'expired' },
      event(2),
    ];
    const rows: AuditRow[] = [];
    for (const e of events) rows.push(await audit.append(e));
    const expected = rows
      .filter((r) => r.op === 'cancel' && r.approvalId !== null && !['started', 'ok', 'limited'].includes(r.outcome))
      .map((r) => r.id);
    expect(expected).toHaveLength(10);
    const paged: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await audit.query({ op: 'approval' }, { limit: 3, ...(before !== undefined ? { before } : {}) });
      paged.push(...page.rows.map((r) => r.id));
      if (page.nextCursor === undefined) break;
      before = page.nextCursor;
    }
    expect(paged).toEqual([...expected].reverse());
    expect(await audit.count({ op: 'approval' })).toBe(10);
    const iterated: number[] = [];
    for await (const batch of audit.iterate({ op: 'approval', cardId: 'card-1' }, 2))
      iterated.push(...batch.map((r) => r.id));
    expect(iterated).toEqual(rows.filter((r) => r.cardId === 'card-1' && expected.includes(r.id)).map((r) => r.id));
    expect(await audit.count({ op: 'approval', outcome: 'requested' })).toBe(4);
    // op cancel still finds the whole story of a cancel, its call included.
    expect(await audit.count({ op: 'cancel' })).toBe(13);
  });

  it('when recent reveals and mismatches are counted, then only the asked actor or card, ops, outcomes and time count', async () => {
    const { audit } = await engine.open();
    const old = await audit.append({ actor: 'U1', op: 'pan', cardId: 'c1', outcome: 'revealed' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const first = await audit.append({ actor: 'U1', op: 'cvv', cardId: 'c1', outcome: 'revealed' });
    await audit.append({ actor: 'U1', op: 'pin', cardId: 'c2', outcome: 'limited' });
    await audit.append({ actor: 'U2', op: 'pan', cardId: 'c1', outcome: 'revealed' });
    await audit.append({ actor: 'U3', op: 'activate', cardId: 'c1', outcome: 'mismatched' });
    const reveals = { ops: ['pan', 'cvv', 'expiry', 'pin'], outcomes: ['revealed'] };
    expect(await audit.countRecent({ actor: 'U1', ...reveals, since: old.ts })).toBe(2);
    expect(await audit.countRecent({ actor: 'U1', ...reveals, since: first.ts })).toBe(1);
    expect(await audit.countRecent({ cardId: 'c1', ...reveals, since: old.ts })).toBe(3);
    expect(await audit.countRecent({ cardId: 'c1', ops: ['activate'], outcomes: ['mismatched'], since: old.ts })).toBe(
      1,
    );
    expect(await audit.countRecent({ actor: 'U1', ops: [], outcomes: ['revealed'], since: old.ts })).toBe(0);
    expect(await audit.countRecent({ actor: 'U1', ...reveals, since: '9999-01-01T00:00:00.000Z' })).toBe(0);
  });

  it('when several connections append at once, then the rows form one gap-free chain in commit order that verifies', async () => {
    const writers = await Promise.all([engine.open(), engine.open(), engine.open()]);
    const appended = await Promise.all(
      writers.flatMap((stores, w) =>
        Array.from({ length: 40 }, (_, i) =>
          stores.audit.append(event(i, { actor: `U0WRITER${w}`, reason: `${w}/${i}` })),
        ),
      ),
    );
    const rows = await allRows(writers[0]!);
    expect(rows).toHaveLength(120);
    expectOneChain(rows);
    expect(new Set(appended.map((r) => r.id)).size).toBe(120);
    for (const row of appended) expect(rows[row.id - 1]?.hash).toBe(row.hash);
    expect(await writers[1]!.audit.verify({ chunkSize: 16 })).toEqual({ checked: 120, ok: true });
  });

  it('when the log is written to directly, then the append-only guard refuses an edit and a delete', async () => {
    const { audit } = await engine.open();
    await audit.append(event(1));
    await expect(engine.sql("UPDATE audit SET reason = 'edited' WHERE id = 1")).rejects.toThrow(/append-only/);
    await expect(engine.sql('DELETE FROM audit WHERE id = 1')).rejects.toThrow(/append-only/);
  });

  it('when a stored row is written again or a row is inserted off the head, from any connection, then it is refused', async () => {
    const { audit } = await engine.open();
    for (let i = 0; i < 3; i += 1) await audit.append(event(i));
    const [second] = await engine.sql('SELECT * FROM audit WHERE id = 2');
    const columns =
      'id, ts, actor, team_id, channel_id, op, card_id, outcome, reason, approval_id, trace_id, error, prev_hash, hash';
    const values = columns.split(', ').map((c) => (c === 'actor' ? 'U0FORGED' : second![c]));
    const placeholders = values.map((_, i) => (engine.name === 'postgres' ? `$${i + 1}` : '?')).join(', ');
    const rewrite =
      engine.name === 'postgres'
        ? `INSERT INTO audit (${columns}) VALUES (${placeholders}) ON CONFLICT (id) DO UPDATE SET actor = excluded.actor`
        : `INSERT OR REPLACE INTO audit (${columns}) VALUES (${placeholders})`;
    await expect(engine.sql(rewrite, values)).rejects.toThrow(/append-only/);
    // A row after the head that does not link to it.
    const offHead = [4, ...values.slice(1, 12), 'f'.repeat(64), 'e'.repeat(64)];
    await expect(engine.sql(`INSERT INTO audit (${columns}) VALUES (${placeholders})`, offHead)).rejects.toThrow(
      /append-only/,
    );
    expect(await audit.verify()).toEqual({ checked: 3, ok: true });
  });

  it('when a row is edited, or rows are deleted, behind the guard, then verify names the first broken row and why', async () => {
    const { audit } = await engine.open();
    for (let i = 0; i < 10; i += 1) await audit.append(event(i));
    await engine.allowTampering();
    await engine.sql("UPDATE audit SET reason = 'forged' WHERE id = 4");
    expect(await audit.verify({ chunkSize: 3 })).toEqual({
      checked: 3,
      ok: false,
      firstBroken: { id: 4, problem: 'edited' },
    });
    await engine.sql('DELETE FROM audit WHERE id IN (4, 5)');
    expect(await audit.verify({ chunkSize: 3 })).toEqual({
      checked: 3,
      ok: false,
      firstBroken: { id: 6, problem: 'deleted-before' },
    });
    await engine.sql('DELETE FROM audit WHERE id >= 6');
    expect(await audit.verify()).toEqual({ checked: 3, ok: false, firstBroken: { id: 11, problem: 'deleted-before' } });
  });

  it('when the store is closed, then pending appends settle and a later append is refused', async () => {
    const { audit } = await engine.open();
    const pending = [audit.append(event(1)), audit.append(event(2))];
    await audit.close();
    expect((await Promise.all(pending)).map((r) => r.id)).toEqual([1, 2]);
    await expect(audit.append(event(3))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
  });
});
