import { schemas } from './001_schemas.ts';
import { readModelsMigration } from './002_readModels.ts';
import { alertStoreMigration } from './003_alertStore.ts';
import { catalogueMigration } from './004_catalogue.ts';
import { projectionRebuildsMigration } from './005_projectionRebuilds.ts';
import { timelinePositionsMigration } from './006_timelinePositions.ts';
import { leasesMigration } from './007_leases.ts';
import type { Migration } from './migration.ts';

/** Every migration, in order; append, never edit one that has shipped. */
export const migrations: readonly Migration[] = [
  schemas,
  readModelsMigration,
  alertStoreMigration,
  catalogueMigration,
  projectionRebuildsMigration,
  timelinePositionsMigration,
  leasesMigration,
];
