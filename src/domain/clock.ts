/**
 * The time everything time-driven runs on: the current time, and one-shot timers. Injected, so a
 * test or the offline shell's `wait` can move time on and see expiry, reminders and hiding happen.
 */
export interface Clock {
  now(): Date;
  /** Runs `run` once, `ms` from now; the timer never keeps the process alive. */
  setTimer(run: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The wall clock and Node's timers (unref'd: shutdown does the last work itself). */
export const realClock: Clock = {
  now: () => new Date(),
  setTimer: (run, ms) => {
    const handle = setTimeout(run, ms);
    handle.unref();
    return handle;
  },
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A job every `everyMs` on `clock` (each run schedules the next); returns how to stop it. */
export function every(clock: Clock, everyMs: number, run: () => void): () => void {
  let handle: unknown;
  let stopped = false;
  const schedule = () => {
    handle = clock.setTimer(() => {
      if (stopped) return;
      schedule();
      run();
    }, everyMs);
  };
  schedule();
  return () => {
    stopped = true;
    clock.clearTimer(handle);
  };
}
