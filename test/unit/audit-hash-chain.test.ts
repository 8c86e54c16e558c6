import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FREE_TEXT_MAX, storableFreeText, storableId } from '../../src/adapters/shared/stored-text.js';
import {
  type ChainedContent,
  canonicalContent,
  chainHash,
  GENESIS_HASH,
  toChainedTuple,
} from '../../src/domain/audit/hash-chain.js';

const row: ChainedContent = {
  id: 7,
  ts: '2026-11-21T22:20:17.123Z',
  actor: 'U0AGENT01',
  teamId: 'T0TEAM',
  channelId: 'C0SUPPORT',
  op: 'block',
  cardId: 'card-1',
  outcome: 'ok',
  reason: 'lost "wallet"',
  approvalId: null,
  traceId: 'trace-1',
  error: null,
};

describe('audit hash chain', () => {
  it('when a row is made canonical, then it is a JSON array in the fixed column order, nulls kept', () => {
    expect(canonicalContent(toChainedTuple(row))).toBe(
      '[7,"2026-11-21T22:20:17.123Z","U0AGENT01","T0TEAM","C0SUPPORT","block","card-1","ok","lost \\"wallet\\"",null,"trace-1",null]',
    );
  });

  it('when a row is hashed, then the hash is sha256 hex over the previous hash followed by the canonical content', () => {
    const expected = createHash('sha256')
      .update(GENESIS_HASH + canonicalContent(toChainedTuple(row)))
      .digest('hex');
    expect(chainHash(GENESIS_HASH, toChainedTuple(row))).toBe(expected);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('when only the id, a null-versus-empty field or the previous hash differs, then the hash differs', () => {
    const base = chainHash(GENESIS_HASH, toChainedTuple(row));
    expect(chainHash(GENESIS_HASH, toChainedTuple({ ...row, id: 8 }))).not.toBe(base);
    expect(chainHash(GENESIS_HASH, toChainedTuple({ ...row, error: '' }))).not.toBe(base);
    expect(chainHash('1'.repeat(64), toChainedTuple(row))).not.toBe(base);
  });
});

describe('audit free text', () => {
  it('when a reason holds a card-number-like run, then only the first 6 and last 4 digits are kept', () => {
    expect(storableFreeText('customer read 4929 8712 3456 0986 aloud')).toBe('customer read 492987******0986 aloud');
    expect(storableFreeText('pan 4929871234560986, ticket 123456')).toBe('pan 492987******0986, ticket 123456');
  });

  it('when free text is longer than the cap, then it is masked first and cut to the cap', () => {
    const text = `${'x'.repeat(FREE_TEXT_MAX - 8)} 4929871234560986 tail`;
    const stored = storableFreeText(text)!;
    expect(stored.length).toBe(FREE_TEXT_MAX);
    expect(stored).not.toMatch(/\d{7}/);
    expect(stored.endsWith('…')).toBe(true);
  });

  it('when free text holds a lone surrogate, then it is replaced so the text reads back from SQLite as hashed', () => {
    expect(storableFreeText('a\uD800b')).toBe('a\uFFFDb');
    expect(storableFreeText('ok 😀')).toBe('ok 😀');
  });

  it('when an id is a bare card number, then it is masked; other ids are kept', () => {
    expect(storableId('4929871234560986')).toBe('492987******0986');
    expect(storableId('card-123')).toBe('card-123');
    expect(storableId(null)).toBeNull();
  });
});
