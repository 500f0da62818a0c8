import type { Migration } from './migration.ts';

/** Filled in by the alert store adapter. */
export const alertStoreMigration: Migration = {
  version: 3,
  name: 'alert store',
  sql: '',
};
