import { describe, expect, it } from 'vitest';
import { every } from '../../src/domain/clock.js';
import { createSimClock, formatDuration, parseWait } from '../../src/shell/sim-clock.js';

describe('the shell simulated clock', () => {
  it('when advanced, then each timer due runs at its own moment, in order, its work settled before the next', async () => {
    const clock = createSimClock({ mode: 'frozen', start: new Date('2026-12-04T09:00:00Z') });
    const seen: string[] = [];
    let settled = 0;
    clock.setTimer(() => seen.push(`b ${clock.now().toISOString()} after ${settled}`), 20 * 60_000);
    clock.setTimer(() => seen.push(`a ${clock.now().toISOString()} after ${settled}`), 90_000);
    const stop = every(clock, 10 * 60_000, () => seen.push(`tick ${clock.now().toISOString()}`));
    clock.setTimer(() => seen.push('too late'), 31 * 60_000);
    const { ran } = await clock.advance(30 * 60_000, async () => {
      settled += 1;
    });
    expect(seen).toEqual([
      'a 2026-12-04T09:01:30.000Z after 0',
      'tick 2026-12-04T09:10:00.000Z',
      'b 2026-12-04T09:20:00.000Z after 2',
      'tick 2026-12-04T09:20:00.000Z',
      'tick 2026-12-04T09:30:00.000Z',
    ]);
    expect(ran).toBe(5);
    expect(clock.now().toISOString()).toBe('2026-12-04T09:30:00.000Z');
    stop();
    // The late timer and nothing else is left: a stopped job leaves no timer behind.
    expect(clock.pending()).toBe(1);
  });

  it('when frozen, then time moves only by advance; a cleared timer never runs', async () => {
    const clock = createSimClock({ mode: 'frozen' });
    const before = clock.now().getTime();
    let ran = false;
    const handle = clock.setTimer(() => {
      ran = true;
    }, 1000);
    clock.clearTimer(handle);
    await clock.advance(5000, async () => {});
    expect(ran).toBe(false);
    expect(clock.now().getTime() - before).toBe(5000);
  });

  it('when a wait is typed, then 90s, 30m, 2h, 1h30m and plain seconds are understood, anything else is not', () => {
    expect(parseWait('90s')).toBe(90_000);
    expect(parseWait('30m')).toBe(1_800_000);
    expect(parseWait('2h')).toBe(7_200_000);
    expect(parseWait('1h30m')).toBe(5_400_000);
    expect(parseWait('60')).toBe(60_000);
    for (const bad of ['soon', '', '30 minutes', '-5', 'm']) expect(parseWait(bad), bad).toBeUndefined();
    expect(formatDuration(5_400_000)).toBe('1h 30m');
    expect(formatDuration(90_000)).toBe('1m 30s');
  });
});
