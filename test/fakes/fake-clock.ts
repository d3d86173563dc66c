/**
 * A Clock whose time moves only when a test says so. advance(ms) fires due
 * timers in time order, each seeing now() equal to its due time, including
 * timers that fired timers schedule within the advanced span.
 */
import type { Clock, ClockTimer } from '../../control-plane/controllers/runtime/clock.ts';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const p: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.push(p);
    return { cancel: () => (this.pending = this.pending.filter((x) => x !== p)) };
  }

  /** Timers not yet fired. */
  get timers(): number {
    return this.pending.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.pending = this.pending.filter((x) => x !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }

  /** advance(ms), then lets promise callbacks that the timers released run. */
  async tick(ms: number): Promise<void> {
    this.advance(ms);
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }

  private nextDue(end: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) {
      if (p.at > end) continue;
      if (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    }
    return best;
  }
}
