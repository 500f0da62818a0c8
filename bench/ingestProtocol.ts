/** What ingestBench.ts (the load generator) and ingestServer.ts (the collector under load) share. */

/**
 * durable: SQLite raw log; durable-explorer: the same with the explorer's raw-event index following
 * the log in its worker thread, as `journey start` runs it; jetstream: the grouped JetStream raw log;
 * jetstream-per-event: the naive baseline
 */
export type IngestMode = 'durable' | 'durable-explorer' | 'parse-only' | 'jetstream' | 'jetstream-per-event';

export const BENCH_WRITE_KEY = 'wk_bench_0123456789abcdef';

export type ServerMessage =
  | { readonly kind: 'ready'; readonly url: string }
  | {
      readonly kind: 'stopped';
      /** events the raw log holds (durable) or was handed (parse-only) */
      readonly stored: number;
      /** durable only: how many publishes the group commit folded into how many transactions */
      readonly publishes?: number;
      readonly commits?: number;
      /** jetstream modes: JetStream messages stored for those events */
      readonly messages?: number;
      /** durable-explorer: events the index had not yet read when the load stopped */
      readonly indexBehind?: number;
      /** durable-explorer: how long the index then took to copy the rest (undefined: not within the bench's wait) */
      readonly indexCatchUpMs?: number;
      /** CPU time the server process used from ready to stop (user + system) */
      readonly cpuMs?: number;
    };

export type ParentMessage = { readonly kind: 'stop' };
