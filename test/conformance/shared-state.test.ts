import { expect, it } from 'vitest';
import { describeEachEngine } from './engines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachEngine('replay ids, card locks and replicas conformance', (engine) => {
  it('when a delivery id is seen again within its time, then only its first sighting counts; after it, it counts again', async () => {
    const a = await engine.open();
    const b = engine.shared ? await engine.open() : a;
    const seen = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).replayIds.firstSeen('trigger:abc', 60_000)),
    );
    expect(seen.filter(Boolean)).toHaveLength(1);
    expect(await b.replayIds.firstSeen('trigger:other', 60_000)).toBe(true);
    expect(await a.replayIds.firstSeen('event:short', 100)).toBe(true);
    await sleep(250);
    expect(await b.replayIds.firstSeen('event:short', 100)).toBe(true);
  });

  it('when two tasks take the same card lock, then they never overlap; different cards do not wait for each other', async () => {
    const a = await engine.open();
    const b = engine.shared ? await engine.open() : a;
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`${name} in`);
      await sleep(ms);
      log.push(`${name} out`);
      return name;
    };
    const results = await Promise.all([
      a.cardLocks.run('activate:card-1', task('a1', 150)),
      b.cardLocks.run('activate:card-1', task('b1', 10)),
      b.cardLocks.run('activate:card-2', task('b2', 10)),
    ]);
    expect(results).toEqual(['a1', 'b1', 'b2']);
    const card1 = log.filter((line) => line.endsWith('1 in') || line.endsWith('1 out'));
    // Whichever got the lock first ran to its end before the other started.
    const first = card1[0]?.split(' ')[0];
    expect(card1).toEqual([
      `${first} in`,
      `${first} out`,
      ...(first === 'a1' ? ['b1 in', 'b1 out'] : ['a1 in', 'a1 out']),
    ]);
    // card-2 ran while card-1 was held.
    expect(log.indexOf('b2 out')).toBeLessThan(log.indexOf('a1 out'));
    // A task that throws releases the lock.
    await expect(a.cardLocks.run('activate:card-1', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(await b.cardLocks.run('activate:card-1', async () => 'after')).toBe('after');
  });

  it('when replicas beat, then each sees the others alive until they go stale or leave, and a stale one is handed to one caller', async () => {
    const a = await engine.open({ replicaId: 'replica-a' });
    const b = await engine.open({ replicaId: 'replica-b' });
    const c = await engine.open({ replicaId: 'replica-c' });
    await Promise.all([a.replicas.beat(), b.replicas.beat(), c.replicas.beat()]);
    if (!engine.shared) {
      // One process alone on its file: no siblings, nothing to hand over.
      expect(await a.replicas.liveSiblings(60_000)).toEqual([]);
      expect(await a.replicas.forgetStale(0)).toEqual([]);
      return;
    }
    expect(await a.replicas.liveSiblings(60_000)).toEqual(['replica-b', 'replica-c']);
    await c.replicas.leave();
    expect(await a.replicas.liveSiblings(60_000)).toEqual(['replica-b']);
    await sleep(300);
    await a.replicas.beat();
    expect(await a.replicas.liveSiblings(200)).toEqual([]);
    expect(await b.replicas.liveSiblings(200)).toEqual(['replica-a']);
    const handed = await Promise.all([a.replicas.forgetStale(200), c.replicas.forgetStale(200)]);
    expect(handed.flat()).toEqual(['replica-b']);
    expect(await a.replicas.forgetStale(200)).toEqual([]);
  });
});
