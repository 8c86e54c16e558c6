import { describe, expect, it } from 'vitest';
import { activationLockedUntil, cardInHandMatches } from '../../src/domain/cards/card-check.js';

const CARD = { pan: '4000001234567899', cvv: '913' };
const at = (time: string) => new Date(`2026-03-01T${time}:00Z`);

describe('cardInHandMatches', () => {
  it('when the last 4 digits and the CVV are right, then it matches', () => {
    expect(cardInHandMatches({ last4: '7899', cvv: '913' }, CARD)).toBe(true);
  });

  it.each([
    { last4: '7898', cvv: '913' },
    { last4: '7899', cvv: '914' },
    { last4: '7899', cvv: '9130' },
    { last4: '899', cvv: '913' },
    { last4: '', cvv: '' },
  ])('when the details are $last4 / $cvv, then it does not match (and never throws on lengths)', (typed) => {
    expect(cardInHandMatches(typed, CARD)).toBe(false);
  });

  it('when the PAN comes with separators, then only its digits count', () => {
    expect(cardInHandMatches({ last4: '7899', cvv: '913' }, { pan: '4000 0012 3456 7899', cvv: '913' })).toBe(true);
  });
});

describe('activationLockedUntil', () => {
  it('when fewer than three checks failed, then the card is not locked', () => {
    expect(activationLockedUntil([at('10:00'), at('10:05')], at('10:06'))).toBeUndefined();
  });

  it('when three checks failed within an hour, then the card is locked for an hour after the third', () => {
    const failures = [at('10:00'), at('10:40'), at('10:50')];
    expect(activationLockedUntil(failures, at('10:51'))).toEqual(at('11:50'));
    expect(activationLockedUntil(failures, at('11:49'))).toEqual(at('11:50'));
    expect(activationLockedUntil(failures, at('11:50'))).toBeUndefined();
  });

  it('when three checks failed over more than an hour, then the card is not locked', () => {
    expect(activationLockedUntil([at('10:00'), at('10:40'), at('11:01')], at('11:02'))).toBeUndefined();
  });

  it('when failures come in any order, then the lock is the same', () => {
    expect(activationLockedUntil([at('10:50'), at('10:00'), at('10:40')], at('10:51'))).toEqual(at('11:50'));
  });
});
