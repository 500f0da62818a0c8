import type { JourneyEventType } from '../../domain/journey/journeyEvent.ts';
import { JOURNEY_STREAM_PREFIX, journeyStreamOf, userIdOfStream } from '../../domain/journey/journeyEvent.ts';
import type { EventStore, Position, RecordedEvent } from '../ports/eventStore/eventStore.ts';
import { feedIdOf } from './feedPosition.ts';

export type FeedFilter = {
  /** only these types; undefined or empty: every type */
  readonly types?: ReadonlySet<JourneyEventType>;
  /** only this user's events */
  readonly userId?: string;
};

/** One journey event as other services see it (SSE `data`, NATS message body). */
export type FeedEvent = {
  readonly position: string;
  readonly id: string;
  readonly type: string;
  readonly userId: string;
  /** event time; absent only for an event written without metadata */
  readonly occurredAt?: string;
  /** when the store wrote it */
  readonly recordedAt: string;
  readonly data: unknown;
  readonly metadata: unknown;
};

export const feedEventOf = (event: RecordedEvent): FeedEvent => {
  const occurredAt = (event.metadata as { occurredAt?: unknown } | null)?.occurredAt;
  return {
    position: feedIdOf(event.position),
    id: event.id,
    type: event.type,
    userId: userIdOfStream(event.streamId) ?? event.streamId,
    ...(typeof occurredAt === 'string' ? { occurredAt } : {}),
    recordedAt: event.recordedAt,
    data: event.data,
    metadata: event.metadata,
  };
};

const matches =
  (filter: FeedFilter) =>
  (event: RecordedEvent): boolean =>
    (filter.userId === undefined || event.streamId === journeyStreamOf(filter.userId)) &&
    (filter.types === undefined || filter.types.size === 0 || filter.types.has(event.type as JourneyEventType));

export type FollowOptions = {
  /** exclusive: the last position the reader has; undefined: from the first event */
  readonly after?: Position;
  readonly filter?: FeedFilter;
  /** events read from the store at a time: what one slow reader can hold in memory */
  readonly batchSize?: number;
  /** ends the iteration (also while waiting for new events) */
  readonly signal?: AbortSignal;
};

/**
 * The journey events after a position, then live ones as they are appended, in global
 * order: a catch-up subscription on the store, the source of truth. It is pulled, so a
 * reader that stops pulling stops the reads: at most one batch is held per reader.
 */
export async function* followJourneyEvents(
  store: Pick<EventStore, 'subscribeAll'>,
  options: FollowOptions = {},
): AsyncGenerator<readonly RecordedEvent[], void, undefined> {
  const filter = options.filter ?? {};
  // a user's stream id is a prefix of other users' (journey-ada, journey-adam): narrowed by
  // prefix in the store, then matched exactly here
  const streamPrefix = filter.userId === undefined ? JOURNEY_STREAM_PREFIX : journeyStreamOf(filter.userId);
  const subscription = store.subscribeAll({
    streamPrefix,
    batchSize: options.batchSize ?? 100,
    ...(options.after === undefined ? {} : { fromPosition: options.after }),
  });
  const close = () => void subscription.close();
  options.signal?.addEventListener('abort', close, { once: true });
  try {
    if (options.signal?.aborted) return;
    const keep = matches(filter);
    for await (const batch of subscription) {
      const kept = batch.filter(keep);
      if (kept.length > 0) yield kept;
      if (options.signal?.aborted) return;
    }
  } finally {
    options.signal?.removeEventListener('abort', close);
    await subscription.close();
  }
}
