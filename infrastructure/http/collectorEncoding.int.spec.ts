import { deflateSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestEvents } from '../../application/ingest/ingestEvents.ts';
import { MemoryRawLog } from '../../testing/memory/memoryRawLog.ts';
import { COLLECTOR_BODY_LIMIT, registerCollectorRoutes } from './collectorRoutes.ts';
import { createHttpServer } from './createHttpServer.ts';

const WRITE_KEY = 'wk_encoding_0123456789';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

type Sent = { status: number; body: { error?: string; message?: string; accepted?: number } };

const start = async () => {
  const rawLog = new MemoryRawLog();
  app = createHttpServer({ logger: false });
  let n = 0;
  const ingest = new IngestEvents(rawLog, { now: () => Date.now() }, () => `gen-${++n}`);
  registerCollectorRoutes(app, { ingest, writeKeys: new Map([[WRITE_KEY, 'backend']]) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const post = async (
    path: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    headers: Record<string, string>,
  ): Promise<Sent> => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
        ...headers,
      },
      body,
      // a stream is sent chunked, without Content-Length, so only the collector's own count stops it
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
    return { status: response.status, body: (await response.json()) as Sent['body'] };
  };
  const stored = () => rawLog.pending('check');
  return { post, stored };
};

const track = (i: number, padding = '') => ({
  type: 'track',
  event: 'Report Viewed',
  userId: `u${i}`,
  properties: { padding },
});
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const chunked = (bytes: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 64 * 1024) controller.enqueue(bytes.subarray(at, at + 64 * 1024));
      controller.close();
    },
  });

describe('collector request bodies: compression and content types', () => {
  it('takes a gzip batch labelled as a form, as RudderStack’s Node SDK sends it', async () => {
    const { post, stored } = await start();
    const res = await post('/v1/batch', gzipSync(json({ batch: [track(1), track(2)] })), {
      'content-type': 'application/x-www-form-urlencoded',
      'content-encoding': 'gzip',
    });
    expect(res).toEqual({ status: 200, body: { success: true, accepted: 2, duplicates: 0 } });
    expect(await stored()).toBe(2);
  });

  it('takes deflate, x-gzip and identity, and a chunked gzip body', async () => {
    const { post, stored } = await start();
    expect((await post('/v1/track', deflateSync(json(track(1))), { 'content-encoding': 'deflate' })).status).toBe(200);
    expect((await post('/v1/t', gzipSync(json(track(2))), { 'content-encoding': 'X-Gzip' })).status).toBe(200);
    expect((await post('/v1/t', json(track(3)), { 'content-encoding': 'identity' })).status).toBe(200);
    const batch = gzipSync(json({ batch: [track(4), track(5)] }));
    expect((await post('/v1/b', chunked(batch), { 'content-encoding': 'gzip' })).status).toBe(200);
    expect(await stored()).toBe(5);
  });

  it('applies the 500 KB limit to the decompressed body: just under passes, just over is 413', async () => {
    const { post, stored } = await start();
    const padding = 'x'.repeat(4_000);
    const batchOf = (count: number) => json({ batch: Array.from({ length: count }, (_, i) => track(i, padding)) });
    const under = batchOf(120);
    const over = batchOf(130);
    expect(under.length).toBeLessThan(COLLECTOR_BODY_LIMIT);
    expect(over.length).toBeGreaterThan(COLLECTOR_BODY_LIMIT);
    expect((await post('/v1/batch', gzipSync(under), { 'content-encoding': 'gzip' })).status).toBe(200);
    const refused = await post('/v1/batch', gzipSync(over), { 'content-encoding': 'gzip' });
    expect(refused).toEqual({
      status: 413,
      body: {
        error: 'payload_too_large',
        message:
          'the request body is over the 500 KB limit once decompressed (the limit applies to the decompressed JSON); split the batch into smaller requests',
      },
    });
    expect(await stored()).toBe(120);
  });

  it('refuses a decompression bomb with 413 after decompressing no more than the limit', async () => {
    const { post, stored } = await start();
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, ' ')); // 200 MB of JSON whitespace, ~200 KB gzipped
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const res = await post('/v1/batch', bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(res.body.message).toContain('once decompressed');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    expect(await stored()).toBe(0);
    expect((await post('/v1/t', json(track(1)), {})).status).toBe(200); // and it still serves
  });

  it('counts the compressed bytes too: a chunked body over the limit is 413 even if it decompresses small', async () => {
    const { post } = await start();
    // gunzip ignores trailing zeros, so this decompresses to one small event
    const padded = Buffer.concat([gzipSync(json(track(1))), Buffer.alloc(COLLECTOR_BODY_LIMIT + 1)]);
    const res = await post('/v1/t', chunked(padded), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(res.body.message).toContain('even compressed');
  });

  it('answers 400 for a body that is not what its Content-Encoding says, naming the fix', async () => {
    const { post, stored } = await start();
    const plain = await post('/v1/t', json(track(1)), { 'content-encoding': 'gzip' });
    expect(plain).toEqual({
      status: 400,
      body: {
        error: 'invalid_encoding',
        message:
          'the body is not valid gzip data (incorrect header check); compress the whole JSON body with gzip, or send it uncompressed without Content-Encoding',
      },
    });
    const whole = gzipSync(json(track(2)));
    const truncated = await post('/v1/t', whole.subarray(0, whole.length - 6), { 'content-encoding': 'gzip' });
    expect(truncated.status).toBe(400);
    expect(truncated.body.message).toContain('unexpected end of file');
    const notJson = await post('/v1/t', gzipSync('{"type":'), { 'content-encoding': 'gzip' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toBe('invalid_json');
    expect(await stored()).toBe(0);
  });

  it('answers 415 for an encoding it cannot decode, naming those it can', async () => {
    const { post } = await start();
    const res = await post('/v1/batch', json({ batch: [track(1)] }), { 'content-encoding': 'br' });
    expect(res).toEqual({
      status: 415,
      body: {
        error: 'unsupported_encoding',
        message: 'Content-Encoding br is not supported; send the body uncompressed or compressed with gzip or deflate',
      },
    });
  });
});
