import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventStore, EventStoreToken } from '../../../application/ports/eventStore/eventStore.ts';
import { type RawLog, RawLogToken } from '../../../application/ports/rawLog/rawLog.ts';
import { JetStreamRawLog } from '../../../infrastructure/nats/jetStreamRawLog.ts';
import { postBatch } from '../../../testing/collector/postBatch.ts';
import {
  HAND_MADE_AS_OF,
  handMadeDaveJourney,
  handMadeEvents,
  handMadeFunnelAnswer,
} from '../../../testing/fixtures/handMadeDataset.ts';
import { openSse } from '../../../testing/http/sseClient.ts';
import { TEST_API_TOKEN as API_TOKEN, TEST_WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../../testing/journey/startTestJourney.ts';
import { type NatsServerHarness, startNatsServer } from '../../../testing/nats/natsServerHarness.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import type { RunningJourney } from '../startJourney.ts';

/** The whole pipeline with its raw log in JetStream, on a nats-server of its own. */
describe('Journey on NATS JetStream', () => {
  let nats: NatsServerHarness;
  let data: TempDataDir;
  let journey: RunningJourney;
  const api = async (path: string) => {
    const response = await fetch(`${journey.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    return (await response.json()) as Record<string, unknown>;
  };
  const post = (batch: readonly Record<string, unknown>[]) => postBatch(journey.url ?? '', TEST_WRITE_KEY, batch);

  beforeAll(async () => {
    nats = await startNatsServer();
    data = await tempDataDir('nats');
    journey = await startTestJourney(data.dir, { NATS_URL: nats.url, NATS_PUBLISH_TIMEOUT_MS: '1000' });
    expect((await post(handMadeEvents())).status).toBe(200);
    await pipelineSettled(journey, 20_000);
  });
  afterAll(async () => {
    await journey?.stop();
    await nats?.stop();
    await data.remove();
  });

  it('uses the JetStream raw log', () => {
    expect(journey.container.get<RawLog>(RawLogToken)).toBeInstanceOf(JetStreamRawLog);
  });

  it('answers the funnel worked out by hand', async () => {
    expect(await api(`/api/funnel?asOf=${HAND_MADE_AS_OF}`)).toEqual(handMadeFunnelAnswer);
  });

  it("joins anonymous visits to the user's journey", async () => {
    const body = await api('/api/users/dave/journey');
    expect((body.events as { type: string }[]).map((e) => e.type)).toEqual(handMadeDaveJourney);
  });

  it('publishes every journey event to journey.events.<type>, as the SSE feed serves them', async () => {
    const store = journey.container.get<EventStore>(EventStoreToken);
    const events = await store.readAll({ streamPrefix: 'journey-' });
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await expect
      .poll(async () => (await jsm.streams.info('JOURNEY_EVENTS')).state.messages, { timeout: 10_000 })
      .toBe(events.length);
    const published = [];
    for (let seq = 1; seq <= events.length; seq++) {
      const m = await jsm.streams.getMessage('JOURNEY_EVENTS', { seq });
      published.push(`${m?.subject} ${m?.header.get('Nats-Msg-Id')}`);
    }
    await nc.close();
    expect(published).toEqual(events.map((e) => `journey.events.${e.type} ${e.id}`));
    const feed = await openSse(`${journey.url}/api/events/stream`, { token: API_TOKEN });
    await feed.waitFor(events.length);
    feed.close();
    expect(feed.messages.map((m) => `journey.events.${m.event} ${(JSON.parse(m.data) as { id: string }).id}`)).toEqual(
      published,
    );
  });

  it('answers 503 with Retry-After while NATS is down, and 200 for the same batch once it is back', async () => {
    const batch = [
      {
        type: 'track',
        event: 'Outage Probe',
        userId: 'outage-user',
        messageId: 'outage-1',
        timestamp: HAND_MADE_AS_OF,
      },
    ];
    await nats.kill();
    const refused = await post(batch);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    await nats.restart();
    await expect.poll(async () => (await post(batch)).status, { timeout: 15_000, interval: 250 }).toBe(200);
    await pipelineSettled(journey, 20_000);
  });
});
