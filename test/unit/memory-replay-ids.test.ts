import { describe, expect, it } from 'vitest';
import { createMemoryReplayIds } from '../../src/adapters/memory/replay-ids.js';

describe('replay ids remembered in memory', () => {
  it('when an id comes again within its ttl, then it is a replay; after the ttl, or once pushed out by newer ids, it is new', async () => {
    let time = 1_800_000_000_000;
    const ids = createMemoryReplayIds({ maxIds: 3, now: () => time });
    const ttl = 5 * 60_000;
    expect(await ids.firstSeen('trigger:a', ttl)).toBe(true);
    expect(await ids.firstSeen('trigger:a', ttl)).toBe(false);
    expect(await ids.firstSeen('event:a', ttl)).toBe(true);
    time += ttl - 1_000;
    expect(await ids.firstSeen('trigger:a', ttl)).toBe(false);
    time += 2_000;
    expect(await ids.firstSeen('trigger:a', ttl)).toBe(true);
    // Full (3): the oldest go first.
    for (const id of ['trigger:b', 'trigger:c', 'trigger:d']) expect(await ids.firstSeen(id, ttl)).toBe(true);
    expect(await ids.firstSeen('trigger:d', ttl)).toBe(false);
    expect(await ids.firstSeen('trigger:a', ttl)).toBe(true);
  });
});

describe('replay ids remembered in memory, against a model', () => {
  it('when thousands of ids come and come again in random order over time, then each answer is what the plain model says', async () => {
    // The model: an id is a replay while its last acceptance is among the last `max` acceptances and its ttl has not run out.
    let seed = 20261204;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const max of [1, 3, 17, 64]) {
      let time = 1_800_000_000_000;
      const ids = createMemoryReplayIds({ maxIds: max, now: () => time });
      const accepted: { id: string; expires: number }[] = [];
      for (let step = 0; step < 4_000; step += 1) {
        const id = `event:${Math.floor(random() * max * 3)}`;
        const ttl = 1_000 + Math.floor(random() * 5) * 1_000;
        const recent = accepted.slice(-max);
        const last = recent.filter((a) => a.id === id).at(-1);
        const replay = last !== undefined && last.expires > time;
        expect(await ids.firstSeen(id, ttl), `max ${max}, step ${step}, ${id}`).toBe(!replay);
        if (!replay) accepted.push({ id, expires: time + ttl });
        time += Math.floor(random() * 4) * 100; // whole tenths: the store keeps expiries in tenths of a second
      }
    }
  });
});
