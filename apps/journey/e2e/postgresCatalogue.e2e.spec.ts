import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBatch } from '../../../testing/collector/postBatch.ts';
import {
  HAND_MADE_AS_OF,
  handMadeDaveJourney,
  handMadeEvents,
  handMadeFunnel,
} from '../../../testing/fixtures/handMadeDataset.ts';
import { TEST_API_TOKEN, TEST_WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../../testing/journey/startTestJourney.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import { waitUntil } from '../../../testing/waitUntil.ts';
import type { RunningJourney } from '../startJourney.ts';

/**
 * The catalogue as an analyst or Grafana meets it: a login role in journey_reader reads the
 * documented views in schema analytics, with the answers the API gives, and nothing else.
 */
describe('the PostgreSQL catalogue, read as journey_reader', () => {
  let data: TempDataDir;
  let database: PostgresServer;
  let journey: RunningJourney;
  let analyst: pg.Client;

  beforeAll(async () => {
    data = await tempDataDir('catalogue');
    database = await startPostgresServer();
    journey = await startTestJourney(data.dir, { JOURNEY_DATABASE_URL: database.url });
    expect((await postBatch(journey.url ?? '', TEST_WRITE_KEY, handMadeEvents())).status).toBe(200);
    await pipelineSettled(journey);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query('CREATE ROLE analyst LOGIN IN ROLE journey_reader');
    await admin.end();
    analyst = new pg.Client({ connectionString: database.url.replace('//journey@', '//analyst@') });
    await analyst.connect();
  }, 60_000);

  afterAll(async () => {
    await analyst?.end();
    await journey?.stop();
    await database?.stop();
    await data?.remove();
  });

  it("journey_events: a user's journey in event-time order", async () => {
    const { rows } = await analyst.query(
      "SELECT event_type FROM analytics.journey_events WHERE user_id = 'dave' ORDER BY occurred_at, position",
    );
    expect(rows.map((r) => r.event_type)).toEqual(handMadeDaveJourney);
  });

  it('user_stages_daily: the funnel at the end of a day, as the API counts it', async () => {
    const { rows } = await analyst.query(
      'SELECT signed_up, activated, active, inactive, window_days FROM analytics.user_stages_daily WHERE day = $1::date',
      [HAND_MADE_AS_OF.slice(0, 10)],
    );
    expect(rows).toEqual([
      {
        signed_up: handMadeFunnel.signedUp,
        activated: handMadeFunnel.activated,
        active: handMadeFunnel.active,
        inactive: handMadeFunnel.inactive,
        window_days: 15,
      },
    ]);
  });

  it('users: one row per user, the signed-up ones as many as the funnel counts', async () => {
    const signedUp = await analyst.query('SELECT count(*)::int AS n FROM analytics.users WHERE signed_up_at <= $1', [
      HAND_MADE_AS_OF,
    ]);
    expect(signedUp.rows[0].n).toBe(Object.values(handMadeFunnel).reduce((a, b) => a + b, 0));
    const dave = await analyst.query("SELECT email, event_count FROM analytics.users WHERE user_id = 'dave'");
    expect(dave.rows).toEqual([{ email: expect.stringContaining('@'), event_count: handMadeDaveJourney.length }]);
  });

  it('alerts and deployments: the history is older than the alert age limit, so nothing was raised', async () => {
    expect((await analyst.query('SELECT alert_key FROM analytics.alerts')).rows).toEqual([]);
    const deployments = await analyst.query('SELECT user_id, outcome FROM analytics.deployments ORDER BY user_id');
    expect(deployments.rows.length).toBeGreaterThan(0);
  });

  it("sessions: the API's sessions of a user come from PostgreSQL, as the view lists them", async () => {
    const response = await fetch(`${journey.url}/api/users/dave/sessions`, {
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const { sessions } = (await response.json()) as { sessions: { sessionId: string; pageViews: number }[] };
    expect(sessions.length).toBeGreaterThan(0);
    // no SQLite file to answer from: the sessions read model is in PostgreSQL
    expect(existsSync(join(data.dir, 'sessions.db'))).toBe(false);
    const { rows } = await analyst.query(
      "SELECT session_id, page_views FROM analytics.sessions WHERE user_id = 'dave' ORDER BY started_at DESC, session_id DESC",
    );
    expect(rows).toEqual(sessions.map((s) => ({ session_id: s.sessionId, page_views: s.pageViews })));
  });

  it("raw events: the explorer answers from PostgreSQL, a user's anonymous events included", async () => {
    const daves = handMadeEvents().filter(
      (e) => e.userId === 'dave' || (e.userId === undefined && e.anonymousId === 'anon-dave'),
    );
    let answer: { events: { messageId: string; status: string }[] } = { events: [] };
    // outcomes reach the index a recorder flush after the mapper
    await waitUntil(
      "dave's raw events indexed and mapped",
      async () => {
        const response = await fetch(`${journey.url}/api/raw-events?userId=dave&limit=200`, {
          headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
        });
        expect(response.status).toBe(200);
        answer = (await response.json()) as typeof answer;
        return answer.events.length === daves.length && answer.events.every((e) => e.status !== 'pending');
      },
      { lastSeen: () => answer },
    );
    // no SQLite file to answer from: the index is in PostgreSQL, where every API replica reads it
    expect(existsSync(join(data.dir, 'rawevents.db'))).toBe(false);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        "SELECT message_id FROM journey.raw_event_index WHERE user_key = 'dave' ORDER BY received_at DESC, message_id DESC",
      );
      expect(rows.map((r) => r.message_id)).toEqual(answer.events.map((e) => e.messageId));
    } finally {
      await admin.end();
    }
  });

  it('may read the views and nothing else', async () => {
    await expect(analyst.query('SELECT * FROM journey.timeline LIMIT 1')).rejects.toThrow(/permission denied/);
    await expect(analyst.query("DELETE FROM analytics.users WHERE user_id = 'dave'")).rejects.toThrow(
      /permission denied/,
    );
  });
});
