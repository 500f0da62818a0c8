import { postBatch } from '../collector/postBatch.ts';
import { sleep } from '../sleep.ts';
import type { Random } from './reliabilityRun.ts';

/** One raw event the generator sends, Segment-style; each maps to exactly one journey event. */
export type GeneratedEvent = {
  readonly type: 'track';
  readonly userId: string;
  readonly event: string;
  readonly messageId: string;
  readonly timestamp: string;
  readonly properties: Record<string, unknown>;
};

const ACTIVITY = ['Logged In', 'Project Created'] as const;

/**
 * `count` events over `users` people: each person's first event is a sign-up (so each raises
 * one `signup:<userId>` alert), then logins and projects, with event times increasing per
 * person and close to now (alerts only fire for live events). messageIds carry the run id,
 * the user and the per-user sequence number, which is how the audit checks order.
 */
export const generateEvents = (random: Random, runId: string, count: number, users: number): GeneratedEvent[][] => {
  const perUser: GeneratedEvent[][] = Array.from({ length: users }, () => []);
  const base = Date.now();
  for (let i = 0; i < count; i++) {
    // every user gets one sign-up first; the rest are spread at random
    const u = i < users ? i : random.int(0, users - 1);
    const list = perUser[u] ?? [];
    const seq = list.length;
    const userId = `${runId}-u${u}`;
    list.push({
      type: 'track',
      userId,
      event: seq === 0 ? 'Signed Up' : random.pick(ACTIVITY),
      messageId: `${userId}-${seq}`,
      timestamp: new Date(base + seq).toISOString(),
      properties:
        seq === 0 ? { email: `${userId}@example.com`, name: `User ${u}` } : { projectId: `p${seq}`, name: `n${seq}` },
    });
    perUser[u] = list;
  }
  return perUser;
};

/** the per-user sequence number in a generated messageId */
export const seqOf = (messageId: string): number => Number(messageId.slice(messageId.lastIndexOf('-') + 1));

export type StreamStats = {
  /** events sent at least once */
  sent: number;
  /** messageIds of events in a request that got 200 */
  readonly acked: Set<string>;
  requests: number;
  /** answers other than 200, by status ("network" when the connection failed) */
  readonly refusals: Record<string, number>;
};

export type StreamOptions = {
  /** the collector's base URL; a function, so a restarted collector on a new port still works */
  readonly url: () => string;
  readonly writeKey: string;
  readonly batchSize: number;
  /** concurrent senders; each owns a share of the users, so one user's events go in order */
  readonly concurrency: number;
  /** called after each 200 with the number of events acked so far */
  readonly onProgress?: (acked: number) => void | Promise<void>;
  /** stop retrying a batch after this long (the test then fails with what was refused) */
  readonly retryForMs?: number;
};

/**
 * Streams the events to the collector over HTTP and remembers every 200. A request that gets
 * anything else (503 while NATS is down, a refused connection while the collector restarts)
 * is sent again, unchanged, until it gets 200: messageIds make the retries harmless. A
 * sender sends a user's next events only after the previous ones were acknowledged, so the
 * acknowledged order per user is the generated order.
 */
export const streamEvents = async (
  perUser: readonly GeneratedEvent[][],
  options: StreamOptions,
): Promise<StreamStats> => {
  const stats: StreamStats = { sent: 0, acked: new Set(), requests: 0, refusals: {} };
  const sender = async (share: readonly GeneratedEvent[][]): Promise<void> => {
    // interleave the share's users, keeping each user's events in order
    const queue: GeneratedEvent[] = [];
    const longest = Math.max(0, ...share.map((l) => l.length));
    for (let seq = 0; seq < longest; seq++)
      for (const list of share) {
        const event = list[seq];
        if (event) queue.push(event);
      }
    for (let at = 0; at < queue.length; at += options.batchSize) {
      const batch = queue.slice(at, at + options.batchSize);
      stats.sent += batch.length;
      const deadline = Date.now() + (options.retryForMs ?? 120_000);
      for (let attempt = 0; ; attempt++) {
        let status: string;
        try {
          stats.requests++;
          const response = await postBatch(options.url(), options.writeKey, batch, {
            signal: AbortSignal.timeout(30_000),
          });
          await response.arrayBuffer();
          status = String(response.status);
        } catch {
          status = 'network';
        }
        if (status === '200') {
          for (const e of batch) stats.acked.add(e.messageId);
          await options.onProgress?.(stats.acked.size);
          break;
        }
        stats.refusals[status] = (stats.refusals[status] ?? 0) + 1;
        if (status !== '503' && status !== 'network')
          throw new Error(`the collector answered ${status} to a valid batch; only 200 or 503 are acceptable`);
        if (Date.now() > deadline)
          throw new Error(`a batch was refused for ${options.retryForMs ?? 120_000} ms (last: ${status})`);
        await sleep(Math.min(1_000, 50 * 2 ** attempt));
      }
    }
  };
  const shares = Array.from({ length: options.concurrency }, (_, w) =>
    perUser.filter((_, u) => u % options.concurrency === w),
  );
  await Promise.all(shares.map(sender));
  return stats;
};
