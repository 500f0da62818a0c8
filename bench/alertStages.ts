import { join } from 'node:path';
import Database from 'better-sqlite3';
import { JOURNEY_STREAM_PREFIX } from '../domain/journey/journeyEvent.ts';

/** p50 / p99 / max of one hop, in milliseconds */
export type HopLatency = { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };

/**
 * Where an alert's time goes, hop by hop, from timestamps the pipeline already stores: the raw log's
 * `received_at`, the event store's `recorded_at`, the outbox's `raised_at` and the fake Slack's
 * arrival. Instants are wall-clock milliseconds in both processes.
 */
export type AlertStages = {
  /** bench sends → collector handles the request (HTTP and the collector's event loop) */
  readonly toReceived: HopLatency;
  /** bench sends → the collector's 200 arrives (the raw log's FULL commit included) */
  readonly toAnswered: HopLatency;
  /** received → the mapper appends the journey event (raw commit, mapper wake-up, mapping) */
  readonly receivedToMapped: HopLatency;
  /** mapped → the alert projection raises the alert (event store FULL commit, projection wake-up) */
  readonly mappedToRaised: HopLatency;
  /** raised → Slack receives the post (outbox commit, alerter wake-up, claim, HTTP) */
  readonly raisedToPosted: HopLatency;
};

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

export const hopOf = (samples: readonly number[]): HopLatency => {
  const sorted = samples.filter((s) => !Number.isNaN(s)).sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? Number.NaN };
};

/**
 * reads the stage instants of every `signup:<userId>` key from Journey's data directory (raw log and
 * event store); `raised` comes from the alert store, which may be in PostgreSQL
 */
export const alertStagesOf = (
  dataDir: string,
  sentAt: ReadonlyMap<string, number>,
  answeredAt: ReadonlyMap<string, number>,
  raised: ReadonlyMap<string, number>,
  postedAt: ReadonlyMap<string, number>,
): AlertStages => {
  const instants = (file: string, sql: string): Map<string, number> => {
    const db = new Database(join(dataDir, file), { readonly: true });
    try {
      const rows = db.prepare<[], { user_id: string; at: string }>(sql).all();
      return new Map(rows.map((r) => [`signup:${r.user_id}`, Date.parse(r.at)]));
    } finally {
      db.close();
    }
  };
  const received = instants(
    'raw.db',
    "SELECT json_extract(payload, '$.userId') AS user_id, received_at AS at FROM raw_events",
  );
  const mapped = instants(
    'events.db',
    `SELECT substr(stream_id, ${JOURNEY_STREAM_PREFIX.length + 1}) AS user_id, recorded_at AS at FROM events WHERE type = 'UserSignedUp'`,
  );
  const hop = (from: ReadonlyMap<string, number>, to: ReadonlyMap<string, number>): HopLatency =>
    hopOf([...sentAt.keys()].map((key) => (to.get(key) ?? Number.NaN) - (from.get(key) ?? Number.NaN)));
  return {
    toReceived: hop(sentAt, received),
    toAnswered: hop(sentAt, answeredAt),
    receivedToMapped: hop(received, mapped),
    mappedToRaised: hop(mapped, raised),
    raisedToPosted: hop(raised, postedAt),
  };
};

export const formatHop = (h: HopLatency): string =>
  `${h.p50Ms.toFixed(0)} / ${h.p99Ms.toFixed(0)} / ${h.maxMs.toFixed(0)}`;

/** the hop breakdown and the same run's fsync baseline, as printed under the alert figure */
export const alertStageLines = (run: {
  readonly p99Ms: number;
  readonly coldStart: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  readonly p99ByWindow: readonly number[];
  readonly stages: AlertStages;
  readonly fullCommit: {
    readonly perSecond: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
  };
  readonly normalCommit: { readonly perSecond: number };
  readonly benchLoopDelay: { readonly p99Ms: number; readonly maxMs: number };
}): string[] => [
  `  cold start (the 5 s warm-up before the measured seconds, not in the figure): p50 ${run.coldStart.p50Ms.toFixed(1)} ms, p99 ${run.coldStart.p99Ms.toFixed(1)} ms, max ${run.coldStart.maxMs.toFixed(1)} ms`,
  `  p99 of each 5 s measured, in order: ${run.p99ByWindow.map((p) => p.toFixed(0)).join(', ')} ms`,
  `  hops, p50 / p99 / max ms: sent → collector ${formatHop(run.stages.toReceived)}; sent → 200 ${formatHop(run.stages.toAnswered)}; ` +
    `received → mapped ${formatHop(run.stages.receivedToMapped)}; mapped → outbox ${formatHop(run.stages.mappedToRaised)}; ` +
    `outbox → Slack ${formatHop(run.stages.raisedToPosted)}`,
  `  baseline, same disk, just before: one FULL commit (one fsync) p50 ${run.fullCommit.p50Ms.toFixed(2)} ms, p99 ${run.fullCommit.p99Ms.toFixed(2)} ms, ` +
    `max ${run.fullCommit.maxMs.toFixed(1)} ms (${run.fullCommit.perSecond.toFixed(0)} commits/s; NORMAL ${run.normalCommit.perSecond.toFixed(0)}/s); ` +
    `alert p99 = ${(run.p99Ms / run.fullCommit.p99Ms).toFixed(0)}× the FULL commit p99`,
  `  the load generator's event loop during the run (the fake Slack has its own thread): delay p99 ${run.benchLoopDelay.p99Ms.toFixed(1)} ms, ` +
    `max ${run.benchLoopDelay.maxMs.toFixed(1)} ms (the 5 ms sampling resolution included)`,
];
