import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { seedAuditRows } from '../../src/adapters/sqlite/audit-seed.js';
import type { AuditRow } from '../../src/domain/audit/audit-types.js';
import { type ChainedTuple, chainHash, GENESIS_HASH } from '../../src/domain/audit/hash-chain.js';
import { type OfflineBot, startOfflineBot } from '../../src/shell/offline-bot.js';
import {
  ALICE,
  allRows,
  auditLooks,
  CAROL,
  commandDelivery,
  MANAGER,
  MANAGER_DM,
  shownTo,
  testClock,
  waitFor,
} from './audit-command-support.js';

const COLUMNS = [
  'id',
  'time_utc',
  'actor',
  'team_id',
  'channel_id',
  'op',
  'card_id',
  'outcome',
  'reason',
  'approval_id',
  'trace_id',
  'error',
  'prev_hash',
  'hash',
  'actor_name',
  'export_scope',
];

let bot: OfflineBot;
afterEach(async () => bot?.close());

/** Reads an export back: `""` is an empty text, an empty cell a missing value; one added `'` is dropped. */
function readCsv(content: Buffer): { header: string[]; rows: AuditRow[] } {
  const records = parse(content, {
    cast: (value, context) => {
      if (!context.quoting && value === '') return null;
      return value.startsWith("'") ? value.slice(1) : value;
    },
  }) as (string | null)[][];
  const [header, ...data] = records;
  return {
    header: (header ?? []).map(String),
    rows: data.map((r) => ({
      id: Number(r[0]),
      ts: r[1] as string,
      actor: r[2] as string,
      teamId: r[3] ?? null,
      channelId: r[4] ?? null,
      op: r[5] as string,
      cardId: r[6] ?? null,
      outcome: r[7] as AuditRow['outcome'],
      reason: r[8] ?? null,
      approvalId: r[9] ?? null,
      traceId: r[10] ?? null,
      error: r[11] ?? null,
      prevHash: r[12] as string,
      hash: r[13] as string,
    })),
  };
}

const fileMessages = (b: OfflineBot) => b.slack.messages.filter((m) => m.files !== undefined);
const uploadFlow = (b: OfflineBot) =>
  b.slack.calls.map((c) => c.method).filter((m) => m === 'conversations.open' || m.startsWith('files.'));

async function seedMixed(b: OfflineBot, clock: ReturnType<typeof testClock>) {
  clock.set('2026-05-01T09:00:00Z');
  await b.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-1 lost, "stolen" wallet');
  clock.set('2026-05-02T09:00:00Z');
  await b.audit.append({
    actor: CAROL,
    channelId: 'C0SECURE',
    op: 'block',
    cardId: 'card-x',
    outcome: 'ok',
    reason: '=HYPERLINK("http://evil")',
  });
  await b.audit.append({
    actor: CAROL,
    channelId: 'C0SECURE',
    op: 'block',
    cardId: 'card-y',
    outcome: 'failed',
    reason: 'two\nlines',
    error: '-1 issuer said no',
  });
  await b.audit.append({
    actor: CAROL,
    channelId: 'C0SECURE',
    op: 'block',
    cardId: 'card-z',
    outcome: 'ok',
    reason: '',
  });
  await b.audit.append({
    actor: CAROL,
    channelId: 'C0SECURE',
    op: 'pan',
    cardId: 'card-z',
    outcome: 'revealed',
    reason: '@carol asked',
  });
  clock.set('2026-05-21T10:15:03Z');
}

describe('/card-audit export', () => {
  it('when a manager exports, then a CSV of every matching row lands in their DM through the upload flow, and the export is audited', async () => {
    const clock = testClock('2026-05-01T00:00:00Z');
    bot = await startOfflineBot({ now: clock.now });
    await seedMixed(bot, clock);
    const expected = allRows(bot)
      .filter((r) => r.op === 'block')
      .reverse();
    expect(expected.length).toBe(5);
    bot.slack.calls.length = 0;

    const result = await bot.driver.command(MANAGER, 'C0SUPPORT', '/card-audit', 'export op:block');
    expect(result.status).toBe(200);

    // The manager is told it is under way with the count, then that it was sent, ephemerally.
    const told = shownTo(bot, MANAGER);
    expect(told.map((m) => m.channel)).toEqual(['C0SUPPORT', 'C0SUPPORT']);
    expect(told[0]?.text).toMatch(/Export under way: 5 events match op `block`/);
    expect(told[1]?.text).toContain(
      'Sent 5 rows to your direct messages with cardops as `cardops-audit-20260521-101503.csv`',
    );
    for (const m of told) expect(m.text).toContain('sandbox');

    // Slack's current upload flow, in order.
    expect(uploadFlow(bot)).toEqual([
      'conversations.open',
      'files.getUploadURLExternal',
      'files.completeUploadExternal',
    ]);
    const open = bot.slack.calls.find((c) => c.method === 'conversations.open');
    expect(open?.args.users).toBe(MANAGER);
    const getUrl = bot.slack.calls.find((c) => c.method === 'files.getUploadURLExternal');
    const complete = bot.slack.calls.find((c) => c.method === 'files.completeUploadExternal');
    expect(getUrl?.args.filename).toBe('cardops-audit-20260521-101503.csv');
    expect(complete?.args.channel_id).toBe(MANAGER_DM);

    // The stand-in for Slack received the file, and it shows in the manager's DM, to them.
    expect(bot.slack.uploads.size).toBe(1);
    const [fileId, content] = [...bot.slack.uploads.entries()][0]!;
    expect(Number(getUrl?.args.length)).toBe(content.length);
    const [dm] = fileMessages(bot);
    expect(dm).toMatchObject({ channel: MANAGER_DM, via: 'files.completeUploadExternal' });
    expect(dm?.files?.[0]).toMatchObject({ id: fileId, title: 'cardops-audit-20260521-101503.csv' });
    expect(dm?.files?.[0]?.content.equals(content)).toBe(true);
    expect(dm?.text).toContain('5 rows matching op `block`');

    // The CSV parses back to exactly the rows, header first.
    const csv = readCsv(content);
    expect(csv.header).toEqual(COLUMNS);
    expect(csv.rows).toEqual(expected);
    const text = content.toString('utf8');
    expect(text.split('\r\n')[0]).toBe(COLUMNS.join(','));
    expect(text).toContain(`'=HYPERLINK(""http://evil"")`);
    expect(text).toContain('"two\nlines"');
    expect(text).toContain("'-1 issuer said no");

    // The export is audited, with the count and the file name, and is not part of its own file.
    const [look] = auditLooks(bot);
    expect(look).toMatchObject({ actor: MANAGER, op: 'audit', outcome: 'exported', channelId: 'C0SUPPORT' });
    expect(look?.reason).toBe("export op:block; 5 rows; CSV of 2026-05-21T10:15:03Z for the requester's DM");
    expect(csv.rows.map((r) => r.id)).not.toContain(look?.id);
  });

  it('when the whole log is exported, then an auditor can recompute the hash chain from the file alone', async () => {
    const clock = testClock('2026-05-01T00:00:00Z');
    bot = await startOfflineBot({ now: clock.now });
    await seedMixed(bot, clock);
    await bot.driver.command(MANAGER, 'C0SUPPORT', '/card-audit', 'export');
    const content = [...bot.slack.uploads.values()][0]!;
    const { rows } = readCsv(content);
    expect(rows.length).toBe(allRows(bot).length - 1);
    let prev = GENESIS_HASH;
    for (const r of rows) {
      const tuple: ChainedTuple = [
        r.id,
        r.ts,
        r.actor,
        r.teamId,
        r.channelId,
        r.op,
        r.cardId,
        r.outcome,
        r.reason,
        r.approvalId,
        r.traceId,
        r.error,
      ];
      expect(r.prevHash).toBe(prev);
      expect(chainHash(prev, tuple)).toBe(r.hash);
      prev = r.hash;
    }
  });

  it('when nothing matches, then nothing is uploaded, the manager is told, and the look is audited', async () => {
    bot = await startOfflineBot();
    await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-1');
    const result = await bot.driver.command(MANAGER, 'C0SUPPORT', '/card-audit', 'export card:card-none');
    expect(result.messages.map((m) => m.text)).toEqual([
      expect.stringMatching(/No audit events match card `card-none`, so there is nothing to export/),
    ]);
    expect(uploadFlow(bot)).toEqual([]);
    expect(auditLooks(bot)[0]).toMatchObject({
      outcome: 'exported',
      reason: 'export card:card-none; 0 rows; nothing sent',
    });
  });

  it.each([
    ['conversations.open', 'user_not_found', ['conversations.open'], ['failed']],
    [
      'files.getUploadURLExternal',
      'invalid_auth',
      ['conversations.open', 'files.getUploadURLExternal'],
      ['failed', 'exported'],
    ],
    [
      'files.completeUploadExternal',
      'not_in_channel',
      ['conversations.open', 'files.getUploadURLExternal', 'files.completeUploadExternal'],
      ['failed', 'exported'],
    ],
  ])(
    'when Slack refuses %s (%s), then the manager is told clearly, no file is shared, and the audit says so',
    async (method, error, calls, outcomes) => {
      bot = await startOfflineBot();
      await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-1');
      bot.slack.fail(method, { error });
      await bot.driver.command(MANAGER, 'C0SUPPORT', '/card-audit', 'export');
      expect(uploadFlow(bot)).toEqual(calls);
      const last = shownTo(bot, MANAGER).at(-1);
      expect(last?.text).toContain(
        `The export could not be delivered: Slack refused \`${method}\` (${error}). Nothing was sent to your DM.`,
      );
      expect(fileMessages(bot)).toEqual([]);
      // Every started export ends in a row: the failure, after the export row once the file was complete.
      const looks = auditLooks(bot);
      expect(looks.map((l) => l.outcome)).toEqual(outcomes);
      expect(looks[0]?.reason).toMatch(
        new RegExp(
          `^export \\(no filters\\); CSV of \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ not delivered: ${method}: ${error}$`,
        ),
      );
    },
  );

  it('when the upload URL refuses the bytes, then the file is not shared, the manager is told, and the failure is audited', async () => {
    bot = await startOfflineBot();
    await bot.driver.command(ALICE, 'C0SUPPORT', '/card', 'block card-active-1');
    const realFetch = globalThis.fetch;
    const spy = vi
      .spyOn(globalThis, 'fetch')
      .mockImplementation((input, init) =>
        String(input).includes('/upload/')
          ? Promise.resolve(new Response('gone', { status: 500 }))
          : realFetch(input, init),
      );
    try {
      await bot.driver.command(MANAGER, 'C0SUPPORT', '/card-audit', 'export');
    } finally {
      spy.mockRestore();
    }
    expect(uploadFlow(bot)).toEqual(['conversations.open', 'files.getUploadURLExternal']);
    expect(shownTo(bot, MANAGER).at(-1)?.text).toContain('Slack refused `file upload` (HTTP 500)');
    expect(fileMessages(bot)).toEqual([]);
    expect(auditLooks(bot).map((l) => l.outcome)).toEqual(['failed', 'exported']);
  });

  it('when a large export runs, then other people are answered while it streams, and the manager gets every row', async () => {
    bot = await startOfflineBot({ transport: 'http' });
    seedAuditRows(bot.db, 100_000, { end: new Date() });
    // Count the batches the export has read, without changing what it reads.
    let batchesRead = 0;
    const iterate = bot.audit.iterate;
    vi.spyOn(bot.audit, 'iterate').mockImplementation(async function* (filter, size) {
      for await (const batch of iterate(filter, size)) {
        batchesRead += 1;
        yield batch;
      }
    });
    const exporting = bot.driver.command(MANAGER, 'C0SUPPORT', '/card-audit', 'export');
    await waitFor(() => shownTo(bot, MANAGER).some((m) => m.text.includes('Export under way')), 'the export to start');
    expect(shownTo(bot, MANAGER)[0]?.text).toContain('100,000 events match all events');

    // Someone else asks while the CSV is being written: acknowledged and answered before the file is complete.
    const other = await bot.driver.deliverRaw(commandDelivery(bot, ALICE, 'C0SUPPORT', '/card', 'whoami'));
    expect(other.status).toBe(200);
    await waitFor(() => shownTo(bot, ALICE).length > 0, 'the other answer');
    const readWhenAnswered = batchesRead;
    const managerLooks = async () =>
      (await bot.audit.query({ actor: MANAGER, op: 'audit' }, { limit: 10 })).rows.map((r) => r.outcome);
    expect(await managerLooks()).toEqual([]);
    expect(uploadFlow(bot)).not.toContain('files.getUploadURLExternal');
    expect(shownTo(bot, MANAGER)).toHaveLength(1);

    await exporting;
    expect(batchesRead).toBe(100);
    expect(readWhenAnswered).toBeLessThan(batchesRead);
    expect(shownTo(bot, MANAGER).at(-1)?.text).toContain('Sent 100,000 rows');
    expect(await managerLooks()).toEqual(['exported']);
    const content = [...bot.slack.uploads.values()][0]!;
    const lines = content.toString('utf8').split('\r\n');
    expect(lines).toHaveLength(100_000 + 2); // header, rows, and the empty string after the last CRLF
    expect(lines.at(-1)).toBe('');
  });
});
