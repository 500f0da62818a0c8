import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { ConsumeOptions, DeadLetter, RawConsumer, RawDelivery } from '../../application/ports/rawLog/rawLog.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import { blamesTheStorage } from '../polling/blamesTheStorage.ts';
import { sleep } from '../polling/wakeSignal.ts';
import { ACK_WAIT_MS, durableName, ensureGroupConsumers } from './ensureGroupConsumers.ts';
import { decodeRawMessage } from './rawMessage.ts';
import type { RawStreamNames } from './rawStreams.ts';

export type NatsClients = { readonly js: JetStreamClient; readonly jsm: JetStreamManager };

export type GroupConsumerTiming = {
  /** first retry delay after a failed delivery; doubles per attempt */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** how long one pull waits for an event (JetStream's minimum is 1 s); also bounds close() */
  readonly fetchExpiresMs: number;
};

export type GroupConsumer = RawConsumer & {
  /** resolves when every partition loop has returned its last pull; close() waits for it */
  readonly finished: Promise<void>;
};

/** what a handler call gets at most when consumeOptions.batchSize is not given, as the embedded logs */
const DEFAULT_BATCH_SIZE = 500;

type Progress = {
  readonly seq: number;
  /** chunks of the message handled (or dead-lettered) */
  done: number;
  /** failed attempts of chunk `done` */
  failures: number;
  /** whether the message's invalid events are already dead letters */
  refusedKept: boolean;
};

const chunksOf = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

/** one event as itself, several as a list: what a dead letter's payload holds */
const payloadOf = (events: readonly IngestedEvent[]): unknown => (events.length === 1 ? events[0] : events);

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Consumes a group: one pull loop per partition, the partitions concurrently (they hold different
 * users), so the event store's group commit can share commits. A message goes to the handler in chunks
 * of `batchSize`, acked after the last; a failing chunk is retried alone.
 */
export const startGroupConsumer = (
  clients: () => Promise<NatsClients>,
  names: RawStreamNames,
  timing: GroupConsumerTiming,
  options: ConsumeOptions,
  handler: (delivery: RawDelivery) => Promise<void>,
  deadLetter: (items: readonly Omit<DeadLetter, 'id' | 'at'>[]) => Promise<void>,
): GroupConsumer => {
  const { group } = options;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const stop = new AbortController();
  const backoff = (attempt: number): number =>
    Math.min(timing.retryMaxMs, timing.retryInitialMs * 2 ** Math.max(0, attempt - 1));
  // the partitions' messages being handled, which stop() waits for
  const inFlight = new Set<Promise<void>>();
  const tracked = async (work: Promise<void>): Promise<void> => {
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  };

  // where each partition's message in hand got to; one entry per partition, since a
  // partition has at most one unacknowledged message (max_ack_pending 1)
  const progress = new Map<string, Progress>();

  const handle = async (message: JsMsg, partition: number): Promise<void> => {
    // a stopped consumer hands what it still received straight back, for the next consumer
    if (stop.signal.aborted) return message.nak();
    const deliveryCount = message.info.deliveryCount;
    const known = progress.get(String(partition));
    const state: Progress =
      known?.seq === message.seq ? known : { seq: message.seq, done: 0, failures: 0, refusedKept: false };
    progress.set(String(partition), state);
    const decoded = decodeRawMessage(message, names.stream);
    const chunks = chunksOf(decoded.events, batchSize);
    // a slow handler must not look like a dead process to JetStream
    const keepAlive = setInterval(() => message.working(), ACK_WAIT_MS / 3);
    try {
      if (!state.refusedKept && decoded.refused.length > 0) {
        if (!(await kept(decoded.refused.map((r) => ({ stage: 'collector' as const, ...r })))))
          return message.nak(backoff(deliveryCount));
        state.refusedKept = true;
      }
      if (known !== state && deliveryCount > maxDeliveries && chunks.length > 0) {
        // the last attempts died with their process, or a dead letter failed to be written
        const reason = `delivered ${deliveryCount - 1} times without being acknowledged`;
        if (!(await kept([{ stage: 'mapper', reason, payload: payloadOf(decoded.events) }])))
          return message.nak(backoff(deliveryCount));
        state.done = chunks.length;
      }
      while (state.done < chunks.length) {
        const events = chunks[state.done] ?? [];
        // the first chunk's attempts are JetStream's deliveries; a later chunk counts its own
        const attempt = state.done === 0 ? Math.max(deliveryCount, state.failures + 1) : state.failures + 1;
        let failure: { error: unknown } | undefined;
        try {
          await handler({ events, deliveryCount: attempt });
        } catch (error) {
          failure = { error };
        }
        if (failure) {
          // a full disk or a database away is not the events' fault: retried, never dead-lettered
          if (stop.signal.aborted || attempt < maxDeliveries || blamesTheStorage(failure.error)) {
            state.failures++;
            return message.nak(backoff(attempt));
          }
          const item = { stage: 'mapper' as const, reason: reasonOf(failure.error), payload: payloadOf(events) };
          if (!(await kept([item]))) return message.nak(backoff(attempt));
        }
        state.done++;
        state.failures = 0;
      }
    } finally {
      clearInterval(keepAlive);
    }
    progress.delete(String(partition));
    // a lost acknowledgement only means a redelivery (at least once), never a dead letter
    await message.ackAck({ timeout: 5_000 }).catch(() => false);
  };

  /** writes dead letters; false when they could not be stored, so the message comes back */
  const kept = async (items: readonly Omit<DeadLetter, 'id' | 'at'>[]): Promise<boolean> =>
    deadLetter(items).then(
      () => true,
      () => false,
    );

  const partitionLoop = async (partition: number, { js }: NatsClients): Promise<void> => {
    let failures = 0;
    while (!stop.signal.aborted) {
      try {
        const consumer = await js.consumers.get(names.stream, durableName(group, partition));
        while (!stop.signal.aborted) {
          // not cancelled on stop: the server would keep the pull open and hand an event to
          // nobody until ack_wait; instead the loop sees it out and gives back what arrives
          const message = await consumer.next({ expires: timing.fetchExpiresMs });
          failures = 0;
          if (message) await tracked(handle(message, partition));
        }
      } catch {
        // server restarting, connection closed: try again unless stopped
        failures++;
        await sleep(backoff(failures), stop.signal);
      }
    }
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    while (!stop.signal.aborted) {
      try {
        const connected = await clients();
        await ensureGroupConsumers(connected.jsm, names, group);
        await Promise.all(Array.from({ length: names.partitions }, (_, i) => partitionLoop(i, connected)));
        return;
      } catch {
        failures++;
        await sleep(backoff(failures), stop.signal);
      }
    }
  };

  const finished = run();
  return {
    finished,
    async stop(): Promise<void> {
      stop.abort();
      // the delivery in flight finishes and is acknowledged; later ones are handed back
      await Promise.allSettled([...inFlight]);
    },
  };
};
