import type { EventStore, Position } from '../../application/ports/eventStore/eventStore.ts';
import type { LeaseGrant } from '../../application/ports/lease/lease.ts';
import type { Logger } from '../../application/ports/logger.ts';
import { ACTIVITY_STREAM_PREFIX } from '../../domain/sessions/activity.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { CheckpointedStore, Projection } from '../../projections/projection.ts';
import { sessionsProjection } from '../../projections/sessions/sessionsProjection.ts';
import type { ReadSide } from '../journey/readSideFor.ts';
import { journeyProjection, type ProjectionName } from './journeyProjections.ts';
import { type OpenProjectionRun, projectionRun } from './leasedProjection.ts';

/** the projections `journey start` runs each in a worker thread of its own */
export type WorkerProjectionName = Extract<ProjectionName, 'timeline'> | 'sessions';

export const workerProjectionStreamPrefix = (config: JourneyConfig, name: WorkerProjectionName): string =>
  name === 'sessions' ? ACTIVITY_STREAM_PREFIX : journeyProjection(config, name).streamPrefix;

type Closable = { close(): Promise<void> };

/** what a projection's worker thread runs: the grants' runs, and its own store for the checkpoint */
export type WorkerProjectionRun = {
  readonly name: string;
  readonly streamPrefix: string;
  /** the unfenced store: its checkpoint for the main thread, and (SQLite) the store every grant writes */
  readonly own: { readCheckpoint(projection: string): Promise<Position | null> } & Closable;
  readonly open: OpenProjectionRun;
};

const runOn = <Writer>(
  eventStore: EventStore,
  config: JourneyConfig,
  projection: Projection<Writer>,
  own: CheckpointedStore<Writer> & Closable,
  fenced: (grant: LeaseGrant) => CheckpointedStore<Writer> & Closable,
  logger: Logger,
): WorkerProjectionRun => ({
  name: projection.name,
  streamPrefix: projection.streamPrefix,
  own,
  open: projectionRun(
    eventStore,
    (grant) => {
      if (config.JOURNEY_DATABASE_URL === undefined) return { store: own, close: async () => undefined };
      const store = fenced(grant);
      return { store, close: () => store.close() };
    },
    projection,
    { logger },
  ),
});

export const workerProjectionRun = (
  config: JourneyConfig,
  name: WorkerProjectionName,
  eventStore: EventStore,
  readSide: ReadSide,
  logger: Logger,
): WorkerProjectionRun => {
  switch (name) {
    case 'timeline':
      return runOn(
        eventStore,
        config,
        journeyProjection(config, name),
        readSide.readModels(name),
        (grant) => readSide.readModels(name, grant),
        logger,
      );
    case 'sessions':
      return runOn(
        eventStore,
        config,
        sessionsProjection(config.JOURNEY_SESSION_TIMEOUT_MINUTES),
        readSide.sessionStore(),
        (grant) => readSide.sessionStore(grant),
        logger,
      );
    default: {
      const unknown: never = name;
      return unknown;
    }
  }
};
