import type { Migration } from './migration.ts';

/**
 * Each timeline row's position in the store's global log, so a journey answer can leave out
 * the events the users projection has not counted yet (JourneyQueries.journey). Rows stored
 * before this migration keep no position and are read as before any checkpoint.
 */
export const timelinePositionsMigration: Migration = {
  version: 6,
  name: 'timeline positions',
  sql: `
ALTER TABLE journey.timeline ADD COLUMN position_commit bigint, ADD COLUMN position_prepare bigint;
`,
};
