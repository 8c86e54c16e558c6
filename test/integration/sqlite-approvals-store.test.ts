import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApprovalsStore, newApprovalId } from '../../src/adapters/sqlite/approvals-store.js';
import { type Database, openDatabase } from '../../src/adapters/sqlite/database.js';
import type { ApprovalsStore, NewApprovalRequest } from '../../src/domain/approvals/approval-types.js';

let dir: string;
let path: string;
const open: Database[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardops-approvals-'));
  path = join(dir, 'cardops.db');
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.parse('2026-05-01T12:00:00.000Z');
const MIN = 60_000;

function openStore(clock: () => Date = () => new Date(T0)): { db: Database; store: ApprovalsStore } {
  const db = openDatabase(path);
  open.push(db);
  return { db, store: createApprovalsStore(db, { now: clock }) };
}

const request = (over: Partial<NewApprovalRequest> = {}): NewApprovalRequest => ({
  cardId: 'card-1',
  requester: 'U0AGENT01',
  teamId: 'T1',
  requestChannel: 'C0SUPPORT',
  reason: 'customer reported theft',
  ttlMs: 30 * MIN,
  ...over,
});

async function created(store: ApprovalsStore, over: Partial<NewApprovalRequest> = {}) {
  const result = await store.create(request(over));
  if (!result.created) throw new Error('expected a new request');
  return result.request;
}

describe('approvals store: filing requests', () => {
  it('when a cancel is requested, then a pending request with a short unguessable id and an expiry is stored', async () => {
    const { store } = openStore();
    const result = await store.create(request());
    expect(result).toMatchObject({ created: true, expired: [] });
    if (!result.created) return;
    expect(result.request).toEqual({
      id: expect.stringMatching(/^CR-[0-9A-HJKMNP-TV-Z]{8}$/),
      op: 'cancel',
      cardId: 'card-1',
      requester: 'U0AGENT01',
      teamId: 'T1',
      requestChannel: 'C0SUPPORT',
      reason: 'customer reported theft',
      state: 'pending',
      createdAt: '2026-05-01T12:00:00.000Z',
      expiresAt: '2026-05-01T12:30:00.000Z',
      decidedBy: null,
      decidedAt: null,
      decisionReason: null,
      messageChannel: null,
      messageTs: null,
      traceId: null,
      error: null,
    });
    expect(await store.get(result.request.id)).toEqual(result.request);
    const ids = new Set(Array.from({ length: 1000 }, () => newApprovalId()));
    expect(ids.size).toBe(1000);
  });

  it('when a second request is filed for a card with one pending, then it points at the pending one', async () => {
    const { store } = openStore();
    const first = await created(store);
    const second = await store.create(request({ requester: 'U0SENIOR1', reason: 'again' }));
    expect(second).toEqual({ created: false, existing: first });
    expect((await store.create(request({ cardId: 'card-2' }))).created).toBe(true);
    expect(await store.pendingForCard('card-1')).toEqual(first);
  });

  it('when two processes file a request for the same card at once, then only one is stored', async () => {
    const { store: a } = openStore();
    const { store: b } = openStore();
    const results = await Promise.all([a.create(request()), b.create(request({ requester: 'U0AGENT02' }))]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const db = new BetterSqlite3(path, { readonly: true });
    open.push(db);
    expect(db.prepare("SELECT count(*) FROM approvals WHERE card_id = 'card-1'").pluck().get()).toBe(1);
  });

  it('when the request for a card has outlived its ttl, then a new one is filed and the old one is returned as expired', async () => {
    let now = T0;
    const { store } = openStore(() => new Date(now));
    const old = await created(store);
    now = T0 + 31 * MIN;
    const result = await store.create(request({ reason: 'second try' }));
    expect(result.created).toBe(true);
    if (!result.created) return;
    expect(result.expired).toEqual([{ ...old, state: 'expired' }]);
    expect((await store.get(old.id))?.state).toBe('expired');
  });

  it('when the reason holds a card number, then it is masked before it is stored', async () => {
    const { store } = openStore();
    expect((await created(store, { reason: 'pan 4929871234560986 stolen' })).reason).toBe(
      'pan 492987******0986 stolen',
    );
  });

  it('when the approval message is posted, then its channel and ts are kept with the request', async () => {
    const { store } = openStore();
    const r = await created(store);
    expect(await store.attachMessage(r.id, 'C0APPROVE', '1700000000.000100')).toBe(true);
    expect(await store.get(r.id)).toMatchObject({ messageChannel: 'C0APPROVE', messageTs: '1700000000.000100' });
    expect(await store.attachMessage('CR-NOPE0000', 'C0APPROVE', '1')).toBe(false);
  });

  it('when the approval message could not be posted, then the request is discarded, kept as history, and frees the card', async () => {
    const { store } = openStore();
    const r = await created(store);
    expect(await store.discard(r.id)).toBe(true);
    expect(await store.get(r.id)).toMatchObject({ state: 'failed', error: 'not posted' });
    expect(await store.listPending()).toEqual([]);
    expect(await store.pendingForCard('card-1')).toBeUndefined();
    expect((await store.create(request())).created).toBe(true);
    expect(await store.discard(r.id)).toBe(false);
  });
});

describe('approvals store: deciding', () => {
  it('when an approver claims a pending request, then it is executing and decided by them', async () => {
    const { store } = openStore();
    const r = await created(store);
    const claim = await store.claim(r.id, 'U0ONCALL1', new Date(T0 + MIN));
    expect(claim).toEqual({
      claimed: true,
      request: { ...r, state: 'executing', decidedBy: 'U0ONCALL1', decidedAt: '2026-05-01T12:01:00.000Z' },
    });
    expect(await store.claim(r.id, 'U0ONCALL2')).toEqual({ claimed: false, request: claim.request });
    // still live: a new request for the card points at it
    expect(await store.create(request())).toMatchObject({ created: false, existing: { id: r.id } });
  });

  it('when 20 claims race from 20 connections, then exactly one wins', async () => {
    const stores = Array.from({ length: 20 }, () => openStore().store);
    const r = await created(stores[0]!);
    const results = await Promise.all(stores.map((s, i) => s.claim(r.id, `U0ONCALL${i}`)));
    expect(results.filter((x) => x.claimed)).toHaveLength(1);
  });

  it('when 20 threads claim the same request at the same instant, then exactly one wins', async () => {
    const { store } = openStore();
    const r = await created(store);
    const require = createRequire(import.meta.url);
    const cjsApi = require.resolve('tsx/esm/api');
    const api = existsSync(cjsApi.replace(/\.cjs$/, '.mjs')) ? cjsApi.replace(/\.cjs$/, '.mjs') : cjsApi;
    const storeModule = fileURLToPath(new URL('../../src/adapters/sqlite/approvals-store.ts', import.meta.url));
    const dbModule = fileURLToPath(new URL('../../src/adapters/sqlite/database.ts', import.meta.url));
    const script = join(dir, 'claim-worker.mjs');
    writeFileSync(
      script,
      `import { parentPort, workerData } from 'node:worker_threads';
const { register } = await import(${JSON.stringify(pathToFileURL(api).href)});
register();
const { openDatabase } = await import(${JSON.stringify(pathToFileURL(dbModule).href)});
const { createApprovalsStore } = await import(${JSON.stringify(pathToFileURL(storeModule).href)});
const db = openDatabase(workerData.path);
const store = createApprovalsStore(db);
const gate = new Int32Array(workerData.gate);
Atomics.add(gate, 1, 1);
Atomics.wait(gate, 0, 0);
const result = (await store.claim(workerData.id, workerData.approver, new Date(workerData.now)));
db.close();
parentPort.postMessage(result.claimed);
`,
    );
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const workers = Array.from({ length: 20 }, (_, i) => {
      const worker = new Worker(script, {
        workerData: { path, id: r.id, approver: `U0ONCALL${i}`, now: T0 + MIN, gate: gate.buffer },
      });
      return new Promise<boolean>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    });
    while (Atomics.load(gate, 1) < 20) await new Promise((done) => setTimeout(done, 10));
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    const results = await Promise.all(workers);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.get(r.id))?.state).toBe('executing');
  }, 60_000);

  it('when the requester tries to claim their own request, then the store refuses even if the domain did not', async () => {
    const { store } = openStore();
    const r = await created(store);
    expect(await store.claim(r.id, r.requester)).toEqual({ claimed: false, request: r });
  });

  it('when the issuer answers or does not, then the request finishes once, from executing only', async () => {
    const { store } = openStore();
    const done = await created(store);
    expect(await store.finish(done.id, 'done', { traceId: 'trace-1' })).toMatchObject({ finished: false });
    await store.claim(done.id, 'U0ONCALL1');
    expect(await store.finish(done.id, 'done', { traceId: 'trace-1' })).toMatchObject({
      finished: true,
      request: { state: 'done', traceId: 'trace-1', error: null },
    });
    expect(await store.finish(done.id, 'failed', { error: 'late' })).toMatchObject({
      finished: false,
      request: { state: 'done' },
    });

    const failed = await created(store, { cardId: 'card-2' });
    await store.claim(failed.id, 'U0ONCALL1');
    expect(
      (await store.finish(failed.id, 'failed', { traceId: 't-2', error: 'already cancelled' })).request,
    ).toMatchObject({
      state: 'failed',
      error: 'already cancelled',
    });
    const unknown = await created(store, { cardId: 'card-3' });
    await store.claim(unknown.id, 'U0ONCALL1');
    expect((await store.finish(unknown.id, 'unknown', { error: 'timeout' })).request?.state).toBe('unknown');
    // a finished request no longer blocks the card
    expect((await store.create(request({ cardId: 'card-2' }))).created).toBe(true);
  });

  it('when an approver rejects a pending request, then it is rejected with the reason, once', async () => {
    const { store } = openStore();
    const r = await created(store);
    expect(await store.reject(r.id, 'U0ONCALL1', 'not enough detail', new Date(T0 + MIN))).toEqual({
      rejected: true,
      request: {
        ...r,
        state: 'rejected',
        decidedBy: 'U0ONCALL1',
        decidedAt: '2026-05-01T12:01:00.000Z',
        decisionReason: 'not enough detail',
      },
    });
    expect(await store.reject(r.id, 'U0ONCALL2', null)).toMatchObject({
      rejected: false,
      request: { state: 'rejected' },
    });
    expect(await store.claim(r.id, 'U0ONCALL2')).toMatchObject({ claimed: false, request: { state: 'rejected' } });
    expect(await store.reject('CR-NOPE0000', 'U0ONCALL2', null)).toEqual({ rejected: false, request: undefined });
  });

  it('when the ttl has passed, then the request can be neither claimed nor rejected, and expireDue moves it once', async () => {
    const { store } = openStore();
    const r = await created(store);
    const late = new Date(T0 + 30 * MIN);
    expect(await store.claim(r.id, 'U0ONCALL1', late)).toMatchObject({ claimed: false, request: { state: 'pending' } });
    expect(await store.reject(r.id, 'U0ONCALL1', null, late)).toMatchObject({ rejected: false });
    const other = await created(store, { cardId: 'card-2', ttlMs: 60 * MIN });
    expect(await store.expireDue(new Date(T0 + 10 * MIN))).toEqual([]);
    expect(await store.expireDue(late)).toEqual([{ ...r, state: 'expired' }]);
    expect(await store.expireDue(late)).toEqual([]);
    expect(await store.listPending()).toEqual([other]);
  });

  it('when the process restarts with a request mid-execution, then it is marked unknown, never re-run', async () => {
    const { store } = openStore();
    const a = await created(store);
    const b = await created(store, { cardId: 'card-2' });
    await store.claim(a.id, 'U0ONCALL1');
    const { store: restarted } = openStore();
    const marked = await restarted.markInterrupted();
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatchObject({ id: a.id, state: 'unknown', error: expect.stringContaining('interrupted') });
    expect((await restarted.claim(a.id, 'U0ONCALL2')).claimed).toBe(false);
    expect((await restarted.get(b.id))?.state).toBe('pending');
    expect(await restarted.markInterrupted()).toEqual([]);
  });

  it('when a replica starts while another is mid-call, then a cut-off spares claims younger than it', async () => {
    const { store } = openStore();
    const a = await created(store);
    await store.claim(a.id, 'U0ONCALL1', new Date(T0 + MIN));
    expect(await store.markInterrupted({ claimedBefore: new Date(T0) })).toEqual([]);
    expect(await store.markInterrupted({ claimedBefore: new Date(T0 + 2 * MIN) })).toHaveLength(1);
  });
});

describe('approvals store: listing and history', () => {
  it('when requests are listed, then pending ones come oldest first and a requester sees theirs newest first', async () => {
    let now = T0;
    const { store } = openStore(() => new Date(now));
    const a = await created(store, { cardId: 'card-a' });
    now += MIN;
    const b = await created(store, { cardId: 'card-b', requester: 'U0AGENT02' });
    now += MIN;
    const c = await created(store, { cardId: 'card-c' });
    await store.reject(c.id, 'U0ONCALL1', null);
    expect((await store.listPending()).map((r) => r.id)).toEqual([a.id, b.id]);
    expect((await store.listByRequester('U0AGENT01', 10)).map((r) => r.id)).toEqual([c.id, a.id]);
    expect((await store.listByRequester('U0AGENT01', 1)).map((r) => r.id)).toEqual([c.id]);
  });

  it('when requests move through every state, then no row is ever deleted', async () => {
    const { db, store } = openStore();
    const ids: string[] = [];
    for (const cardId of ['card-1', 'card-2', 'card-3', 'card-4']) ids.push((await created(store, { cardId })).id);
    await store.discard(ids[0]!);
    await store.reject(ids[1]!, 'U0ONCALL1', null);
    await store.claim(ids[2]!, 'U0ONCALL1');
    await store.finish(ids[2]!, 'done', {});
    await store.expireDue(new Date(T0 + 60 * MIN));
    expect(db.prepare('SELECT state FROM approvals ORDER BY card_id').pluck().all()).toEqual([
      'failed',
      'rejected',
      'done',
      'expired',
    ]);
  });

  it('when the database is reopened, then pending requests survive', async () => {
    const { db, store } = openStore();
    const r = await created(store);
    db.close();
    const { store: again } = openStore();
    expect(await again.get(r.id)).toEqual(r);
    expect(await again.listPending()).toEqual([r]);
  });
});
