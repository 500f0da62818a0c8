import { AckPolicy, DeliverPolicy, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { partitionSubject, type RawStreamNames } from './rawStreams.ts';

/**
 * How long a delivery may stay unacknowledged before JetStream hands it out again. Short, because a
 * lost delivery (a killed mapper, a pull answered during a reconnect) stalls its partition this long;
 * a slower handler keeps its delivery with `working()`.
 */
export const ACK_WAIT_MS = 5_000;

export const durableName = (group: string, partition: number): string => `${group}-p${partition}`;

const isNotFound = (error: unknown): boolean => error instanceof JetStreamApiError && error.status === 404;

/**
 * One durable pull consumer per partition; `max_ack_pending: 1` keeps a partition in order across
 * mapper processes. `max_deliver` stays unlimited: the adapter counts attempts and dead-letters, where
 * a server-side limit would drop an event without a dead letter.
 */
export const ensureGroupConsumers = async (
  jsm: JetStreamManager,
  names: RawStreamNames,
  group: string,
): Promise<void> => {
  for (let partition = 0; partition < names.partitions; partition++) {
    const name = durableName(group, partition);
    try {
      const info = await jsm.consumers.info(names.stream, name);
      // consumers made by an earlier version keep their ack_wait unless told
      if (info.config.ack_wait !== nanos(ACK_WAIT_MS)) {
        await jsm.consumers.update(names.stream, name, { ack_wait: nanos(ACK_WAIT_MS) });
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.consumers.add(names.stream, {
        durable_name: name,
        filter_subject: partitionSubject(names, partition),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: 1,
        max_deliver: -1,
        ack_wait: nanos(ACK_WAIT_MS),
      });
    }
  }
};

/**
 * What the group has not acknowledged: per partition, the consumer's undelivered plus
 * unacknowledged events, or all of the partition's events while its consumer does not exist.
 */
export const pendingOf = async (jsm: JetStreamManager, names: RawStreamNames, group: string): Promise<number> => {
  let pending = 0;
  const missing: number[] = [];
  for (let partition = 0; partition < names.partitions; partition++) {
    try {
      const info = await jsm.consumers.info(names.stream, durableName(group, partition));
      pending += info.num_pending + info.num_ack_pending;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      missing.push(partition);
    }
  }
  if (missing.length === 0) return pending;
  const { state } = await jsm.streams.info(names.stream, { subjects_filter: `${names.subjectRoot}.*` });
  for (const partition of missing) pending += state.subjects?.[partitionSubject(names, partition)] ?? 0;
  return pending;
};
