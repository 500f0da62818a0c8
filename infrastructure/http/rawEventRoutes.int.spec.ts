import { get as httpGet, type IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { RawEventQueries } from '../../application/explorer/rawEventQueries.ts';
import {
  mappedOutcome,
  rawEvent,
  rejectedOutcome,
} from '../../application/ports/rawEventIndex/rawEventIndex.fixtures.ts';
import { JourneyQueries } from '../../application/queries/journeyQueries.ts';
import { MemoryRawEventIndex } from '../../testing/memory/memoryRawEventIndex.ts';
import { MemoryReadModels } from '../../testing/memory/memoryReadModels.ts';
import { registerApiRoutes } from './apiRoutes.ts';
import { createHttpServer } from './createHttpServer.ts';
import { rawEventStreamMessage, rawEventsAnswer } from './rawEventSchemas.ts';

const TOKEN = 'jt_test_token_0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

let app: FastifyInstance | undefined;
let apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
  app = undefined;
});

const start = async () => {
  const index = new MemoryRawEventIndex();
  const server = createHttpServer({ logger: false });
  app = server;
  apps.push(server);
  registerApiRoutes(server, {
    queries: new JourneyQueries(new MemoryReadModels(), 15),
    apiToken: TOKEN,
    clock: { now: () => Date.parse('2026-05-01T12:00:00.000Z') },
    rawEvents: { queries: new RawEventQueries(index), pollMs: 20 },
  });
  const base = await server.listen({ port: 0, host: '127.0.0.1' });
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, { headers: auth });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { index, base, get };
};

type Frame = { id?: string; event?: string; data?: string };

/**
 * Opens an SSE stream on its own socket (node:http, no agent): fetch's pool may open a spare
 * connection that keeps the server's close() waiting for a request that never comes.
 */
const openStream = (url: string, headers: Record<string, string>): Promise<IncomingMessage> =>
  new Promise((resolve, reject) => {
    httpGet(url, { headers: { ...auth, accept: 'text/event-stream', ...headers }, agent: false }, resolve).on(
      'error',
      reject,
    );
  });

/** reads SSE frames off a response until `count` arrived */
const frames = (response: IncomingMessage) => {
  response.setEncoding('utf8');
  const chunks = response[Symbol.asyncIterator]();
  let buffer = '';
  return async (count: number): Promise<Frame[]> => {
    const out: Frame[] = [];
    while (out.length < count) {
      const cut = buffer.indexOf('\n\n');
      if (cut === -1) {
        const { value, done } = await chunks.next();
        if (done) throw new Error(`the stream ended after ${out.length} frames`);
        buffer += value;
        continue;
      }
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const frame: Frame = {};
      for (const line of block.split('\n')) {
        const [, key, value] = /^(id|event|data): ?(.*)$/.exec(line) ?? [];
        if (key !== undefined) frame[key as keyof Frame] = value;
      }
      if (frame.data !== undefined) out.push(frame);
    }
    return out;
  };
};

describe('GET /api/raw-events', () => {
  it('pages raw events newest first with their mapping, and refuses a cursor it never gave', async () => {
    const { index, get } = await start();
    const events = ['m1', 'm2', 'm3'].map((id, i) => rawEvent(id, i));
    await index.record({ stored: events, outcomes: [mappedOutcome(events[0] ?? rawEvent('x', 0))] });
    const first = await get('/api/raw-events?limit=2&userId=ada');
    expect(first.status).toBe(200);
    const page = rawEventsAnswer.parse(first.body);
    expect(page.events.map((e) => [e.messageId, e.status])).toEqual([
      ['m3', 'pending'],
      ['m2', 'pending'],
    ]);
    const second = rawEventsAnswer.parse((await get(`/api/raw-events?limit=2&userId=ada&before=${page.next}`)).body);
    expect(second).toMatchObject({ next: null, events: [{ messageId: 'm1', status: 'mapped' }] });
    expect(second.events[0]?.journeyEvents).toEqual([
      { id: 'je-m1-deployment-started', type: 'DeploymentStarted', rule: 'deployment-started' },
    ]);
    const forged = await get(`/api/raw-events?before=${Buffer.from('not a cursor').toString('base64url')}`);
    expect(forged).toMatchObject({ status: 400, body: { issues: [{ path: 'before' }] } });
    expect((await fetch(`${(await start()).base}/api/raw-events`)).status).toBe(401);
  });
});

describe('GET /api/raw-events/stream', () => {
  it('sends each matching event when stored and again when its status changes, and resumes after Last-Event-ID', async () => {
    const { index, base } = await start();
    await index.record({ stored: [rawEvent('old', 0)] });
    const response = await openStream(`${base}/api/raw-events/stream?userId=ada`, {});
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    const next = frames(response);
    const click = rawEvent('m1', 1);
    await index.record({ stored: [click, rawEvent('bob-1', 2, { userId: 'bob' })] });
    // a row's latest state: a change made before the stream polls again is sent once, as it is then
    const [stored] = await next(1);
    await index.record({ outcomes: [rejectedOutcome(click, 'rule r: field x is missing')] });
    const [changed] = await next(1);
    expect(stored?.event).toBe('raw-event');
    expect(rawEventStreamMessage.parse(JSON.parse(stored?.data ?? ''))).toMatchObject({
      messageId: 'm1',
      status: 'pending',
    });
    expect(JSON.parse(changed?.data ?? '')).toMatchObject({
      messageId: 'm1',
      status: 'rejected',
      reason: 'rule r: field x is missing',
    });
    expect(Number(changed?.id)).toBeGreaterThan(Number(stored?.id));
    response.destroy();

    const resumed = await openStream(`${base}/api/raw-events/stream?userId=ada`, {
      'last-event-id': stored?.id ?? '',
    });
    const replay = await frames(resumed)(1);
    expect(JSON.parse(replay[0]?.data ?? '')).toMatchObject({ messageId: 'm1', status: 'rejected' });
    // closing the server ends the open stream rather than waiting for it
    const ended = new Promise((resolve) => resumed.socket.once('close', resolve));
    await app?.close();
    apps = [];
    await ended;
  });

  it('answers a bad filter 400 before it starts streaming', async () => {
    const { base } = await start();
    const response = await fetch(`${base}/api/raw-events/stream?status=lost`, { headers: auth });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request', issues: [{ path: 'status' }] });
  });
});
