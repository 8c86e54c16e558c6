import v8 from 'node:v8';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startIdleCollector } from '../../src/service/idle-gc.js';

const logger = pino({ level: 'silent' });
const used = () => v8.getHeapStatistics().used_heap_size;

/** About 30 MB of small objects that survive a few scavenges, as a burst of requests leaves them. */
function makeGarbage(): unknown[] {
  return Array.from({ length: 400_000 }, (_, i) => ({ i, text: `request ${i}`, at: [i, i + 1] }));
}

describe('the idle collector gives a busy spell’s heap back once the process is idle', () => {
  it('runs one full collection when the loop was idle and the heap grew, and the garbage is gone after it', async () => {
    const freed: number[] = [];
    const collector = startIdleCollector({
      logger,
      windowMs: 3_600_000,
      maxUtilization: 1,
      minGrowthBytes: 1,
      onCollect: (bytes) => freed.push(bytes),
    });
    try {
      let junk: unknown[] | undefined = makeGarbage();
      expect(junk.length).toBe(400_000);
      junk = undefined;
      const before = used();
      await collector.tick();
      expect(freed).toHaveLength(1);
      expect(before - used()).toBeGreaterThan(10 * 2 ** 20);
    } finally {
      collector.stop();
    }
  });

  it('never collects while the event loop is busy, however large the heap', async () => {
    const freed: number[] = [];
    const collector = startIdleCollector({
      logger,
      windowMs: 3_600_000,
      maxUtilization: 0,
      minGrowthBytes: 1,
      onCollect: (bytes) => freed.push(bytes),
    });
    try {
      const end = Date.now() + 50;
      while (Date.now() < end) makeGarbage().length;
      await collector.tick();
      expect(freed).toHaveLength(0);
    } finally {
      collector.stop();
    }
  });

  it('leaves a heap that has not grown past the threshold alone', async () => {
    const freed: number[] = [];
    const collector = startIdleCollector({
      logger,
      windowMs: 3_600_000,
      maxUtilization: 1,
      minGrowthBytes: 2 ** 40,
      minBusyMs: 60_000,
      onCollect: (bytes) => freed.push(bytes),
    });
    try {
      await collector.tick();
      await collector.tick();
      expect(freed).toHaveLength(0);
    } finally {
      collector.stop();
    }
  });

  it('after a busy spell, collects once when idle even if the heap did not grow past the threshold, then not again', async () => {
    const freed: number[] = [];
    const collector = startIdleCollector({
      logger,
      windowMs: 3_600_000,
      maxUtilization: 1,
      minGrowthBytes: 2 ** 40,
      minBusyMs: 50,
      onCollect: (bytes) => freed.push(bytes),
    });
    try {
      const end = Date.now() + 120;
      while (Date.now() < end) makeGarbage().length;
      await collector.tick();
      expect(freed).toHaveLength(1);
      await collector.tick();
      expect(freed).toHaveLength(1);
    } finally {
      collector.stop();
    }
  });
});
