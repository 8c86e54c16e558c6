import type { Clock } from '../domain/clock.js';

/**
 * The offline shell's clock: `wait 30m` jumps it, and every timer that falls due on the way runs
 * at its own moment, in order, each one's work finished (`settle`) before the next, so an expiry
 * sweep at 22m30s posts the reminder before the one at 30m expires the request, as it would in
 * half an hour of real time.
 *
 * `flowing` (a terminal session): it also moves with the wall clock, and timers fire in real time
 * as well. `frozen` (a script): it moves only by `advance`, so a script reads the same on any
 * machine, however loaded.
 */
export interface SimClock extends Clock {
  readonly mode: 'flowing' | 'frozen';
  /** Moves time on by `ms`, running every timer that falls due; `settle` waits for a timer's work. */
  advance(ms: number, settle: () => Promise<void>): Promise<{ ran: number }>;
  /** Timers waiting. */
  pending(): number;
}

interface Timer {
  at: number;
  seq: number;
  run: () => void;
  real: NodeJS.Timeout | undefined;
}

export function createSimClock(options: { mode: 'flowing' | 'frozen'; start?: Date }): SimClock {
  const frozen = options.mode === 'frozen';
  const startedAt = options.start?.getTime() ?? Date.now();
  const wallAtStart = Date.now();
  /** How far `advance` moved time, on top of the wall clock when flowing. */
  let offset = 0;
  let seq = 0;
  let advancing = false;
  const timers = new Map<number, Timer>();

  const nowMs = () => startedAt + offset + (frozen ? 0 : Date.now() - wallAtStart);

  const fire = (key: number) => {
    const timer = timers.get(key);
    if (!timer) return;
    timers.delete(key);
    if (timer.real) clearTimeout(timer.real);
    timer.run();
  };

  const nextDue = (until: number): [number, Timer] | undefined => {
    let best: [number, Timer] | undefined;
    for (const entry of timers) {
      const t = entry[1];
      if (t.at > until) continue;
      if (!best || t.at < best[1].at || (t.at === best[1].at && t.seq < best[1].seq)) best = entry;
    }
    return best;
  };

  return {
    mode: options.mode,
    now: () => new Date(nowMs()),
    setTimer(run, ms) {
      seq += 1;
      const key = seq;
      const delay = Math.max(0, ms);
      const timer: Timer = { at: nowMs() + delay, seq, run, real: undefined };
      if (!frozen) {
        // The wall clock may reach it first; while `advance` runs, it runs the timer in its turn.
        timer.real = setTimeout(() => {
          if (!advancing) fire(key);
        }, delay);
        timer.real.unref();
      }
      timers.set(key, timer);
      return key;
    },
    clearTimer(handle) {
      const timer = timers.get(handle as number);
      if (!timer) return;
      if (timer.real) clearTimeout(timer.real);
      timers.delete(handle as number);
    },
    async advance(ms, settle) {
      const end = nowMs() + ms;
      let ran = 0;
      advancing = true;
      try {
        for (;;) {
          const due = nextDue(end);
          if (!due) break;
          // Time stands at the timer's moment while it runs (never backwards).
          offset += Math.max(0, due[1].at - nowMs());
          fire(due[0]);
          ran += 1;
          await settle();
        }
        offset += Math.max(0, end - nowMs());
        // Timers the wall clock reached while we were busy.
        for (let due = nextDue(nowMs()); due; due = nextDue(nowMs())) {
          fire(due[0]);
          ran += 1;
          await settle();
        }
      } finally {
        advancing = false;
      }
      return { ran };
    },
    pending: () => timers.size,
  };
}

/** `30m`, `90s`, `2h`, `1d`, `1h30m`, or plain seconds (`60`), as milliseconds; undefined when not one of these. */
export function parseWait(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (!/^(\d+[dhms])+$/.test(t)) return undefined;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
  let total = 0;
  for (const [, n, u] of t.matchAll(/(\d+)([dhms])/g)) total += Number(n) * unit[u as keyof typeof unit];
  return total;
}

/** 1800000 → `30m`, 5400000 → `1h 30m`, 90000 → `1m 30s`. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let left = Math.round(ms / 1000);
  for (const [u, s] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(left / s);
    if (n > 0) parts.push(`${n}${u}`);
    left -= n * s;
  }
  return parts.length > 0 ? parts.join(' ') : '0s';
}
