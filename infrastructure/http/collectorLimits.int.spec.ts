import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestEvents } from '../../application/ingest/ingestEvents.ts';
import { eventually, Recorder } from '../../application/ports/rawLog/rawLog.fixtures.ts';
import { writeKeyAuth } from '../../testing/http/writeKeyAuth.ts';
import { MemoryRawLog } from '../../testing/memory/memoryRawLog.ts';
import { sleep } from '../../testing/sleep.ts';
import { registerCollectorRoutes } from './collectorRoutes.ts';
import { createHttpServer } from './createHttpServer.ts';

const KEYS = new Map([
  ['wk_web_0123456789', 'web'],
  ['wk_backend_0123456789', 'backend'],
]);

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

const start = async (options: { ratePerMinute?: number; requestTimeoutMs?: number; replicas?: number } = {}) => {
  const rawLog = new MemoryRawLog();
  const app = createHttpServer({
    logger: false,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  let n = 0;
  const ingest = new IngestEvents(rawLog, { now: () => Date.now() }, () => `gen-${++n}`);
  registerCollectorRoutes(app, {
    ingest,
    writeKeys: KEYS,
    ...(options.ratePerMinute === undefined ? {} : { ratePerMinute: options.ratePerMinute }),
    ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
  });
  apps.push(app);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const track = (key: string, id: string) =>
    fetch(`${base}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: writeKeyAuth(key),
      },
      body: JSON.stringify({ userId: 'u1', event: 'Clicked', messageId: id }),
    });
  return { base, track, rawLog };
};

describe('collector limits', () => {
  it('answers 429 with Retry-After once a write key is over its rate, and counts each key on its own', async () => {
    const { track } = await start({ ratePerMinute: 3 });
    for (const i of [1, 2, 3]) expect((await track('wk_web_0123456789', `w-${i}`)).status).toBe(200);
    const over = await track('wk_web_0123456789', 'w-4');
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await over.json()) as { error: string; message: string };
    expect(body.error).toBe('rate_limited');
    expect(body.message).toContain('more than 3 requests a minute with this write key');
    expect((await track('wk_backend_0123456789', 'b-1')).status).toBe(200);
  });

  it('splits the limit between collector replicas, so together they allow exactly the configured rate', async () => {
    const replicas = [await start({ ratePerMinute: 10, replicas: 2 }), await start({ ratePerMinute: 10, replicas: 2 })];
    const statuses: number[] = [];
    // round-robin, as the entry point in front of the replicas sends them
    for (let i = 0; i < 16; i++) {
      const response = await replicas[i % 2]?.track('wk_web_0123456789', `w-${i}`);
      statuses.push(response?.status ?? 0);
      if (response?.status === 429) {
        const body = (await response.json()) as { message: string };
        expect(body.message).toContain(
          'more than 10 requests a minute with this write key (5 on each of 2 collectors)',
        );
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429, 429, 429, 429, 429]);
    expect(await Promise.all(replicas.map((r) => r.rawLog.pending('mapper')))).toEqual([5, 5]);
  });

  it('refuses a limit smaller than the number of replicas, naming both settings', async () => {
    await expect(start({ ratePerMinute: 2, replicas: 3 })).rejects.toThrow(
      /JOURNEY_RATE_LIMIT_PER_MINUTE=2 shared by JOURNEY_COLLECTOR_REPLICAS=3 collectors[\s\S]*raise the limit to at least 3/,
    );
  });

  it('counts requests without a valid key per client, so a bad key cannot flood either', async () => {
    const { track } = await start({ ratePerMinute: 2 });
    const statuses = [];
    for (const i of [1, 2, 3]) statuses.push((await track('wk_guessed', `x-${i}`)).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect((await track('wk_web_0123456789', 'w-1')).status).toBe(200);
  });

  it('has no rate limit when none is configured', async () => {
    const { track } = await start();
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) statuses.add((await track('wk_web_0123456789', `w-${i}`)).status);
    expect([...statuses]).toEqual([200]);
  });

  it('closes a client that sends half a request slowly, while serving the others', async () => {
    const { base, track, rawLog } = await start({ requestTimeoutMs: 500 });
    const { port } = new URL(base);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('POST /v1/track HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
    socket.write('Content-Length: 1000\r\n\r\n{"userId":');
    // one byte every 50 ms: never idle, never done (the body would need 1000 bytes)
    let open = true;
    void closed.then(() => {
      open = false;
    });
    const served: number[] = [];
    let i = 0;
    while (open) {
      if (!socket.destroyed) socket.write(' ');
      served.push((await track('wk_web_0123456789', `during-${i++}`)).status);
      await sleep(50);
    }
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(served.length).toBeGreaterThan(0);
    expect(new Set(served)).toEqual(new Set([200]));
    expect(await rawLog.pending('nobody')).toBe(served.length);
  }, 20_000);

  it('records on each raw event the source of the write key it came with', async () => {
    const { track, rawLog } = await start();
    expect((await track('wk_web_0123456789', 'from-web')).status).toBe(200);
    expect((await track('wk_backend_0123456789', 'from-backend')).status).toBe(200);
    const recorder = new Recorder().start(rawLog, { group: 'check' });
    await eventually(() => recorder.handled.length === 2, 'both events');
    await recorder.stop();
    expect(recorder.handled.map((e) => [e.messageId, e.source])).toEqual([
      ['from-web', 'web'],
      ['from-backend', 'backend'],
    ]);
    expect(JSON.stringify(recorder.handled)).not.toContain('wk_');
  });
});
