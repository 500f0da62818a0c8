import {
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

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

const createOrUpdate = async (
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> => {
  try {
    await jsm.streams.info(config.name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(config);
    return;
  }
  // an update with the same settings is a no-op, so every start can apply the configured limits
  await jsm.streams.update(config.name, config);
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
  });
  await createOrUpdate(jsm, {
    name: names.deadLetterStream,
    subjects: [deadLetterSubject(names)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
  });
};
