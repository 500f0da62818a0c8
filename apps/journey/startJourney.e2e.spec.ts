import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadModelStore, ReadModelStoreToken } from '../../application/ports/readModels/readModels.ts';
import { postBatch } from '../../testing/collector/postBatch.ts';
import {
  HAND_MADE_AS_OF,
  handMadeDaveJourney,
  handMadeEvents,
  handMadeFunnel,
  handMadeFunnelAnswer,
} from '../../testing/fixtures/handMadeDataset.ts';
import { TEST_API_TOKEN as API_TOKEN, TEST_WRITE_KEY } from '../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../testing/journey/startTestJourney.ts';
import { type PostgresServer, startPostgresServer } from '../../testing/postgres/postgresServer.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import type { RunningJourney } from './startJourney.ts';

const api = async (url: string, path: string) => {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** the same answers whichever read side holds the read models: SQLite files, or PostgreSQL */
describe.each([
  { readSide: 'SQLite files', postgres: false },
  { readSide: 'PostgreSQL', postgres: true },
])('the embedded pipeline, HTTP in to read models out, read models in $readSide', ({ postgres }) => {
  let data: TempDataDir;
  let database: PostgresServer | undefined;
  let env: Record<string, string>;
  let journey: RunningJourney;
  let url: string;

  beforeAll(async () => {
    data = await tempDataDir('e2e');
    database = postgres ? await startPostgresServer() : undefined;
    env = database ? { JOURNEY_DATABASE_URL: database.url } : {};
    journey = await startTestJourney(data.dir, env);
    url = journey.url ?? '';
    const response = await postBatch(url, TEST_WRITE_KEY, handMadeEvents());
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true, accepted: handMadeEvents().length });
    await pipelineSettled(journey);
  });

  afterAll(async () => {
    await journey?.stop();
    await database?.stop();
    await data.remove();
  });

  it('answers the funnel worked out by hand', async () => {
    const { status, body } = await api(url, `/api/funnel?asOf=${HAND_MADE_AS_OF}`);
    expect(status).toBe(200);
    expect(body).toEqual(handMadeFunnelAnswer);
  });

  it('lists the users of a stage', async () => {
    const { body } = await api(url, `/api/stages/activated/users?asOf=${HAND_MADE_AS_OF}`);
    expect((body.users as { userId: string }[]).map((u) => u.userId).sort()).toEqual(['dave', 'erin']);
    const inactive = await api(url, `/api/stages/inactive/users?asOf=${HAND_MADE_AS_OF}`);
    expect((inactive.body.users as { userId: string }[]).map((u) => u.userId).sort()).toEqual(['carol', 'hank']);
  });

  it("joins anonymous visits to the user's journey, in event-time order", async () => {
    const { status, body } = await api(url, '/api/users/dave/journey');
    expect(status).toBe(200);
    const events = body.events as { type: string; occurredAt: string; data: Record<string, unknown> }[];
    expect(events.map((e) => e.type)).toEqual(handMadeDaveJourney);
    expect(events.map((e) => e.occurredAt)).toEqual([...events.map((e) => e.occurredAt)].sort());
    expect(events[5]?.data).toMatchObject({ status: 503, errorCode: 'UPSTREAM_TIMEOUT', path: '/projects' });
    expect(body.profile).toMatchObject({ email: 'dave@example.com', name: 'Dave' });
  });

  it('gives one row a day for the daily funnel', async () => {
    const { body } = await api(url, '/api/funnel/daily?from=2026-03-09&to=2026-03-10');
    const days = body.days as { date: string; stages: Record<string, number>; newSignups: number }[];
    expect(days.map((d) => d.date)).toEqual(['2026-03-09', '2026-03-10']);
    expect(days[1]?.stages).toEqual(handMadeFunnel);
    // end of 9 March (T−W = 02-22 23:59:59.999): dave signed up that day, no activity yet; hank's one
    // activity (02-23 23:59:59.999) is still inside the window; alice active; carol inactive
    expect(days[0]).toMatchObject({ newSignups: 1, stages: { signedUp: 1, activated: 1, active: 1, inactive: 1 } });
  });

  it('answers 404 for an unknown user and 401 without the token', async () => {
    expect((await api(url, '/api/users/nobody/journey')).status).toBe(404);
    expect((await fetch(`${url}/api/funnel`)).status).toBe(401);
  });

  it('does not count a retried batch twice', async () => {
    const before = await api(url, '/api/users/alice/journey');
    const again = await postBatch(url, TEST_WRITE_KEY, [{ ...handMadeEvents()[0], messageId: 'fixed-1' }]);
    const retry = await postBatch(url, TEST_WRITE_KEY, [{ ...handMadeEvents()[0], messageId: 'fixed-1' }]);
    expect(await again.json()).toMatchObject({ accepted: 1 });
    expect(await retry.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await pipelineSettled(journey);
    const after = await api(url, '/api/users/alice/journey');
    expect((after.body.events as unknown[]).length).toBe((before.body.events as unknown[]).length + 1);
  });

  it('keeps everything across a restart', async () => {
    await journey.stop();
    journey = await startTestJourney(data.dir, env);
    url = journey.url ?? '';
    const { body } = await api(url, `/api/funnel?asOf=${HAND_MADE_AS_OF}`);
    expect(body.stages).toEqual(handMadeFunnel);
    expect((await api(url, '/api/users/dave/journey')).body.events).toHaveLength(6);
    const live = journey.container.get<ReadModelStore>(ReadModelStoreToken);
    expect(await live.readCheckpoint('users')).not.toBeNull();
  });
});
