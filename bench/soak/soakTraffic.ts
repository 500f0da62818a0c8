import { demoDataset } from '../../apps/cli/demo/demoDataset.ts';

export type SoakEvent = Record<string, unknown> & { readonly messageId: string };

/** demo users per generated chunk; each chunk has new users, so the soak keeps meeting new people */
const CHUNK_USERS = 250;
/** seeds far from the preload's (bench/eventFactory.ts), so no soak user already has a history */
const SEED_BASE = 1_000_000;
/** the share of identified users who also send a Segment `alias` of their anonymous id first */
const ALIAS_EVERY = 5;

/**
 * The demo's mixed traffic (`journey demo`: page views, identify, sign-ups, logins, projects,
 * deployments, failures, 503s), one chunk of new users after another, plus an `alias` for some
 * users. Each event's messageId is `<runId>-<n>`, and the soak stamps its time when it sends it, so
 * sign-ups, failures and errors are live and raise alerts. Remembers, per n, whether the event must
 * become a journey event on a user's stream (the store audit's "expected").
 */
export class SoakTraffic {
  private pending: SoakEvent[] = [];
  /** per n: 0 no journey event, 1 one, 2 one if the identify that links its anonymous id was acknowledged */
  private expected = new Uint8Array(1 << 20);
  /** n of an anonymous event → n of the identify of its anonymous id */
  private readonly linkedBy = new Map<number, number>();
  private n = 0;
  private chunk = 0;

  constructor(readonly runId: string) {}

  /** the next `count` events, messageIds assigned, not yet timed */
  next(count: number): SoakEvent[] {
    while (this.pending.length < count) this.pending.push(...this.nextChunk());
    return this.pending.splice(0, count);
  }

  /** events numbered so far */
  get count(): number {
    return this.n;
  }

  /**
   * whether event n must show up once on a `journey-` stream: an anonymous page view does once the
   * identify of its anonymous id got in (a soak stopped mid-chunk may not have sent it)
   */
  expectsJourneyEvent(n: number, acked: { has(n: number): boolean }): boolean {
    const expected = this.expected[n];
    if (expected !== 2) return expected === 1;
    const identify = this.linkedBy.get(n);
    return identify !== undefined && acked.has(identify);
  }

  /** n of one of this run's messageIds; undefined for anyone else's (and for probes) */
  numberOf(messageId: string): number | undefined {
    if (!messageId.startsWith(`${this.runId}-`)) return undefined;
    const n = Number(messageId.slice(this.runId.length + 1));
    return Number.isInteger(n) ? n : undefined;
  }

  private nextChunk(): SoakEvent[] {
    const seed = SEED_BASE + this.chunk++;
    const { events } = demoDataset({ day: '2026-03-10', users: CHUNK_USERS, seed });
    // visitors who never identify keep an anonymous journey, which no `journey-` stream holds
    const identifies = new Map<string, number>();
    const anonymous = new Map<number, string>();
    const out: SoakEvent[] = [];
    const number = (event: Record<string, unknown>, expected: 0 | 1 | 2): number => {
      const n = this.n++;
      if (n >= this.expected.length) {
        const grown = new Uint8Array(this.expected.length * 2);
        grown.set(this.expected);
        this.expected = grown;
      }
      this.expected[n] = expected;
      out.push({ ...event, messageId: `${this.runId}-${n}` });
      return n;
    };
    let users = 0;
    for (const event of events) {
      if (event.type === 'identify' && users++ % ALIAS_EVERY === 0) {
        // maps to no journey event; it proves the same link the identify does
        number({ type: 'alias', userId: event.userId, previousId: event.anonymousId }, 0);
      }
      if (event.userId !== undefined) {
        const n = number(event, 1);
        if (event.type === 'identify') identifies.set(String(event.anonymousId), n);
      } else anonymous.set(number(event, 2), String(event.anonymousId));
    }
    for (const [n, anonymousId] of anonymous) {
      const identify = identifies.get(anonymousId);
      if (identify === undefined) this.expected[n] = 0;
      else this.linkedBy.set(n, identify);
    }
    return out;
  }
}
