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
