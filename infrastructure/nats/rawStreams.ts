import {
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { ConfigError } from '../../domain/errors/journeyError.ts';

/** Where the raw log lives in JetStream. Tests give each log its own names on one server. */
export type RawStreamNames = {
  /** the raw events, default RAW */
  readonly stream: string;
  /** the dead letters, default RAW_REJECTED */
  readonly deadLetterStream: string;
  /** subjects are `<root>.<partition>` and `<root>.rejected`, default `raw` */
  readonly subjectRoot: string;
  readonly partitions: number;
};

export type RawStreamLimits = {
  readonly duplicateWindowMs: number;
  readonly maxAgeMs: number;
  /** 0: no size limit */
  readonly maxBytes: number;
  /** copies of each stream in a cluster (1 on a single server); consumers follow their stream */
  readonly replicas: number;
};

export const partitionSubject = (names: RawStreamNames, partition: number): string =>
  `${names.subjectRoot}.${partition}`;
export const deadLetterSubject = (names: RawStreamNames): string => `${names.subjectRoot}.rejected`;

/**
 * FNV-1a (32 bit) of the partition key, modulo the partition count: stable across processes,
 * Node versions and languages, so a backend service publishing straight to NATS can compute
 * the same subject. (String hash codes from a runtime are not guaranteed stable.)
 */
export const partitionOf = (partitionKey: string, partitions: number): number => {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(partitionKey, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
};

const isNotFound = (error: unknown): boolean => error instanceof JetStreamApiError && error.status === 404;

const tooFewServersMessage = (replicas: number, detail: string): string =>
  `JOURNEY_RAW_REPLICAS=${replicas} needs a JetStream cluster of at least ${replicas} servers, and the server refused (${detail}); ` +
  'set JOURNEY_RAW_REPLICAS=1 for a single nats-server, or start the cluster and list its servers in NATS_URL';

/** a single server refuses replicas outright; a cluster short of servers has "insufficient resources" */
const refusedReplicas = (error: unknown, replicas: number): ConfigError | undefined =>
  replicas > 1 && error instanceof JetStreamApiError && /replicas|insufficient resources/i.test(error.message)
    ? new ConfigError(tooFewServersMessage(replicas, error.message))
    : undefined;

const createOrUpdate = async (
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string; num_replicas: number },
): Promise<void> => {
  try {
    try {
      await jsm.streams.info(config.name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.streams.add(config);
      return;
    }
    // an update with the same settings is a no-op, so every start can apply the configured limits
    // (a changed replica count too: JetStream scales the stream and its consumers)
    await jsm.streams.update(config.name, config);
  } catch (error) {
    throw refusedReplicas(error, config.num_replicas) ?? error;
  }
};

/**
 * Creates or updates both streams. The raw stream lists its partition subjects rather than `raw.>`: a
 * wildcard would overlap `raw.rejected`, which JetStream refuses, and a publish to a missing partition
 * fails instead of storing events no one reads.
 */
export const ensureRawStreams = async (
  jsm: JetStreamManager,
  names: RawStreamNames,
  limits: RawStreamLimits,
): Promise<void> => {
  await createOrUpdate(jsm, {
    name: names.stream,
    subjects: Array.from({ length: names.partitions }, (_, i) => partitionSubject(names, i)),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(limits.maxAgeMs),
    max_bytes: limits.maxBytes > 0 ? limits.maxBytes : -1,
    // the duplicate window may not exceed the age limit
    duplicate_window: nanos(Math.min(limits.duplicateWindowMs, limits.maxAgeMs)),
    num_replicas: limits.replicas,
  });
  await createOrUpdate(jsm, {
    name: names.deadLetterStream,
    subjects: [deadLetterSubject(names)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    // the dead letters are kept as carefully as the events they came from
    num_replicas: limits.replicas,
  });
};
