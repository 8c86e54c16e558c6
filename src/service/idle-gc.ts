import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { Logger } from 'pino';

/**
 * Gives back the memory of a busy spell once the process is idle again.
 *
 * Under load V8 lets its heap grow with garbage (measured: 107 MB of heap, 26 MB of it live, after
 * 10,000 commands) and leaves it in place until its memory reducer runs, which it may never do:
 * RSS stayed at 205 MB through 30 s of idle, and fell to 125 MB at once with one full GC. A
 * service that runs for months must not hold its peak because of a heuristic, so when the event
 * loop has been (almost) idle for a whole window after a busy spell (a second of loop work since
 * the last collection, or a heap grown well past what it left), one full GC runs. On an idle process it costs some tens of milliseconds nobody
 * waits for; under load it never runs. The GC is asked for through the in-process inspector
 * session (`HeapProfiler.collectGarbage`, a public API; no `--expose-gc` flag, no open port).
 * See docs/decisions/0015-memory-after-a-busy-spell.md.
 */

export interface IdleCollectorOptions {
  logger: Logger;
  /** How often idleness is looked at; the GC runs at the end of the first idle window. */
  windowMs?: number;
  /** The event loop counts as idle below this utilisation over a window (0–1). */
  maxUtilization?: number;
  /** Collect when the heap is this much larger than the last collection left it… */
  minGrowthBytes?: number;
  /** …or when the event loop has worked this long (ms) since the last collection: a busy spell. */
  minBusyMs?: number;
  /** Counts the collections (a metric). */
  onCollect?: (freedBytes: number) => void;
}

export interface IdleCollector {
  stop(): void;
  /** One look now, as the timer would (tests). Resolves when any collection has finished. */
  tick(): Promise<void>;
}

const MB = 2 ** 20;

export function startIdleCollector(options: IdleCollectorOptions): IdleCollector {
  const windowMs = options.windowMs ?? 5_000;
  const maxUtilization = options.maxUtilization ?? 0.02;
  const minGrowth = options.minGrowthBytes ?? 32 * MB;
  const minBusy = options.minBusyMs ?? 1_000;
  // The committed heap at start varies with when start-up's garbage was collected, so growth alone
  // is not enough to tell a busy spell (measured: one run's burst stayed under it); the loop's own
  // work since the last collection is.
  let busyMs = 0;
  let baseline = heapSize();
  let last = performance.eventLoopUtilization();
  let collecting = false;

  // A session only for the moment of the collection: nothing stays attached to the inspector.
  const collect = () =>
    new Promise<void>((resolve) => {
      const session = new Session();
      const done = (error?: unknown) => {
        if (error) options.logger.debug({ err: error }, 'idle collection could not run');
        // Not from inside the post's callback: disconnecting there blocks the thread for good.
        setImmediate(() => {
          try {
            session.disconnect();
          } finally {
            resolve();
          }
        });
      };
      try {
        session.connect();
        session.post('HeapProfiler.collectGarbage', (error) => done(error ?? undefined));
      } catch (error) {
        done(error);
      }
    });

  const tick = async () => {
    const now = performance.eventLoopUtilization();
    const window = performance.eventLoopUtilization(now, last);
    last = now;
    busyMs += window.active;
    if (collecting || window.utilization > maxUtilization) return;
    const before = heapSize();
    if (busyMs < minBusy && before < baseline + minGrowth) {
      // The heap shrank on its own (V8 did collect): measure growth from there.
      baseline = Math.min(baseline, before);
      return;
    }
    collecting = true;
    try {
      await collect();
      baseline = heapSize();
      busyMs = 0;
      options.onCollect?.(Math.max(0, before - baseline));
      options.logger.debug(
        { heapBeforeMb: Math.round(before / MB), heapAfterMb: Math.round(baseline / MB) },
        'idle: the heap of the last busy spell was collected',
      );
    } finally {
      // The collection itself is work of the event loop: the next window starts after it.
      last = performance.eventLoopUtilization();
      collecting = false;
    }
  };

  const timer = setInterval(() => void tick(), windowMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
    tick,
  };
}

/** The V8 heap the process holds (committed), which is what an idle collection gives back. */
function heapSize(): number {
  return v8.getHeapStatistics().total_heap_size;
}
