import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postBatch } from '../../../testing/collector/postBatch.ts';
import { TEST_API_TOKEN as API_TOKEN, TEST_WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../../testing/journey/startTestJourney.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import { waitUntil } from '../../../testing/waitUntil.ts';
import type { AppName } from '../appNames.ts';
import type { RunningJourney } from '../startJourney.ts';

/** one sample of a Prometheus text exposition; undefined when the series is absent */
const sample = (text: string, name: string, labels: Record<string, string> = {}): number | undefined => {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
};

const track = (userId: string, event: string, messageId: string) => ({
  type: 'track',
  userId,
  event,
  messageId,
  timestamp: '2026-03-10T10:00:00.000Z',
  properties: {},
});

describe('/metrics and /readyz', () => {
  let data: TempDataDir;
  const running: RunningJourney[] = [];

  beforeEach(async () => {
    data = await tempDataDir('metrics-e2e');
  });
  afterEach(async () => {
    for (const j of running.splice(0).reverse()) await j.stop();
    await data.remove();
  });

  const start = async (apps?: readonly AppName[], env: Record<string, string> = {}) => {
    const journey = await startTestJourney(data.dir, env, apps);
    running.push(journey);
    return journey;
  };
  const scrape = async (base: string) => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it('counts ingested, duplicate and rejected events and times requests by route, by the right amounts', async () => {
    const journey = await start();
    const url = journey.url ?? '';
    const valid = [
      track('ada', 'Signed Up', 'm-1'),
      track('ada', 'Logged In', 'm-2'),
      track('bob', 'Signed Up', 'm-3'),
    ];
    const invalid = { type: 'track', userId: 'ada', messageId: 'm-bad' }; // no event name
    const batchTimings = { method: 'POST', route: '/v1/batch', status_code: '200' };

    const before = await scrape(url);
    expect(await (await postBatch(url, TEST_WRITE_KEY, [...valid, invalid])).json()).toMatchObject({ accepted: 3 });
    expect(await (await postBatch(url, TEST_WRITE_KEY, valid)).json()).toMatchObject({ accepted: 0, duplicates: 3 });
    const after = await scrape(url);

    const delta = (name: string, labels?: Record<string, string>) =>
      (sample(after, name, labels) ?? Number.NaN) - (sample(before, name, labels) ?? 0);
    expect(delta('journey_events_ingested_total')).toBe(3);
    expect(delta('journey_events_duplicate_total')).toBe(3);
    expect(delta('journey_events_rejected_total', { stage: 'collector' })).toBe(1);
    expect(delta('journey_events_rejected_total', { stage: 'mapper' })).toBe(0);
    expect(delta('journey_http_request_duration_seconds_count', batchTimings)).toBe(2);
    expect(sample(after, 'journey_http_request_duration_seconds_bucket', { ...batchTimings, le: '+Inf' })).toBe(2);

    await pipelineSettled(journey);
    const settled = await scrape(url);
    expect(sample(settled, 'journey_mapper_lag_events', { group: 'mapper' })).toBe(0);
    for (const projection of ['users', 'timeline', 'alerts', 'sessions']) {
      expect(sample(settled, 'journey_projection_lag_events', { projection })).toBe(0);
      expect(sample(settled, 'journey_projection_lag_seconds', { projection })).toBe(0);
    }
    // ada and bob signed up long ago by event time: too old to alert, so every state is 0
    for (const status of ['pending', 'posted', 'logged', 'failed', 'skipped']) {
      expect(sample(settled, 'journey_alerts', { status })).toBe(0);
    }
    // an API request is timed under its route pattern, not its URL
    await fetch(`${url}/api/users/ada/journey`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const timed = await scrape(url);
    expect(
      sample(timed, 'journey_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/users/:userId/journey',
        status_code: '200',
      }),
    ).toBe(1);

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: expect.arrayContaining([
        expect.objectContaining({ name: 'rawLog', ok: true }),
        expect.objectContaining({ name: 'eventStore', ok: true }),
        expect.objectContaining({ name: 'projection:users', ok: true }),
        expect.objectContaining({ name: 'projection:timeline', ok: true }),
        expect.objectContaining({ name: 'projection:alerts', ok: true }),
      ]),
    });
  });

  it('is not ready while projections are behind, says which, and a projector-only process serves its own metrics', async () => {
    // no projector here: whatever the mapper appends leaves the read models behind
    const front = await start(['collector', 'mapper', 'api'], { JOURNEY_READY_MAX_LAG_EVENTS: '1' });
    const url = front.url ?? '';
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    await postBatch(url, TEST_WRITE_KEY, [track('ada', 'Signed Up', 'm-1'), track('bob', 'Signed Up', 'm-2')]);
    let answer: { status: number; body: { status: string; message: string } } | undefined;
    await waitUntil('/readyz to answer 503', async () => {
      const response = await fetch(`${url}/readyz`);
      answer = { status: response.status, body: (await response.json()) as { status: string; message: string } };
      return response.status === 503;
    });
    expect(answer?.body.status).toBe('not_ready');
    expect(answer?.body.message).toContain('projection users is more than 1 events behind the event store');
    const frontMetrics = await scrape(url);
    expect(sample(frontMetrics, 'journey_mapper_lag_events', { group: 'mapper' })).toBe(0);
    // projection lag belongs to the projector's process
    expect(sample(frontMetrics, 'journey_projection_lag_events', { projection: 'users' })).toBeUndefined();

    const projector = await start(['projector'], { JOURNEY_OPS_PORT: '0' });
    expect(projector.url).toBeUndefined();
    const ops = projector.opsUrl ?? '';
    expect(ops).toMatch(/^http:\/\//);
    expect(await (await fetch(`${ops}/healthz`)).json()).toEqual({ status: 'ok' });
    await waitUntil('the projector to catch up', async () => {
      const text = await scrape(ops);
      return ['users', 'timeline', 'alerts', 'sessions'].every(
        (projection) => sample(text, 'journey_projection_lag_events', { projection }) === 0,
      );
    });
    expect((await fetch(`${ops}/readyz`)).status).toBe(200);
    await waitUntil('/readyz of the API to answer 200', async () => (await fetch(`${url}/readyz`)).status === 200);
  });

  it('serves no ops server for a process without HTTP unless JOURNEY_OPS_PORT is set', async () => {
    const mapper = await start(['mapper']);
    expect(mapper.url).toBeUndefined();
    expect(mapper.opsUrl).toBeUndefined();
  });
});
