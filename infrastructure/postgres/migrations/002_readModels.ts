import type { Migration } from './migration.ts';

/** Filled in by the read models adapter. */
export const readModelsMigration: Migration = {
  version: 2,
  name: 'read models',
  sql: '',
};
