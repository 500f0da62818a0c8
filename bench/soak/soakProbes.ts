import { httpRequest } from './soakHttp.ts';
import type { SoakSender } from './soakSender.ts';

const POLL_MS = 50;

export type ProbeResult = { readonly sentAt: number; readonly visibleAt: number; readonly lagMs: number };

/**
 * End-to-end lag, once a second: a sign-up of a new user goes in through the same sender (and its
 * retries) as the traffic, and its journey is read from the API every 50 ms until it is there. The
 * lag runs from the first attempt to send it, so a probe sent while Journey is down counts the outage.
 */
export class SoakProbes {
  readonly results: ProbeResult[] = [];
  private stopped = false;
  private running = new Set<Promise<void>>();
  private k = 0;

  constructor(
    private readonly url: string,
    private readonly apiToken: string,
    private readonly runId: string,
    private readonly sender: SoakSender,
  ) {}

  async run(everyMs = 1_000): Promise<void> {
    while (!this.stopped) {
      const probe = this.probe();
      this.running.add(probe);
      void probe.finally(() => this.running.delete(probe));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  /** stops sending probes and waits (at most `ms`) for the ones out to become visible */
  async stop(ms = 30_000): Promise<void> {
    this.stopped = true;
    const deadline = Date.now() + ms;
    while (this.running.size > 0 && Date.now() < deadline)
      await Promise.race([...this.running, new Promise((r) => setTimeout(r, 500))]);
  }

  get sent(): number {
    return this.k;
  }

  private async probe(): Promise<void> {
    const userId = `probe-${this.runId}-${this.k++}`;
    const sentAt = Date.now();
    void this.sender.postOne({
      type: 'track',
      event: 'Signed Up',
      userId,
      messageId: `${userId}-signup`,
      properties: { email: `${userId}@example.com` },
    });
    const deadline = sentAt + 120_000;
    while (Date.now() < deadline && !(this.stopped && Date.now() > sentAt + 60_000)) {
      try {
        const answer = await httpRequest(`${this.url}/api/users/${userId}/journey`, {
          headers: { authorization: `Bearer ${this.apiToken}` },
          timeoutMs: 5_000,
        });
        if (answer.status === 200) {
          const visibleAt = Date.now();
          this.results.push({ sentAt, visibleAt, lagMs: visibleAt - sentAt });
          return;
        }
      } catch {
        // Journey is down or restarting: keep asking
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
