import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules } from '../../domain/mapping/defaultRules.ts';
import { postBatch } from '../../testing/collector/postBatch.ts';
import { HAND_MADE_AS_OF, handMadeDaveJourney, handMadeEvents } from '../../testing/fixtures/handMadeDataset.ts';
import { TEST_API_TOKEN as API_TOKEN, TEST_WRITE_KEY } from '../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../testing/journey/startTestJourney.ts';
import { type PostgresServer, startPostgresServer } from '../../testing/postgres/postgresServer.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import type { RunningJourney } from '../journey/startJourney.ts';

const execute = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/journey.js');

// each test runs the CLI in child processes (several seconds each on a loaded machine): a generous bound, not a speed check
describe('journey projections and journey remap, beside a running Journey', { timeout: 240_000 }, () => {
  let data: TempDataDir;
  let dataDir: string;
  let journey: RunningJourney;
  let url: string;
  const env = () => ({ ...process.env, JOURNEY_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const journeyCli = async (args: string[], extraEnv: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await execute(process.execPath, [bin, ...args], { env: { ...env(), ...extraEnv } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const post = (batch: unknown[]) => postBatch(url, TEST_WRITE_KEY, batch);
  const journeyOf = async (userId: string) => {
    const response = await fetch(`${url}/api/users/${userId}/journey`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    return ((await response.json()) as { events: { type: string }[] }).events.map((e) => e.type);
  };

  beforeAll(async () => {
    data = await tempDataDir('cli-rebuild');
    dataDir = data.dir;
    journey = await startTestJourney(dataDir);
    url = journey.url ?? '';
    expect((await post(handMadeEvents())).status).toBe(200);
    await pipelineSettled(journey, 60_000);
  }, 120_000);

  afterAll(async () => {
    await journey?.stop();
    await data?.remove();
  });

  /** runs `use` while this process appears to hold the rebuild lock of `projection` */
  const withLockHeld = async (file: string, projection: string, since: string, use: () => Promise<void>) => {
    const db = new Database(join(dataDir, file));
    db.prepare('INSERT INTO projection_rebuild_locks (projection, pid, host, since) VALUES (?, ?, ?, ?)').run(
      projection,
      process.pid,
      hostname(),
      since,
    );
    try {
      await use();
    } finally {
      db.prepare('DELETE FROM projection_rebuild_locks WHERE projection = ?').run(projection);
      db.close();
    }
  };

  it('lists each projection with its version, checkpoint and lag', async () => {
    const { code, stdout } = await journeyCli(['projections', 'list']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^projection\s+version\s+checkpoint\s+lag \(events\)\s+rebuild$/);
    for (const name of ['timeline', 'users', 'alerts', 'sessions']) {
      expect(lines.find((l) => l.startsWith(name))).toMatch(new RegExp(`^${name}\\s+v1\\s+\\d+/\\d+\\s+0\\s+-$`));
    }
  });

  it('rebuilds all with --verify, printing equal hashes, and the API answers the same after the swap', async () => {
    const { code, stdout, stderr } = await journeyCli(['projections', 'rebuild', 'all', '--verify']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.match(/verify: equal/g)).toHaveLength(4);
    const hashes = [
      ...stdout.matchAll(/content hash, (?:replaced|rebuilt)\s+v\d \(checkpoint [^)]+\): ([0-9a-f]{64})/g),
    ];
    expect(hashes).toHaveLength(8);
    expect(await journeyOf('dave')).toEqual(handMadeDaveJourney);
    const status = await journeyCli(['projections', 'status', '--sample', '200']);
    expect(status.stdout).toMatch(/^timeline\s+v2\s/m);
    expect(status.stdout.split('\n')[0]).toContain('events/s');
  });

  it('refuses a second rebuild of a projection and says who holds it', async () => {
    await withLockHeld('readmodels.db', 'users', '2026-11-27T03:00:00.000Z', async () => {
      const { code, stderr } = await journeyCli(['projections', 'rebuild', 'users']);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `journey: projection users is already being rebuilt by pid ${process.pid} on ${hostname()} since 2026-11-27T03:00:00.000Z`,
      );
      expect((await journeyCli(['projections', 'list'])).stdout).toMatch(
        new RegExp(`^users .*running: pid ${process.pid} on `, 'm'),
      );
    });
  });

  it('refuses to rebuild all while the timeline, rebuilt in a worker thread, is locked, and swaps in the others', async () => {
    await withLockHeld('timeline.db', 'timeline', '2026-11-27T04:00:00.000Z', async () => {
      const before = (await journeyCli(['projections', 'list'])).stdout;
      const { code, stderr } = await journeyCli(['projections', 'rebuild', 'all']);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `journey: projection timeline is already being rebuilt by pid ${process.pid} on ${hostname()} since 2026-11-27T04:00:00.000Z`,
      );
      const versionOf = (list: string, name: string) => list.match(new RegExp(`^${name}\\s+v(\\d+)`, 'm'))?.[1];
      const after = (await journeyCli(['projections', 'list'])).stdout;
      expect(versionOf(after, 'timeline')).toBe(versionOf(before, 'timeline'));
      expect(Number(versionOf(after, 'users'))).toBe(Number(versionOf(before, 'users')) + 1);
      expect(await journeyOf('dave')).toEqual(handMadeDaveJourney);
    });
  });

  it('remaps after a rules change, appending only the journey events that did not exist', async () => {
    // an event the default rules do not map
    const opened = { type: 'track', userId: 'alice', event: 'Workspace Opened', timestamp: '2026-03-06T10:00:00.000Z' };
    expect((await post([opened])).status).toBe(200);
    await pipelineSettled(journey, 60_000);
    const before = await journeyOf('alice');

    const rulesFile = join(dataDir, 'rules.json');
    const rules = {
      ...defaultRules,
      rules: [
        ...defaultRules.rules,
        {
          id: 'track-workspace-opened',
          when: { type: 'track', event: 'Workspace Opened' },
          emit: 'PageViewed',
          data: {},
        },
      ],
    };
    await writeFile(rulesFile, JSON.stringify(rules));
    const first = await journeyCli(['remap', '--from', '2000-01-01'], { JOURNEY_RULES: rulesFile });
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/; 1 new journey events appended/);
    await pipelineSettled(journey, 60_000);
    const after = await journeyOf('alice');
    expect(after).toHaveLength(before.length + 1);
    expect(after.filter((t) => t === 'PageViewed').length).toBe(before.filter((t) => t === 'PageViewed').length + 1);

    const again = await journeyCli(['remap', '--from', '2000-01-01'], { JOURNEY_RULES: rulesFile });
    expect(again.stdout).toMatch(/; 0 new journey events appended/);
    // a date after everything in the log remaps nothing
    const later = await journeyCli(['remap', '--from', '2999-01-01'], { JOURNEY_RULES: rulesFile });
    expect(later.stdout).toMatch(/^remapped 0 of \d+ raw events/);
  });
});

describe('journey projections rebuild, the read models in PostgreSQL', { timeout: 240_000 }, () => {
  let data: TempDataDir;
  let database: PostgresServer;
  let journey: RunningJourney;
  let url: string;
  let analyst: pg.Client;
  const journeyCli = async (args: string[]) => {
    const env = {
      ...process.env,
      JOURNEY_DATA_DIR: data.dir,
      JOURNEY_DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
    };
    try {
      const { stdout, stderr } = await execute(process.execPath, [bin, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  /** what the API and an analyst reading the catalogue see of the read models */
  const answers = async () => {
    const api = async (path: string) =>
      (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json();
    const view = async (sql: string) => (await analyst.query(sql)).rows;
    return {
      dave: await api('/api/users/dave/journey'),
      users: await api('/api/users'),
      funnel: await api(`/api/funnel?asOf=${HAND_MADE_AS_OF}`),
      daily: await api(`/api/funnel/daily?from=2026-03-01&to=${HAND_MADE_AS_OF.slice(0, 10)}`),
      events: await view('SELECT user_id, event_type, event_id FROM analytics.journey_events ORDER BY event_id'),
      viewUsers: await view('SELECT * FROM analytics.users ORDER BY user_id'),
      stages: await view('SELECT * FROM analytics.user_stages_daily ORDER BY day'),
      deployments: await view('SELECT * FROM analytics.deployments ORDER BY deployment_id'),
    };
  };

  beforeAll(async () => {
    data = await tempDataDir('cli-rebuild-pg');
    database = await startPostgresServer();
    journey = await startTestJourney(data.dir, { JOURNEY_DATABASE_URL: database.url });
    url = journey.url ?? '';
    expect((await postBatch(url, TEST_WRITE_KEY, handMadeEvents())).status).toBe(200);
    await pipelineSettled(journey, 60_000);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query('CREATE ROLE analyst LOGIN IN ROLE journey_reader');
    await admin.end();
    analyst = new pg.Client({ connectionString: database.url.replace('//journey@', '//analyst@') });
    await analyst.connect();
  }, 120_000);

  afterAll(async () => {
    await analyst?.end();
    await journey?.stop();
    await database?.stop();
    await data?.remove();
  });

  it('rebuilds all with --verify while Journey serves, and the API and the catalogue answer the same after', async () => {
    const before = await answers();
    expect(before.events.length).toBeGreaterThan(0);
    expect(before.deployments.length).toBeGreaterThan(0);
    const { code, stdout, stderr } = await journeyCli(['projections', 'rebuild', 'all', '--verify']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // the sessions' store stays a SQLite file, rebuilt there
    for (const name of ['timeline', 'users', 'alerts', 'sessions'])
      expect(stdout).toMatch(new RegExp(`^${name}: v2 swapped in`, 'm'));
    expect(stdout.match(/verify: equal/g)).toHaveLength(4);
    expect(await answers()).toEqual(before);
    // the live projections carry on from the checkpoints the swap moved, into the new tables
    const later = { type: 'page', userId: 'dave', name: 'After the rebuild', timestamp: '2026-03-11T09:00:00.000Z' };
    expect((await postBatch(url, TEST_WRITE_KEY, [later])).status).toBe(200);
    await pipelineSettled(journey, 60_000);
    const dave = (await answers()).dave as { events: { type: string }[] };
    expect(dave.events.map((e) => e.type)).toEqual([...handMadeDaveJourney, 'PageViewed']);
    const list = await journeyCli(['projections', 'list']);
    for (const name of ['timeline', 'users', 'alerts', 'sessions'])
      expect(list.stdout).toMatch(new RegExp(`^${name}\\s+v2\\s+\\d+/\\d+\\s+0\\s+-$`, 'm'));
  });

  it('refuses a second rebuild while one holds the lock, naming it', async () => {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      // a rebuild's lock as another process takes it: its session's advisory lock and the holder row
      await holder.query(
        `UPDATE journey.projection_rebuilds SET holder_pid = 4242, holder_host = 'elsewhere', holder_since = '2026-11-27T03:00:00.000Z'
         WHERE projection = 'users'`,
      );
      await holder.query("SELECT pg_advisory_lock(734920, hashtext('users'))");
      const { code, stderr } = await journeyCli(['projections', 'rebuild', 'users']);
      expect(code).toBe(1);
      expect(stderr).toContain(
        'journey: projection users is already being rebuilt by pid 4242 on elsewhere since 2026-11-27T03:00:00.000Z',
      );
      expect((await journeyCli(['projections', 'list'])).stdout).toMatch(/^users .*running: pid 4242 on elsewhere /m);
    } finally {
      await holder.end();
    }
    // its connection gone, the lock is free: the next rebuild runs
    const again = await journeyCli(['projections', 'rebuild', 'users']);
    expect(again.stderr).toBe('');
    expect(again.stdout).toMatch(/^users: v3 swapped in/m);
  });
});
