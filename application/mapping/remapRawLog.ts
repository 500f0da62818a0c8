import { countEventsAfter } from '../ops/projectionStatus.ts';
import type { EventStore } from '../ports/eventStore/eventStore.ts';
import type { RawDelivery, RawLog } from '../ports/rawLog/rawLog.ts';

export type RemapOutcome = {
  /** raw events read from the log, and of those received at or after `from` */
  readonly read: number;
  readonly remapped: number;
  /** journey events the store did not have (the ids are deterministic, so the rest were skipped) */
  readonly appended: number;
};

export type RemapOptions = {
  /** ISO-8601 instant: raw events received before it are left alone */
  readonly from: string;
  readonly streamPrefix: string;
  /** the raw-log consumer group of this run; a new group reads the log from its start */
  readonly group: string;
  readonly pollMs?: number;
  readonly onProgress?: (progress: { readonly read: number; readonly remapped: number }) => void;
};

/**
 * Re-runs the mapping rules over the raw log after a rules change: a fresh consumer group reads from
 * the start, events received from `from` on are mapped again, and the store appends only the
 * (deterministic) ids it lacks.
 */
export const remapRawLog = async (
  rawLog: RawLog,
  eventStore: EventStore,
  map: (delivery: RawDelivery) => Promise<void>,
  options: RemapOptions,
): Promise<RemapOutcome> => {
  const headBefore = await eventStore.headPosition({ streamPrefix: options.streamPrefix });
  let read = 0;
  let remapped = 0;
  const consumer = rawLog.consume({ group: options.group }, async (delivery) => {
    const events = delivery.events.filter((e) => e.receivedAt >= options.from);
    if (events.length > 0) await map({ ...delivery, events });
    read += delivery.events.length;
    remapped += events.length;
    options.onProgress?.({ read, remapped });
  });
  try {
    while ((await rawLog.pending(options.group)) > 0) {
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50));
    }
  } finally {
    await consumer.stop();
  }
  const { count } = await countEventsAfter(eventStore, options.streamPrefix, headBefore, {
    cap: Number.MAX_SAFE_INTEGER,
  });
  return { read, remapped, appended: count };
};
