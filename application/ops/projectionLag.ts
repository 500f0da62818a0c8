import type { EventStore, Position } from '../ports/eventStore/eventStore.ts';

/** What a lag check needs of one projection: its name, what it follows, where it got to. */
export type FollowedProjection = {
  readonly name: string;
  readonly streamPrefix: string;
  readCheckpoint(): Promise<Position | null>;
};

export type ProjectionLag = {
  readonly projection: string;
  /** events after the checkpoint, counted up to `cap` */
  readonly events: number;
  /** true when there are `cap` or more, so `events` is a lower bound */
  readonly atLeast: boolean;
  /** how long ago the store recorded the oldest event the projection has not applied; 0 when caught up */
  readonly seconds: number;
};

/**
 * How far a projection is behind the store. Counting reads at most `cap` events, so a scrape
 * or a readiness check stays cheap however far behind it is; positions are not subtracted,
 * since EventStoreDB's are byte offsets, not event counts.
 */
export const projectionLag = async (
  store: Pick<EventStore, 'readAll'>,
  projection: FollowedProjection,
  cap: number,
  now: number,
): Promise<ProjectionLag> => {
  const checkpoint = await projection.readCheckpoint();
  const behind = await store.readAll({
    ...(checkpoint ? { fromPosition: checkpoint } : {}),
    streamPrefix: projection.streamPrefix,
    maxCount: cap,
  });
  const oldest = behind[0];
  return {
    projection: projection.name,
    events: behind.length,
    atLeast: behind.length >= cap,
    seconds: oldest === undefined ? 0 : Math.max(0, (now - Date.parse(oldest.recordedAt)) / 1000),
  };
};
