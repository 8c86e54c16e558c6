import type { CheckpointClock } from '../../src/domain/audit/checkpointer.js';

/** A checkpoint clock the test moves: timers run only when `advance` passes their time. */
export function manualClock(start = '2026-11-22T10:00:00.000Z') {
  let now = new Date(start).getTime();
  let seq = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  const clock: CheckpointClock & { advance(ms: number): void; pending(): number } = {
    now: () => new Date(now),
    setTimer(run, ms) {
      seq += 1;
      timers.set(seq, { at: now + ms, run });
      return seq;
    },
    clearTimer(handle) {
      timers.delete(handle as number);
    },
    /** Moves time on, running every timer that falls due, in order. */
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].run();
      }
      now = end;
    },
    pending: () => timers.size,
  };
  return clock;
}
