import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../testing/freePort.ts';
import { writeKeyAuth as basic } from '../../../testing/http/writeKeyAuth.ts';
import { journeyEnv } from '../../../testing/journey/journeyEnv.ts';
import { type JourneyProcess, journeyProcess } from '../../../testing/journey/journeyProcess.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';

const WEB_KEY = 'wk_web_s3cret_7f1d2a9c44';
const BACKEND_KEY = 'wk_backend_s3cret_b9e0c1d2';
const API_TOKEN = 'jt_api_s3cret_5a6b7c8d9e0f1a2b';
const GUESSES = ['wk_guess_s3cret_000111', 'jt_guess_s3cret_222333444555'];

describe('secrets never reach the logs', () => {
  let journey: JourneyProcess | undefined;
  let data: TempDataDir | undefined;
  afterAll(async () => {
    await journey?.kill();
    await data?.remove();
  });

  it('runs at debug level, is sent keys, bad keys and tokens every way, and logs none of them', async () => {
    data = await tempDataDir('secrets');
    const port = await freePort();
    const env = journeyEnv(data.dir, {
      PORT: String(port),
      JOURNEY_WRITE_KEYS: `web:${WEB_KEY},backend:${BACKEND_KEY}`,
      JOURNEY_API_TOKEN: API_TOKEN,
      LOG_LEVEL: 'debug',
    });
    // every line it printed, not a tail: a secret anywhere in it fails the test
    journey = journeyProcess('journey', ['start'], () => env, {
      readyWhen: 'Try it:',
      outputChars: Number.POSITIVE_INFINITY,
    });
    await journey.start();
    const url = `http://127.0.0.1:${port}`;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const event = { userId: 'ada', event: 'Signed Up' };
    const statuses = [
      (await post('/v1/track', event, { authorization: basic(WEB_KEY) })).status,
      (await post('/v1/batch', { writeKey: BACKEND_KEY, batch: [{ type: 'track', ...event }] })).status,
      // an invalid event, dead-lettered, carrying the key in the body and in a property
      (await post('/v1/batch', { writeKey: WEB_KEY, batch: [{ type: 'track', userId: 'ada', writeKey: WEB_KEY }] }))
        .status,
      (await post(`/v1/track?writeKey=${WEB_KEY}`, event, { authorization: basic(GUESSES[0] ?? '') })).status,
      (await post('/v1/track', event, { authorization: basic(API_TOKEN) })).status,
      (await post('/v1/track', { ...event, writeKey: GUESSES[1] })).status,
      (await fetch(`${url}/api/funnel`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).status,
      (await fetch(`${url}/api/funnel?token=${API_TOKEN}`, { headers: { authorization: `Bearer ${WEB_KEY}` } })).status,
      (await fetch(`${url}/api/funnel`, { headers: { authorization: `Bearer ${GUESSES[1]}` } })).status,
      (await fetch(`${url}/api/funnel`, { headers: { authorization: basic(API_TOKEN) } })).status,
    ];
    // the token opens /api only and a write key the collector only
    expect(statuses).toEqual([200, 200, 400, 401, 401, 401, 200, 401, 401, 401]);

    await journey.stop();
    const output = journey.output();
    // the run did log (LOG_LEVEL=debug): every request, every refusal
    expect(output).toContain('incoming request');
    expect(output).toContain('request refused');
    expect(output.split('\n').length).toBeGreaterThan(20);
    for (const secret of [WEB_KEY, BACKEND_KEY, API_TOKEN, ...GUESSES]) {
      for (const form of [secret, Buffer.from(`${secret}:`).toString('base64'), encodeURIComponent(secret)]) {
        expect(output.includes(form), `the log holds ${form}`).toBe(false);
      }
    }
  }, 240_000);
});
