import type { Scheduler } from '../../apps/browser-sdk/dispatcher.ts';
import type { SendOutcome, Transport } from '../../apps/browser-sdk/transport.ts';

/** A clock whose time moves only when a test says so; timers fire in due order. */
export class FakeScheduler implements Scheduler {
  private time = Date.parse('2026-03-01T12:00:00.000Z');
  private timers: { id: number; due: number; callback: () => void }[] = [];
  private nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ id, due: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  pending(): number[] {
    return this.timers.map((t) => t.due - this.time);
  }

  /** Moves time on, running each timer that falls due and letting its promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.due - b.due)[0];
      if (next === undefined || next.due > end) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.due;
      next.callback();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.time = end;
  }
}

export type SentBody = { batch: { messageId: string; [field: string]: unknown }[]; sentAt: string; writeKey: string };

/** Records every request; answers with the outcomes a test queues up ('ok' when none is left). */
export class FakeTransport implements Transport {
  readonly sent: SentBody[] = [];
  readonly beacons: SentBody[] = [];
  readonly outcomes: SendOutcome[] = [];

  async send(body: string): Promise<SendOutcome> {
    this.sent.push(JSON.parse(body) as SentBody);
    return this.outcomes.shift() ?? 'ok';
  }

  beacon(body: string): boolean {
    this.beacons.push(JSON.parse(body) as SentBody);
    return true;
  }
}

export const counterIds = () => {
  let n = 0;
  return () => `id-${++n}`;
};
