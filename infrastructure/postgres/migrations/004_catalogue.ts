import type { Migration } from './migration.ts';

/** Filled in by the catalogue views and reader role adapter. */
export const catalogueMigration: Migration = {
  version: 4,
  name: 'catalogue views and reader role',
  sql: '',
};
