import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { postBatch } from '../../../testing/collector/postBatch.ts';
import { HAND_MADE_AS_OF, handMadeEvents, type handMadeFunnel } from '../../../testing/fixtures/handMadeDataset.ts';
import { handMadeDeploymentEvents } from '../../../testing/fixtures/handMadeDeployments.ts';
import { expandGrafanaSqlMacros } from '../../../testing/grafana/grafanaSqlMacros.ts';
import { TEST_API_TOKEN, TEST_WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../../testing/journey/startTestJourney.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import type { RunningJourney } from '../startJourney.ts';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '../../..');

/** the range the dashboard is "looked at" with: 1 to 10 March 2026 (the hand-made dataset) */
const range = { from: '2026-03-01T00:00:00.000Z', to: HAND_MADE_AS_OF };
const days = Array.from({ length: 10 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);

const SUPERUSER_PASSWORD = 'journey-e2e-secret';
const GRAFANA_PASSWORD = 'grafana-e2e-secret';

type Target = { rawSql: string; format: string; datasource: { type: string; uid: string } };
type Panel = { title: string; targets: Target[] };
type DataSource = { uid: string; type: string; user: string; jsonData: { database: string } };
type Row = Record<string, unknown>;

const dayOf = (value: unknown): string => (value as Date).toISOString().slice(0, 10);

/**
 * The SQL dashboard as Grafana runs it: every panel's query, its macros filled for a time
 * range, run as the login compose gives Grafana (deploy/postgres/journey-reader.sh) against
 * read models a running Journey projected into PostgreSQL, with the rows worked out by hand.
 */
describe('the Grafana SQL dashboard kept in grafana/, read as the Grafana login', () => {
  let data: TempDataDir;
  let database: PostgresServer;
  let journey: RunningJourney;
  let grafana: pg.Client;
  let panels: Panel[];
  let source: DataSource;
  let apiFunnelByDay: { date: string; stages: typeof handMadeFunnel }[];

  beforeAll(async () => {
    data = await tempDataDir('grafana-sql');
    database = await startPostgresServer({ password: SUPERUSER_PASSWORD });
    // as the postgres image runs it on a new volume: before Journey has migrated anything
    await run('sh', [join(repo, 'deploy/postgres/journey-reader.sh')], {
      env: {
        ...process.env,
        POSTGRES_USER: 'journey',
        POSTGRES_DB: 'journey',
        GRAFANA_POSTGRES_PASSWORD: GRAFANA_PASSWORD,
        PGHOST: '127.0.0.1',
        PGPORT: String(database.port),
        PGPASSWORD: SUPERUSER_PASSWORD,
      },
    });
    journey = await startTestJourney(data.dir, { JOURNEY_DATABASE_URL: database.url });
    for (const batch of [handMadeEvents(), handMadeDeploymentEvents()])
      expect((await postBatch(journey.url ?? '', TEST_WRITE_KEY, batch)).status).toBe(200);
    await pipelineSettled(journey, 20_000);

    const provisioning = parse(
      await readFile(join(repo, 'grafana/provisioning/datasources/journey-sql.yaml'), 'utf8'),
    ) as { datasources: DataSource[] };
    source = provisioning.datasources[0] as DataSource;
    grafana = new pg.Client({
      host: '127.0.0.1',
      port: database.port,
      user: source.user,
      database: source.jsonData.database,
      password: GRAFANA_PASSWORD,
    });
    await grafana.connect();
    panels = (
      JSON.parse(await readFile(join(repo, 'grafana/dashboards/journey-sql.json'), 'utf8')) as { panels: Panel[] }
    ).panels;
    const daily = await fetch(`${journey.url}/api/funnel/daily?from=${days[0]}&to=${days.at(-1)}`, {
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    apiFunnelByDay = ((await daily.json()) as { days: typeof apiFunnelByDay }).days;
  }, 90_000);

  afterAll(async () => {
    await grafana?.end();
    await journey?.stop();
    await database?.stop();
    await data?.remove();
  });

  /** what each panel must show for the hand-made dataset and its deployments, 1 to 10 March */
  const expectations: Record<string, (rows: Row[]) => void> = {
    'Sign-ups per day': (rows) => {
      // alice 03-01, dave 03-09, bob and erin 03-10; carol and hank earlier, gina later
      const expected: Record<string, number> = { '2026-03-01': 1, '2026-03-09': 1, '2026-03-10': 2 };
      expect(rows.map((r) => [dayOf(r.time), r['sign-ups']])).toEqual(days.map((d) => [d, expected[d] ?? 0]));
    },
    'Users per stage at the end of each day': (rows) => {
      // the view and the API count the funnel apart: they must agree day by day
      const fromApi = apiFunnelByDay.map(({ date, stages }) => [
        date,
        stages.signedUp,
        stages.activated,
        stages.active,
        stages.inactive,
      ]);
      expect(rows.map((r) => [dayOf(r.time), r['signed up'], r.activated, r.active, r.inactive])).toEqual(fromApi);
      expect(rows.at(-1)).toMatchObject({ 'signed up': 1, activated: 2, active: 1, inactive: 2 });
    },
    'Deployment failure rate per day': (rows) => {
      // 03-05: d-a1 failed; 03-10: d-d and d-e completed, d-e2 failed; carol's d-c2 is in February
      expect(rows.map((r) => dayOf(r.time))).toEqual(['2026-03-05', '2026-03-10']);
      expect(rows[0]?.['failure rate']).toBe(1);
      expect(rows[1]?.['failure rate']).toBeCloseTo(1 / 3, 12);
    },
    'Top error codes': (rows) => {
      // gina's UPSTREAM_TIMEOUT on 03-11 is after the range
      expect(rows).toEqual([
        { 'error code': 'UPSTREAM_TIMEOUT', errors: 2 },
        { 'error code': 'HTTP 502', errors: 1 },
        { 'error code': 'QUOTA_EXCEEDED', errors: 1 },
      ]);
    },
    'Slowest deployments': (rows) => {
      // finished ones started in the range only: not carol's d-c2 (February), not alice's running d-a2
      expect(rows.map((r) => [r.deployment_id, r.user_id, r.outcome, r.duration_seconds])).toEqual([
        ['d-e', 'erin', 'completed', 1800],
        ['d-e2', 'erin', 'failed', 600],
        ['d-a1', 'alice', 'failed', 300],
        ['d-d', 'dave', 'completed', 120],
      ]);
    },
  };

  it('uses the provisioned PostgreSQL data source in every panel, logged in as a journey_reader member', async () => {
    expect(source.type).toBe('grafana-postgresql-datasource');
    for (const target of panels.flatMap((p) => p.targets))
      expect(target.datasource).toEqual({ type: 'grafana-postgresql-datasource', uid: source.uid });
    const { rows } = await grafana.query(
      "SELECT pg_has_role(current_user, 'journey_reader', 'member') AS reader, rolsuper FROM pg_roles WHERE rolname = current_user",
    );
    expect(rows).toEqual([{ reader: true, rolsuper: false }]);
  });

  it('has an expected answer for each of its panels, and each panel has a query', () => {
    expect(panels.map((p) => p.title).sort()).toEqual(Object.keys(expectations).sort());
    for (const panel of panels) expect(panel.targets.length).toBeGreaterThan(0);
  });

  it("answers every panel's SQL, its time range filled in, with the rows worked out by hand", async () => {
    for (const panel of panels)
      for (const target of panel.targets) {
        const { rows } = await grafana.query(expandGrafanaSqlMacros(target.rawSql, range));
        expect(rows.length, `${panel.title}: no rows`).toBeGreaterThan(0);
        if (target.format === 'time_series') for (const row of rows) expect(row.time).toBeInstanceOf(Date);
        expectations[panel.title]?.(rows);
      }
  });

  it("cannot read Journey's own tables, nor change the views", async () => {
    for (const table of ['journey.timeline', 'journey.users', 'journey.alert_deployments'])
      await expect(grafana.query(`SELECT * FROM ${table} LIMIT 1`)).rejects.toThrow(/permission denied/);
    await expect(grafana.query("DELETE FROM analytics.users WHERE user_id = 'dave'")).rejects.toThrow(
      /permission denied/,
    );
  });
});
