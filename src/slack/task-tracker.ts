import type { Logger } from '../logger.js';
import type { TaskTracker } from './deps.js';

/** Counts work in flight so shutdown can finish it and tests can wait for it. */
export function createTaskTracker(logger: Logger): TaskTracker & { enter(): () => void } {
  let active = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (active > 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  const enter = () => {
    active += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      active -= 1;
      // Let the microtasks queued by the finished work run before calling it idle.
      setImmediate(settle);
    };
  };
  return {
    enter,
    run(name, task) {
      const leave = enter();
      task()
        .catch((error: unknown) => logger.error({ err: error, task: name }, 'background task failed'))
        .finally(leave);
    },
    idle() {
      if (active === 0) return new Promise((resolve) => setImmediate(resolve));
      return new Promise((resolve) => waiters.push(resolve));
    },
    get active() {
      return active;
    },
  };
}
