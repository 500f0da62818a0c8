import { CATALOGUE_VIEWS, createViewSql, READER_GRANTS } from '../catalogue/catalogueViews.ts';
import type { Migration } from './migration.ts';

/** the views of the first catalogue; later migrations create the ones added since (sessions: 008) */
const FIRST_VIEWS = new Set(['journey_events', 'users', 'user_stages_daily', 'alerts', 'deployments']);

/**
 * The catalogue: stable views in schema `analytics` for analysts and Grafana, documented in
 * docs/schema.md, so internal tables may change without breaking anyone's queries. The role
 * `journey_reader` may read these views and nothing else. The views are defined in
 * catalogueViews.ts, which a rebuild's swap uses too.
 */
export const catalogueMigration: Migration = {
  version: 4,
  name: 'catalogue views and reader role',
  sql: `
${CATALOGUE_VIEWS.filter((view) => FIRST_VIEWS.has(view.name))
  .map((view) => createViewSql(view))
  .join('\n\n')}

${READER_GRANTS}
REVOKE ALL ON SCHEMA journey FROM PUBLIC;
`,
};
