import { schemas } from './001_schemas.ts';
import { readModelsMigration } from './002_readModels.ts';
import { alertStoreMigration } from './003_alertStore.ts';
import { catalogueMigration } from './004_catalogue.ts';
import { projectionRebuildsMigration } from './005_projectionRebuilds.ts';
import { timelinePositionsMigration } from './006_timelinePositions.ts';
import { leasesMigration } from './007_leases.ts';
import { sessionsMigration } from './008_sessions.ts';
import { automationsMigration } from './009_automations.ts';
import { rawEventIndexMigration } from './010_rawEventIndex.ts';
import type { Migration } from './migration.ts';

/**
 * Every migration, in version order; append, never edit one that has shipped. Versions may
 * skip a number (a branch's migration still to be merged): migrate.ts applies what is missing.
 */
export const migrations: readonly Migration[] = [
  schemas,
  readModelsMigration,
  alertStoreMigration,
  catalogueMigration,
  projectionRebuildsMigration,
  timelinePositionsMigration,
  leasesMigration,
  sessionsMigration,
  automationsMigration,
  rawEventIndexMigration,
];
