import { describe, expect, it } from 'vitest';
import { PIN_PROBLEM_TEXT, pinProblem } from '../../src/domain/cards/pin-rules.js';

describe('pinProblem', () => {
  it.each(['0000', '1111', '9999'])('when the PIN is %s, then it is refused for repeating one digit', (pin) => {
    expect(pinProblem(pin)).toBe('same-digit');
  });

  it.each(['0123', '1234', '5678', '6789'])('when the PIN is %s, then it is refused as a run up', (pin) => {
    expect(pinProblem(pin)).toBe('run-up');
  });

  it.each(['3210', '4321', '8765', '9876'])('when the PIN is %s, then it is refused as a run down', (pin) => {
    expect(pinProblem(pin)).toBe('run-down');
  });

  it.each(['123', '12345', '12a4', ' 1357', '', '１２３４'])(
    'when the PIN is %j, then its format is refused',
    (pin) => {
      expect(pinProblem(pin)).toBe('format');
    },
  );

  it.each(['5820', '8642', '1357', '7890', '2109', '1123', '1235', '0001'])(
    'when the PIN is %s, then it may be set',
    (pin) => {
      expect(pinProblem(pin)).toBeUndefined();
    },
  );

  it('when a problem is explained, then the explanation holds no PIN-like digits that could repeat the one typed', () => {
    for (const text of Object.values(PIN_PROBLEM_TEXT)) expect(text).not.toMatch(/\d{2}/);
  });
});
