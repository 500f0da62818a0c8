import { httpRequest, writeKeyHeader } from './soakHttp.ts';
import type { SoakEvent, SoakTraffic } from './soakTraffic.ts';

const TICK_MS = 50;
/** requests in flight, retries included; past this the sender falls behind rather than pile up */
const MAX_IN_FLIGHT = 32;
const BACKOFF_MS = [50, 100, 250, 500, 1_000] as const;

export type SenderStats = {
  /** events acknowledged with a 200 (each once, retries included) */
  acked: number;
  /** answers other than 200, by status or "network" */
  readonly refusals: Record<string, number>;
  /** batches refused with a status that no retry can fix (a 400): a bench or collector bug */
  rejected: number;
};

/**
 * Posts the soak's traffic to the collector at a steady rate, `rate` events a second in a batch
 * every 50 ms, and retries every batch that does not get a 200 (refused connections while
 * Journey restarts, 503s) with the same messageIds until it does. Remembers which events were
 * acknowledged, for the store audit, and when each sign-up was first sent, for the alert latency.
 */
export class SoakSender {
  readonly stats: SenderStats = { acked: 0, refusals: {}, rejected: 0 };
  readonly ackedBits: { has(n: number): boolean };
  private acked = new Uint8Array(1 << 20);
  private inFlight = new Set<Promise<void>>();
  private stopped = false;
  private givenUp = false;
  private due = 0;

  constructor(
    private readonly url: string,
    private readonly writeKey: string,
    private readonly traffic: SoakTraffic,
    private readonly rate: number,
    /** a sign-up was sent for the first time: its alert key and when */
    private readonly onSignUpSent: (key: string, at: number) => void,
  ) {
    this.ackedBits = { has: (n) => this.acked[n] === 1 };
  }

  /** sends until `stop()` */
  async run(): Promise<void> {
    const start = performance.now();
    for (let tick = 0; !this.stopped; tick++) {
      const wait = start + tick * TICK_MS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.due = Math.floor(((performance.now() - start) / 1000) * this.rate) - this.traffic.count;
      // a slow collector is not flooded: what is due waits for a free slot, in batches of at most a second
      while (this.due > 0 && this.inFlight.size < MAX_IN_FLIGHT && !this.stopped) {
        const events = this.traffic.next(Math.min(this.due, Math.ceil(this.rate / 20)));
        this.due -= events.length;
        this.track(this.send(events));
      }
    }
  }

  /** stops sending new events and waits (at most `ms`) for the batches in flight to be acknowledged */
  async stop(ms = 60_000): Promise<void> {
    this.stopped = true;
    const deadline = Date.now() + ms;
    while (this.inFlight.size > 0 && Date.now() < deadline)
      await Promise.race([...this.inFlight, new Promise((r) => setTimeout(r, 1_000))]);
    this.givenUp = true;
  }

  /** events due but not yet sent: how far behind the schedule the sender is */
  get behind(): number {
    return Math.max(0, this.due);
  }

  /** posts one event (a probe) with the same retries; resolves once it got a 200 */
  postOne(event: SoakEvent): Promise<void> {
    const sent = this.post([{ ...event, timestamp: new Date().toISOString() }]);
    this.track(sent);
    return sent;
  }

  private track(request: Promise<void>): void {
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }

  private send(events: SoakEvent[]): Promise<void> {
    const at = Date.now();
    const timestamp = new Date(at).toISOString();
    const batch = events.map((e): SoakEvent => ({ ...e, timestamp }));
    for (const e of batch)
      if (e.type === 'track' && e.event === 'Signed Up') this.onSignUpSent(`signup:${String(e.userId)}`, at);
    return this.post(batch);
  }

  private async post(batch: readonly SoakEvent[]): Promise<void> {
    const body = JSON.stringify({ batch });
    const headers = { 'content-type': 'application/json', authorization: writeKeyHeader(this.writeKey) };
    for (let attempt = 0; ; attempt++) {
      let status: string;
      try {
        const answer = await httpRequest(`${this.url}/v1/batch`, { method: 'POST', headers, body });
        status = String(answer.status);
      } catch {
        status = 'network';
      }
      if (status === '200') break;
      if (this.givenUp) return;
      this.stats.refusals[status] = (this.stats.refusals[status] ?? 0) + 1;
      if (status.startsWith('4') && status !== '429') {
        this.stats.rejected++;
        return;
      }
      await new Promise((r) => setTimeout(r, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]));
    }
    for (const e of batch) {
      const n = this.traffic.numberOf(e.messageId);
      if (n === undefined) continue;
      if (n >= this.acked.length) {
        const grown = new Uint8Array(Math.max(this.acked.length * 2, n + 1));
        grown.set(this.acked);
        this.acked = grown;
      }
      if (this.acked[n] !== 1) this.stats.acked++;
      this.acked[n] = 1;
    }
  }
}
