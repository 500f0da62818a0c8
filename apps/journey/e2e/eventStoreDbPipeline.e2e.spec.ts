import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventStore, EventStoreToken } from '../../../application/ports/eventStore/eventStore.ts';
import { type ReadModelStore, ReadModelStoreToken } from '../../../application/ports/readModels/readModels.ts';
import { EventStoreDbEventStore } from '../../../infrastructure/eventstoredb/eventStoreDbEventStore.ts';
import { postBatch } from '../../../testing/collector/postBatch.ts';
import { EsdbEmulator } from '../../../testing/eventstoredb/emulator/esdbEmulator.ts';
import {
  HAND_MADE_AS_OF,
  handMadeDaveJourney,
  handMadeEvents,
  handMadeFunnel,
  handMadeFunnelAnswer,
} from '../../../testing/fixtures/handMadeDataset.ts';
import { TEST_API_TOKEN as API_TOKEN, TEST_WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../../testing/journey/startTestJourney.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import type { RunningJourney } from '../startJourney.ts';

/**
 * The whole pipeline, unchanged, with its journey streams in EventStoreDB (the emulator,
 * driven by the real client): the projections, the timeline's worker thread included,
 * follow `$all` and keep EventStoreDB's positions as their checkpoints.
 */
describe('Journey on EventStoreDB', () => {
  let emulator: EsdbEmulator;
  let data: TempDataDir;
  let journey: RunningJourney;
  const start = () => startTestJourney(data.dir, { EVENTSTORE_CONNECTION_STRING: emulator.connectionString });
  const api = async (path: string) => {
    const response = await fetch(`${journey.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    emulator = await EsdbEmulator.start();
    data = await tempDataDir('esdb');
    journey = await start();
    const sent = await postBatch(journey.url ?? '', TEST_WRITE_KEY, handMadeEvents());
    expect(sent.status).toBe(200);
    await pipelineSettled(journey, 20_000);
  });
  afterAll(async () => {
    await journey?.stop();
    await emulator?.stop();
    await data.remove();
  });

  it('uses the EventStoreDB adapter', () => {
    expect(journey.container.get<EventStore>(EventStoreToken)).toBeInstanceOf(EventStoreDbEventStore);
  });

  it('answers the funnel worked out by hand', async () => {
    expect(await api(`/api/funnel?asOf=${HAND_MADE_AS_OF}`)).toEqual(handMadeFunnelAnswer);
  });

  it("joins anonymous visits to the user's journey", async () => {
    const body = await api('/api/users/dave/journey');
    expect((body.events as { type: string }[]).map((e) => e.type)).toEqual(handMadeDaveJourney);
  });

  it("keeps EventStoreDB's position as the checkpoint, and resumes from it after a restart", async () => {
    const store = journey.container.get<EventStore>(EventStoreToken);
    const head = await store.headPosition({ streamPrefix: 'journey-' });
    const checkpoint = await journey.container.get<ReadModelStore>(ReadModelStoreToken).readCheckpoint('users');
    expect(checkpoint).toEqual(head);
    await journey.stop();
    journey = await start();
    await pipelineSettled(journey, 20_000);
    expect((await api(`/api/funnel?asOf=${HAND_MADE_AS_OF}`)).stages).toEqual(handMadeFunnel);
    expect((await api('/api/users/dave/journey')).events).toHaveLength(6);
  });
});
