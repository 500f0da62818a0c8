/**
 * The catalogue views of schema `analytics` (docs/schema.md), in one place: migration 004
 * creates them, and a rebuild's swap points them at the tables it swaps in (a view binds to
 * its tables, not to their names). A view over tables a rebuild swaps must be listed here with
 * them, or the swap stops instead of dropping it.
 */
export type CatalogueView = {
  readonly name: string;
  /** the tables of schema `journey` it reads */
  readonly tables: readonly string[];
  readonly select: string;
};

export const CATALOGUE_VIEWS: readonly CatalogueView[] = [
  {
    name: 'journey_events',
    tables: ['timeline'],
    select: `SELECT seq AS position, user_id::text AS user_id, occurred_at, type AS event_type, event_id::text AS event_id,
       data, rule_id, source_message_ids
FROM journey.timeline`,
  },
  {
    name: 'users',
    tables: ['users', 'activity_days'],
    select: `SELECT u.user_id::text AS user_id, u.email::text AS email, u.name, u.signed_up_at, u.first_seen_at,
       u.last_seen_at, u.last_activity_at, u.event_count, u.last_event_type,
       (SELECT count(*) FROM journey.activity_days d WHERE d.user_id = u.user_id)::integer AS active_days
FROM journey.users u`,
  },
  {
    name: 'user_stages_daily',
    tables: ['stage_days', 'stage_window'],
    select: `WITH bounds AS (
  SELECT min(day) AS first_day, least(max(day), (current_date - date '1970-01-01')) AS last_day FROM journey.stage_days
), days AS (
  SELECT generate_series(first_day, last_day) AS day FROM bounds WHERE first_day IS NOT NULL
), deltas AS (
  SELECT d.day, coalesce(s.signed_up, 0) AS signed_up, coalesce(s.activated, 0) AS activated,
         coalesce(s.active, 0) AS active, coalesce(s.inactive, 0) AS inactive
  FROM days d LEFT JOIN journey.stage_days s ON s.day = d.day
)
SELECT date '1970-01-01' + day AS day,
       (sum(signed_up) OVER w)::integer AS signed_up,
       (sum(activated) OVER w)::integer AS activated,
       (sum(active) OVER w)::integer AS active,
       (sum(inactive) OVER w)::integer AS inactive,
       (SELECT window_days FROM journey.stage_window WHERE id = 1) AS window_days
FROM deltas
WINDOW w AS (ORDER BY day ROWS UNBOUNDED PRECEDING)`,
  },
  {
    name: 'alerts',
    tables: ['alert_outbox'],
    select: `SELECT seq AS position, key AS alert_key, kind::text AS kind, user_id, occurred_at::timestamptz AS occurred_at,
       parent_key, content, raised_at::timestamptz AS raised_at, status, attempts,
       last_error, channel, delivered_at::timestamptz AS delivered_at
FROM journey.alert_outbox`,
  },
  {
    name: 'deployments',
    tables: ['alert_deployments'],
    select: `SELECT deployment_id, user_id, project_id, started_at::timestamptz AS started_at,
       finished_at::timestamptz AS finished_at, finished_outcome AS outcome,
       extract(epoch FROM (finished_at::timestamptz - started_at::timestamptz))::double precision AS duration_seconds
FROM journey.alert_deployments`,
  },
  {
    name: 'sessions',
    tables: ['sessions'],
    select: `SELECT session_id::text AS session_id, user_id::text AS user_id, started_at,
       (data->>'endedAt')::timestamptz AS ended_at, duration_ms, (data->>'eventCount')::integer AS event_count,
       page_views, page_views = 1 AS bounced, data->>'entryUrl' AS entry_url, data->>'exitUrl' AS exit_url,
       data->>'referrer' AS referrer, data->>'utmSource' AS utm_source, data->>'utmMedium' AS utm_medium,
       data->>'utmCampaign' AS utm_campaign, data->>'utmTerm' AS utm_term, data->>'utmContent' AS utm_content,
       data->'device'->>'browser' AS browser, data->'device'->>'os' AS os, data->'device'->>'type' AS device_type,
       data->>'clientSessionId' AS client_session_id
FROM journey.sessions`,
  },
];

/** `CREATE VIEW` for a new database; `CREATE OR REPLACE VIEW` keeps a view's grants and dependants */
export const createViewSql = (view: CatalogueView, replace = false): string =>
  `CREATE ${replace ? 'OR REPLACE ' : ''}VIEW analytics.${view.name} AS\n${view.select};`;

/**
 * The reader role may read every view of the catalogue; a server that refuses CREATE ROLE (a
 * managed one) gets a notice instead, and the grants once someone creates the role.
 */
export const READER_GRANTS = `DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'journey_reader') THEN
    BEGIN
      CREATE ROLE journey_reader NOLOGIN;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'create the role journey_reader (NOLOGIN) and GRANT USAGE ON SCHEMA analytics, SELECT ON ALL TABLES IN SCHEMA analytics to it';
    END;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'journey_reader') THEN
    GRANT USAGE ON SCHEMA analytics TO journey_reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO journey_reader;
    ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO journey_reader;
  END IF;
END $$;`;

/**
 * The reader's grant on some views, when the role exists: only those, so that swaps of
 * different projections committing together never update the same catalogue rows.
 */
export const readerGrantSql = (views: readonly CatalogueView[]): string => `DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'journey_reader') THEN
    GRANT SELECT ON ${views.map((v) => `analytics.${v.name}`).join(', ')} TO journey_reader;
  END IF;
END $$;`;
