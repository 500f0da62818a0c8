import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawLog, RawLogToken } from '../../../application/ports/rawLog/rawLog.ts';
import { loadConfig } from '../../../infrastructure/config/config.ts';
import { JetStreamRawLog } from '../../../infrastructure/nats/jetStreamRawLog.ts';
import {
  HAND_MADE_AS_OF,
  handMadeDaveJourney,
  handMadeEvents,
  handMadeFunnelAnswer,
} from '../../../testing/fixtures/handMadeDataset.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { type NatsServerHarness, startNatsServer } from '../../../testing/nats/natsServerHarness.ts';
import { type RunningJourney, startJourney } from '../startJourney.ts';

const WRITE_KEY = 'wk_nats_pipeline';
const API_TOKEN = 'jt_nats_pipeline_0123456789';

/** The whole pipeline with its raw log in JetStream, on a nats-server of its own. */
describe('Journey on NATS JetStream', () => {
  let nats: NatsServerHarness;
  let dataDir: string;
  let journey: RunningJourney;
  const api = async (path: string) => {
    const response = await fetch(`${journey.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    return (await response.json()) as Record<string, unknown>;
  };
  const postBatch = (batch: readonly Record<string, unknown>[]) =>
    fetch(`${journey.url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      },
      body: JSON.stringify({ batch }),
    });

  beforeAll(async () => {
    nats = await startNatsServer();
    dataDir = await mkdtemp(join(tmpdir(), 'journey-nats-'));
    journey = await startJourney(
      loadConfig({
        PORT: '0',
        JOURNEY_DATA_DIR: dataDir,
        JOURNEY_WRITE_KEYS: WRITE_KEY,
        JOURNEY_API_TOKEN: API_TOKEN,
        NATS_URL: nats.url,
        NATS_PUBLISH_TIMEOUT_MS: '1000',
        LOG_LEVEL: 'silent',
      }),
    );
    expect((await postBatch(handMadeEvents())).status).toBe(200);
    await pipelineSettled(journey, 20_000);
  });
  afterAll(async () => {
    await journey?.stop();
    await nats?.stop();
    await rm(dataDir, { recursive: true, force: true });
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
    const refused = await postBatch(batch);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    await nats.restart();
    await expect.poll(async () => (await postBatch(batch)).status, { timeout: 15_000, interval: 250 }).toBe(200);
    await pipelineSettled(journey, 20_000);
  });
});
