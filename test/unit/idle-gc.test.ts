import v8 from 'node:v8';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type IdleCollectorOptions, startIdleCollector } from '../../src/service/idle-gc.js';

const logger = pino({ level: 'silent' });
const used = () => v8.getHeapStatistics().used_heap_size;

/** About 30 MB of small objects that survive a few scavenges, as a burst of requests leaves them. */
function makeGarbage(): unknown[] {
  return Array.from({ length: 400_000 }, (_, i) => ({ i, text: `request ${i}`, at: [i, i + 1] }));
}

/**
 * A collector whose timer never fires on its own (the test calls `tick`), with the sizes it freed
 * recorded; stopped after the body.
 */
async function withCollector(
  options: Omit<IdleCollectorOptions, 'logger' | 'windowMs' | 'onCollect'>,
  body: (tick: () => Promise<void>, freed: number[]) => Promise<void>,
): Promise<void> {
  const freed: number[] = [];
  const collector = startIdleCollector({
    logger,
    windowMs: 3_600_000,
    ...options,
    onCollect: (bytes) => freed.push(bytes),
  });
  try {
    await body(() => collector.tick(), freed);
  } finally {
    collector.stop();
  }
}

describe('the idle collector gives a busy spell’s heap back once the process is idle', () => {
  it('runs one full collection when the loop was idle and the heap grew, and the garbage is gone after it', async () => {
    await withCollector({ maxUtilization: 1, minGrowthBytes: 1 }, async (tick, freed) => {
      let junk: unknown[] | undefined = makeGarbage();
      expect(junk.length).toBe(400_000);
      junk = undefined;
      const before = used();
      await tick();
      expect(freed).toHaveLength(1);
      expect(before - used()).toBeGreaterThan(10 * 2 ** 20);
    });
  });

  it('never collects while the event loop is busy, however large the heap', async () => {
    await withCollector({ maxUtilization: 0, minGrowthBytes: 1 }, async (tick, freed) => {
      const end = Date.now() + 50;
      while (Date.now() < end) makeGarbage().length;
      await tick();
      expect(freed).toHaveLength(0);
    });
  });

  it('leaves a heap that has not grown past the threshold alone', async () => {
    await withCollector({ maxUtilization: 1, minGrowthBytes: 2 ** 40, minBusyMs: 60_000 }, async (tick, freed) => {
      await tick();
      await tick();
      expect(freed).toHaveLength(0);
    });
  });

  it('after a busy spell, collects once when idle even if the heap did not grow past the threshold, then not again', async () => {
    await withCollector({ maxUtilization: 1, minGrowthBytes: 2 ** 40, minBusyMs: 50 }, async (tick, freed) => {
      const end = Date.now() + 120;
      while (Date.now() < end) makeGarbage().length;
      await tick();
      expect(freed).toHaveLength(1);
      await tick();
      expect(freed).toHaveLength(1);
    });
  });
});
