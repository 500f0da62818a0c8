import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { ConsumeOptions, DeadLetter, RawConsumer, RawDelivery } from '../../application/rawLog.ts';
import { sleep } from '../embedded/wakeSignal.ts';
import { ACK_WAIT_MS, durableName, ensureGroupConsumers } from './groupConsumers.ts';
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

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Consumes a group: one pull loop per partition, and one handler call at a time across them,
 * as the embedded logs do, so the mapper never runs concurrently with itself in one process.
 * A delivery holds one event: with `max_ack_pending: 1` JetStream has no second event of the
 * partition to give until the first is acknowledged.
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
  const stop = new AbortController();
  const backoff = (attempt: number): number =>
    Math.min(timing.retryMaxMs, timing.retryInitialMs * 2 ** Math.max(0, attempt - 1));
  let turn: Promise<void> = Promise.resolve();
  const exclusive = (work: () => Promise<void>): Promise<void> => {
    const run = turn.then(work);
    turn = run.catch(() => {});
    return run;
  };

  const handle = async (message: JsMsg): Promise<void> => {
    // a stopped consumer hands what it still received straight back, for the next consumer
    if (stop.signal.aborted) return message.nak();
    const decoded = decodeRawMessage(message, names.stream);
    const deliveryCount = message.info.deliveryCount;
    if (!decoded.ok) {
      return settle(message, deliveryCount, { stage: 'collector', reason: decoded.reason, payload: decoded.payload });
    }
    const { event } = decoded;
    let reason: string;
    if (deliveryCount > maxDeliveries) {
      // the last attempts died with their process, or the dead letter failed to be written
      reason = `delivered ${deliveryCount - 1} times without being acknowledged`;
    } else {
      // a slow handler must not look like a dead process to JetStream
      const keepAlive = setInterval(() => message.working(), ACK_WAIT_MS / 3);
      let failure: { error: unknown } | undefined;
      try {
        await handler({ events: [event], deliveryCount });
      } catch (error) {
        failure = { error };
      } finally {
        clearInterval(keepAlive);
      }
      if (!failure) {
        // a lost acknowledgement only means a redelivery (at least once), never a dead letter
        await message.ackAck({ timeout: 5_000 }).catch(() => false);
        return;
      }
      if (stop.signal.aborted || deliveryCount < maxDeliveries) return message.nak(backoff(deliveryCount));
      reason = reasonOf(failure.error);
    }
    return settle(message, deliveryCount, { stage: 'mapper', reason, payload: event });
  };

  /** dead-letters the message, then takes it out of the partition so the next one can go */
  const settle = async (message: JsMsg, deliveryCount: number, item: Omit<DeadLetter, 'id' | 'at'>): Promise<void> => {
    try {
      await deadLetter([item]);
      // no reason: with '+TERM <reason>' nats-server 2.9 left the event pending here (seen in tests)
      message.term();
    } catch {
      message.nak(backoff(deliveryCount));
    }
  };

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
          if (message) await exclusive(() => handle(message));
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
      await exclusive(async () => {});
    },
  };
};
