import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { decodeAuditPageRef, encodeAuditPageRef, parseAuditCommand } from '../../src/domain/audit/audit-command.js';
import {
  AUDIT_OPS,
  formatAuditFilter,
  parseAuditFilters,
  parseTimeBound,
  tokenize,
} from '../../src/domain/audit/audit-filters.js';
import { AUDIT_OUTCOMES, type AuditRow } from '../../src/domain/audit/audit-types.js';
import { AUDIT_CSV_COLUMNS, auditCsvBuffer, neutraliseCsvCell } from '../../src/domain/audit/export-csv.js';

const NOW = new Date('2026-05-21T10:15:03.123Z');
const filters = (text: string) => parseAuditFilters(tokenize(text), NOW);

describe('audit filters', () => {
  it('when each filter is given alone, then it becomes the matching store filter', () => {
    expect(filters('user:U0MANAGER')).toMatchObject({ ok: true, filter: { actor: 'U0MANAGER' } });
    expect(filters('card:card-active-1')).toMatchObject({ ok: true, filter: { cardId: 'card-active-1' } });
    expect(filters('op:pan')).toMatchObject({ ok: true, filter: { op: 'pan' } });
    expect(filters('outcome:denied')).toMatchObject({ ok: true, filter: { outcome: 'denied' } });
    expect(filters('channel:C0SECURE')).toMatchObject({ ok: true, filter: { channelId: 'C0SECURE' } });
    expect(filters('since:7d')).toMatchObject({ ok: true, filter: { since: '2026-05-14T10:15:03.123Z' } });
    expect(filters('until:24h')).toMatchObject({ ok: true, filter: { until: '2026-05-20T10:15:03.123Z' } });
    expect(filters('')).toEqual({ ok: true, filter: {}, canonical: '' });
  });

  it('when filters are combined in any order, then all of them apply', () => {
    const a = filters(
      'op:pan user:<@U0SENIOR1|carol> since:2026-05-01 card:c-1 outcome:revealed channel:<#C0SECURE|secure-support> until:2026-05-20',
    );
    const b = filters(
      'until:2026-05-20 channel:C0SECURE outcome:revealed card:c-1 since:2026-05-01 user:U0SENIOR1 op:pan',
    );
    expect(a).toEqual(b);
    expect(a).toMatchObject({
      ok: true,
      filter: {
        actor: 'U0SENIOR1',
        cardId: 'c-1',
        op: 'pan',
        outcome: 'revealed',
        channelId: 'C0SECURE',
        since: '2026-05-01T00:00:00.000Z',
        until: '2026-05-21T00:00:00.000Z',
      },
    });
  });

  it('when mentions arrive as Slack sends them with escaping on, then their ids are used', () => {
    expect(filters('user:<@U0AGENT01|alice>')).toMatchObject({ filter: { actor: 'U0AGENT01' } });
    expect(filters('user:<@W0AGENT01>')).toMatchObject({ filter: { actor: 'W0AGENT01' } });
    expect(filters('channel:<#C0SUPPORT|support>')).toMatchObject({ filter: { channelId: 'C0SUPPORT' } });
    expect(filters('channel:<#G0PRIVATE|>')).toMatchObject({ filter: { channelId: 'G0PRIVATE' } });
    expect(filters('channel:<#C0SUPPORT>')).toMatchObject({ filter: { channelId: 'C0SUPPORT' } });
    expect(tokenize('user:<@U1|John Smith> op:pan')).toEqual(['user:<@U1|John Smith>', 'op:pan']);
  });

  it('when a space follows the colon, then the next word is the value', () => {
    expect(filters('user: <@U0AGENT01|alice> op: pan since: 2026-05-01T09:30Z')).toMatchObject({
      ok: true,
      filter: { actor: 'U0AGENT01', op: 'pan', since: '2026-05-01T09:30:00.000Z' },
    });
    const empty = filters('op: card:c-1');
    expect(!empty.ok && empty.problem).toMatch(/op: needs a value/);
  });

  it('when a bare @name or #name is given, then the answer says to pick from the autocomplete', () => {
    const user = filters('user:@carol');
    expect(user.ok).toBe(false);
    expect(!user.ok && user.problem).toMatch(/autocomplete/);
    const channel = filters('channel:#support');
    expect(!channel.ok && channel.problem).toMatch(/autocomplete/);
  });

  it.each([
    ['foo:bar', /not a filter/],
    ['pan', /key:value/],
    ['op:pan op:cvv', /twice/],
    ['op:', /needs a value/],
    ['op:steal', /not an op/],
    ['outcome:maybe', /not an outcome/],
    ['card:4929871234560986', /card number/],
    ['card:bad!id', /not a valid card id/],
    ['user:carol', /not a Slack user/],
    ['channel:support', /not a Slack channel/],
    ['since:yesterday', /not a time/],
    ['since:2026-02-30', /not a time/],
    ['since:2026-05-01T10:00', /not a time/],
    ['since:99999d', /not a time/],
    ['since:2026-05-10 until:2026-05-01', /before until/],
  ])('when the filter is %s, then it is refused with a reason', (text, problem) => {
    const result = filters(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(problem);
  });

  it('when a typed value looks like a card number, then the problem shown masks it', () => {
    const result = filters('user:4929871234560986');
    expect(!result.ok && result.problem).not.toContain('4929871234560986');
  });

  it('when every op and outcome the audit writes is asked for, then each is accepted', () => {
    for (const op of AUDIT_OPS) expect(filters(`op:${op}`).ok).toBe(true);
    for (const outcome of AUDIT_OUTCOMES) expect(filters(`outcome:${outcome.toUpperCase()}`).ok).toBe(true);
  });

  it('when times are given as dates, ISO times with zones or relative amounts, then they resolve to UTC', () => {
    expect(parseTimeBound('2026-05-01', NOW, 'since')).toBe('2026-05-01T00:00:00.000Z');
    expect(parseTimeBound('2026-05-01', NOW, 'until')).toBe('2026-05-02T00:00:00.000Z');
    expect(parseTimeBound('2026-05-01T09:30Z', NOW, 'since')).toBe('2026-05-01T09:30:00.000Z');
    expect(parseTimeBound('2026-05-01T09:30:00+02:00', NOW, 'since')).toBe('2026-05-01T07:30:00.000Z');
    expect(parseTimeBound('30m', NOW, 'since')).toBe('2026-05-21T09:45:03.123Z');
    expect(parseTimeBound('2w', NOW, 'since')).toBe('2026-05-07T10:15:03.123Z');
  });

  it('when the canonical text is parsed again later, then the filter is the same, relative times included', () => {
    const first = filters('user:<@U0SENIOR1|carol> since:7d op:PAN');
    if (!first.ok) throw new Error(first.problem);
    expect(first.canonical).toBe('user:U0SENIOR1 op:pan since:2026-05-14T10:15:03.123Z');
    const later = parseAuditFilters(tokenize(first.canonical), new Date('2027-01-01T00:00:00Z'));
    expect(later).toEqual(first);
    expect(formatAuditFilter(first.filter)).toBe(first.canonical);
  });
});

describe('/card-audit command text', () => {
  it('when the text names export or verify, then that is what is asked', () => {
    expect(parseAuditCommand('export op:pan', NOW)).toMatchObject({ kind: 'export', filter: { op: 'pan' } });
    expect(parseAuditCommand('EXPORT', NOW)).toMatchObject({ kind: 'export', filter: {} });
    expect(parseAuditCommand('verify', NOW)).toEqual({ kind: 'verify' });
    expect(parseAuditCommand('help', NOW)).toEqual({ kind: 'help' });
    expect(parseAuditCommand('', NOW)).toEqual({ kind: 'query', filter: {}, canonical: '' });
    expect(parseAuditCommand('verify op:pan', NOW)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/no filters/),
    });
    expect(parseAuditCommand(`card:${'a'.repeat(1200)}`, NOW)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/too long/),
    });
  });

  it('when a page button value is decoded, then it round-trips, and a tampered value is refused', () => {
    const value = encodeAuditPageRef({ canonical: 'op:pan since:2026-05-14T10:15:03.123Z', before: 42, page: 2 });
    expect(value.length).toBeLessThan(2000);
    expect(decodeAuditPageRef(value, NOW)).toEqual({
      ref: { canonical: 'op:pan since:2026-05-14T10:15:03.123Z', before: 42, page: 2 },
      filter: { op: 'pan', since: '2026-05-14T10:15:03.123Z' },
    });
    expect(decodeAuditPageRef('{"q":"op:steal","b":42,"p":2}', NOW)).toBeUndefined();
    expect(decodeAuditPageRef('{"q":"","b":-1,"p":2}', NOW)).toBeUndefined();
    expect(decodeAuditPageRef('{"q":"","b":4,"p":2,"x":1}', NOW)).toBeUndefined();
    expect(decodeAuditPageRef('not json', NOW)).toBeUndefined();
    expect(decodeAuditPageRef(undefined, NOW)).toBeUndefined();
  });
});

describe('audit CSV', () => {
  const row = (id: number, reason: string | null): AuditRow => ({
    id,
    ts: `2026-05-21T10:15:0${id}.000Z`,
    actor: 'U0SENIOR1',
    teamId: 'T0CARDOPS',
    channelId: 'C0SECURE',
    op: 'pan',
    cardId: 'card-active-1',
    outcome: 'revealed',
    reason,
    approvalId: null,
    traceId: 'trace-1',
    error: null,
    prevHash: '0'.repeat(64),
    hash: 'f'.repeat(64),
  });

  it('when cells hold commas, quotes, line breaks and formulas, then the CSV parses back to the neutralised values', async () => {
    const rows = [
      row(1, 'lost, "stolen"\r\nwallet'),
      row(2, '=HYPERLINK("http://x")'),
      row(3, ''),
      row(4, null),
      row(5, "'quoted"),
    ];
    const { content, rows: count } = await auditCsvBuffer([rows.slice(0, 2), [], rows.slice(2)]);
    expect(count).toBe(5);
    const text = content.toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const parsed = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(parsed[0] ?? {})).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(parsed.map((r) => r.reason)).toEqual([
      'lost, "stolen"\r\nwallet',
      '\'=HYPERLINK("http://x")',
      '',
      '',
      "''quoted",
    ]);
    // A missing value is an empty cell, an empty text is "".
    expect(text).toContain(',revealed,"",,trace-1,');
    expect(text).toContain(',revealed,,,trace-1,');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', "'x"])(
    'when a cell starts like %j, then it gets a leading quote',
    (value) => {
      expect(neutraliseCsvCell(value)).toBe(`'${value}`);
    },
  );

  it('when a cell is plain text, an id or a time, then it is written as is', () => {
    expect(neutraliseCsvCell('lost wallet')).toBe('lost wallet');
    expect(neutraliseCsvCell('2026-05-21T10:15:03.123Z')).toBe('2026-05-21T10:15:03.123Z');
    expect(neutraliseCsvCell(12)).toBe('12');
    expect(neutraliseCsvCell(null)).toBeNull();
  });
});
