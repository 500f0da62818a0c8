import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBatch } from '../../../testing/collector/postBatch.ts';
import {
  HAND_MADE_AS_OF,
  handMadeDaveJourney,
  handMadeEvents,
  handMadeFunnelAnswer,
} from '../../../testing/fixtures/handMadeDataset.ts';
import { handMadeDeploymentEvents } from '../../../testing/fixtures/handMadeDeployments.ts';
import { freePort } from '../../../testing/freePort.ts';
import { journeyEnv, TEST_API_TOKEN, TEST_WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { type JourneyProcess, journeyProcess } from '../../../testing/journey/journeyProcess.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../../testing/journey/startTestJourney.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';

type Replica = { readonly process: JourneyProcess; readonly url: string };

/** what a user of the dashboard asks, and what the hand-made dataset must answer */
const queries: Record<string, (body: Record<string, unknown>) => void> = {
  '/api/users/dave/journey': (body) => {
    expect((body.events as { type: string }[]).map((e) => e.type)).toEqual([
      ...handMadeDaveJourney.slice(0, 5),
      'DeploymentCompleted',
      'ErrorEncountered',
    ]);
  },
  [`/api/funnel?asOf=${HAND_MADE_AS_OF}`]: (body) => {
    expect(body).toEqual(handMadeFunnelAnswer);
  },
  [`/api/stages/activated/users?asOf=${HAND_MADE_AS_OF}`]: (body) => {
    expect((body.users as { userId: string }[]).map((u) => u.userId).sort()).toEqual(['dave', 'erin']);
  },
  '/api/users?search=e': (body) => {
    expect((body.users as { userId: string }[]).map((u) => u.userId)).toEqual(['erin']);
  },
  '/api/funnel/daily?from=2026-03-01&to=2026-03-10': (body) => {
    expect((body.days as { stages: unknown }[]).at(-1)?.stages).toEqual(handMadeFunnelAnswer.stages);
  },
  // the explorer's index is in PostgreSQL too: replicas with data directories of their own list it
  '/api/raw-events?userId=dave&limit=200': (body) => {
    const events = body.events as { status: string; linkedUserId?: string }[];
    expect(events.length).toBeGreaterThan(handMadeDaveJourney.length / 2);
    expect(events.filter((e) => e.status === 'pending')).toEqual([]);
    expect(events.some((e) => e.linkedUserId === 'dave')).toBe(true);
  },
};

/**
 * The API as compose runs it: three `journey api` processes, each with a data directory of
 * its own and one PostgreSQL read side between them, which a Journey that has since stopped
 * projected. Whichever replica the gateway picks, the answer is the same, byte for byte.
 */
describe('three API processes on one PostgreSQL read side', () => {
  let database: PostgresServer;
  const dirs: TempDataDir[] = [];
  const replicas: Replica[] = [];

  beforeAll(async () => {
    database = await startPostgresServer();
    const writerDir = await tempDataDir('replicas-writer');
    dirs.push(writerDir);
    const writer = await startTestJourney(writerDir.dir, { JOURNEY_DATABASE_URL: database.url });
    try {
      for (const batch of [handMadeEvents(), handMadeDeploymentEvents()])
        expect((await postBatch(writer.url ?? '', TEST_WRITE_KEY, batch)).status).toBe(200);
      await pipelineSettled(writer, 20_000);
    } finally {
      await writer.stop();
    }
    // one after another: three processes loading their code at once start slowly on a busy machine
    for (const i of [1, 2, 3]) {
      const dir = await tempDataDir(`replica-${i}`);
      dirs.push(dir);
      const port = await freePort();
      const env = journeyEnv(dir.dir, {
        JOURNEY_DATABASE_URL: database.url,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
      });
      const app = journeyProcess(`api-${i}`, ['api'], () => env);
      replicas.push({ process: app, url: `http://127.0.0.1:${port}` });
      await app.start();
    }
  }, 600_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.process.stop();
    await database?.stop();
    for (const dir of dirs) await dir.remove();
  });

  it('runs three separate API processes', () => {
    expect(replicas.map((r) => r.process.running)).toEqual([true, true, true]);
    expect(new Set(replicas.map((r) => r.url)).size).toBe(3);
  });

  for (const [path, check] of Object.entries(queries))
    it(`answers ${path.split('?')[0]} the same from every replica, and right`, async () => {
      const answers = await Promise.all(
        replicas.map(async ({ url }) => {
          const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
          return { status: response.status, body: await response.text() };
        }),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(answers[1]?.body).toBe(answers[0]?.body);
      expect(answers[2]?.body).toBe(answers[0]?.body);
      check(JSON.parse(answers[0]?.body ?? 'null') as Record<string, unknown>);
    });

  it('exits no replica unexpectedly', () => {
    expect(replicas.flatMap((r) => r.process.unexpectedExits)).toEqual([]);
  });
});
