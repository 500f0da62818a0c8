import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestEvents } from '../../application/ingest/ingestEvents.ts';
import type { RawLog } from '../../application/ports/rawLog/rawLog.ts';
import { registerCollectorRoutes } from './collectorRoutes.ts';
import { createHttpServer } from './createHttpServer.ts';

const WRITE_KEY = 'wk_test_0123456789abcdef';
const APP = 'https://app.example.com';

const acceptingRawLog = {
  publish: async (events: readonly unknown[]) => ({ stored: events.length, duplicates: 0 }),
  reject: async () => undefined,
} as unknown as RawLog;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const start = async (corsOrigins?: readonly string[]) => {
  app = createHttpServer({ logger: false });
  const ingest = new IngestEvents(acceptingRawLog, { now: () => Date.now() }, () => crypto.randomUUID());
  registerCollectorRoutes(app, {
    ingest,
    writeKeys: new Map([[WRITE_KEY, 'web']]),
    ...(corsOrigins === undefined ? {} : { corsOrigins }),
  });
  return app.listen({ port: 0, host: '127.0.0.1' });
};

const beacon = (base: string, origin: string) =>
  fetch(`${base}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin },
    body: JSON.stringify({ writeKey: WRITE_KEY, batch: [{ type: 'track', event: 'X', anonymousId: 'a1' }] }),
  });

const preflight = (base: string, origin: string) =>
  fetch(`${base}/v1/batch`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });

describe('the browser SDK served by the collector', () => {
  it('serves the script-tag bundle and the ES module as JavaScript, cacheable and revalidated by ETag', async () => {
    const base = await start();
    const js = await fetch(`${base}/sdk.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('max-age=300');
    expect(await js.text()).toContain('journey');
    const etag = js.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    expect((await fetch(`${base}/sdk.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const mjs = await fetch(`${base}/sdk.mjs`, { headers: { origin: APP } });
    expect(mjs.headers.get('access-control-allow-origin')).toBe('*');
    expect(await mjs.text()).toMatch(/export\s*\{/);
  });
});

describe('CORS for browser posts', () => {
  it('allows any origin by default', async () => {
    const base = await start();
    expect((await beacon(base, 'https://anywhere.example')).headers.get('access-control-allow-origin')).toBe('*');
    const options = await preflight(base, 'https://anywhere.example');
    expect(options.status).toBe(204);
    expect(options.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers only the configured origins, preflight included', async () => {
    const base = await start([APP, 'http://localhost:3000']);
    const allowed = await preflight(base, APP);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('access-control-allow-methods')).toBe('POST');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const posted = await beacon(base, APP);
    expect(posted.status).toBe(200);
    expect(posted.headers.get('access-control-allow-origin')).toBe(APP);

    const stranger = await preflight(base, 'https://evil.example');
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    expect(stranger.headers.get('access-control-allow-methods')).toBeNull();
    expect((await beacon(base, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
