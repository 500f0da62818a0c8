import { join } from 'node:path';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { Projection } from '../../projections/projection.ts';
import { timelineProjection } from '../../projections/timeline/timelineProjection.ts';
import { usersProjection } from '../../projections/users/usersProjection.ts';

export const projectionNames = ['timeline', 'users'] as const;
export type ProjectionName = (typeof projectionNames)[number];

/** The projections Journey runs, by name, with the read-model file each one writes. */
export const journeyProjection = (config: JourneyConfig, name: ProjectionName): Projection => {
  switch (name) {
    case 'timeline':
      return timelineProjection;
    case 'users':
      return usersProjection(new Set(config.JOURNEY_MEANINGFUL_EVENTS));
    default: {
      const unknown: never = name;
      return unknown;
    }
  }
};

/** Each projection writes its own file, so the two can commit at the same time. */
export const readModelFileOf = (config: JourneyConfig, name: ProjectionName): string =>
  join(config.JOURNEY_DATA_DIR, name === 'timeline' ? 'timeline.db' : 'readmodels.db');
