import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventStore, EventStoreToken } from '../../../application/ports/eventStore/eventStore.ts';
import { type ReadModelStore, ReadModelStoreToken } from '../../../application/ports/readModels/readModels.ts';
import { loadConfig } from '../../../infrastructure/config/config.ts';
import { EventStoreDbEventStore } from '../../../infrastructure/eventstoredb/eventStoreDbEventStore.ts';
import { EsdbEmulator } from '../../../testing/eventstoredb/emulator/esdbEmulator.ts';
import {
  HAND_MADE_AS_OF,
  handMadeDaveJourney,
  handMadeEvents,
  handMadeFunnel,
  handMadeFunnelAnswer,
} from '../../../testing/fixtures/handMadeDataset.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { type RunningJourney, startJourney } from '../startJourney.ts';

const WRITE_KEY = 'wk_esdb_pipeline';
const API_TOKEN = 'jt_esdb_pipeline_0123456789';

/**
 * The whole pipeline, unchanged, with its journey streams in EventStoreDB (the emulator,
 * driven by the real client): the projections, the timeline's worker thread included,
 * follow `$all` and keep EventStoreDB's positions as their checkpoints.
 */
describe('Journey on EventStoreDB', () => {
  let emulator: EsdbEmulator;
  let dataDir: string;
  let journey: RunningJourney;
  const config = () =>
    loadConfig({
      PORT: '0',
      JOURNEY_DATA_DIR: dataDir,
      JOURNEY_WRITE_KEYS: WRITE_KEY,
      JOURNEY_API_TOKEN: API_TOKEN,
      EVENTSTORE_CONNECTION_STRING: emulator.connectionString,
      LOG_LEVEL: 'silent',
    });
  const api = async (path: string) => {
    const response = await fetch(`${journey.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    emulator = await EsdbEmulator.start();
    dataDir = await mkdtemp(join(tmpdir(), 'journey-esdb-'));
    journey = await startJourney(config());
    const sent = await fetch(`${journey.url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      },
      body: JSON.stringify({ batch: handMadeEvents() }),
    });
    expect(sent.status).toBe(200);
    await pipelineSettled(journey, 20_000);
  });
  afterAll(async () => {
    await journey?.stop();
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
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
    journey = await startJourney(config());
    await pipelineSettled(journey, 20_000);
    expect((await api(`/api/funnel?asOf=${HAND_MADE_AS_OF}`)).stages).toEqual(handMadeFunnel);
    expect((await api('/api/users/dave/journey')).events).toHaveLength(6);
  });
});
