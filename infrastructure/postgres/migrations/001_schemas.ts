import type { Migration } from './migration.ts';

/** `journey` holds the tables Journey writes; `analytics` the stable views people query. */
export const schemas: Migration = {
  version: 1,
  name: 'schemas',
  sql: `CREATE SCHEMA IF NOT EXISTS journey;
CREATE SCHEMA IF NOT EXISTS analytics;`,
};
