import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestEvents } from '../../application/ingest/ingestEvents.ts';
import type { DeadLetter, PublishReceipt, RawLog } from '../../application/ports/rawLog/rawLog.ts';
import { UnavailableError } from '../../domain/errors/journeyError.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import { writeKeyAuth } from '../../testing/http/writeKeyAuth.ts';
import { registerCollectorRoutes } from './collectorRoutes.ts';
import { createHttpServer } from './createHttpServer.ts';

const WRITE_KEY = 'wk_test_0123456789abcdef';
const NOW = Date.parse('2026-03-01T12:00:00.000Z');

/** A raw log that records what it was given; deduplicates by messageId like every adapter. */
class RecordingRawLog {
  readonly published: IngestedEvent[][] = [];
  readonly rejected: Omit<DeadLetter, 'id' | 'at'>[] = [];
  unavailable = false;
  private readonly ids = new Set<string>();

  async publish(events: readonly IngestedEvent[]): Promise<PublishReceipt> {
    if (this.unavailable) throw new UnavailableError('raw log: disk full');
    this.published.push([...events]);
    const fresh = events.filter((e) => !this.ids.has(e.messageId));
    for (const e of fresh) this.ids.add(e.messageId);
    return { stored: fresh.length, duplicates: events.length - fresh.length };
  }

  async reject(items: readonly Omit<DeadLetter, 'id' | 'at'>[]): Promise<void> {
    this.rejected.push(...items);
  }

  get events(): IngestedEvent[] {
    return this.published.flat();
  }
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const start = async (options: { logLines?: string[] } = {}) => {
  const rawLog = new RecordingRawLog();
  const logLines = options.logLines;
  const logger =
    logLines === undefined
      ? false
      : pino(
          { level: 'info' },
          new Writable({
            write(chunk, _encoding, done) {
              logLines.push(String(chunk));
              done();
            },
          }),
        );
  app = createHttpServer({ logger });
  let n = 0;
  const ingest = new IngestEvents(rawLog as unknown as RawLog, { now: () => NOW }, () => `gen-${++n}`);
  registerCollectorRoutes(app, { ingest, writeKeys: new Map([[WRITE_KEY, 'web']]) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const post = async (path: string, body: unknown, init: { auth?: string | null; contentType?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/json' };
    const auth = init.auth === undefined ? WRITE_KEY : init.auth;
    if (auth !== null) headers.authorization = writeKeyAuth(auth);
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  return { rawLog, post };
};

const track = (extra: Record<string, unknown> = {}) => ({ type: 'track', event: 'Deployed', userId: 'u1', ...extra });

describe('collector routes (Segment HTTP Tracking API)', () => {
  it('stores a batch sent with the write key as basic-auth user and answers 200 only after publish', async () => {
    const { rawLog, post } = await start();
    const res = await post('/v1/batch', { batch: [track({ messageId: 'm1' }), { type: 'identify', userId: 'u1' }] });
    expect(res).toMatchObject({ status: 200, body: { success: true, accepted: 2, duplicates: 0 } });
    expect(res.body.rejected).toBeUndefined();
    expect(rawLog.published).toHaveLength(1);
    expect(rawLog.events.map((e) => [e.type, e.source, e.receivedAt])).toEqual([
      ['track', 'web', '2026-03-01T12:00:00.000Z'],
      ['identify', 'web', '2026-03-01T12:00:00.000Z'],
    ]);
  });

  it('takes the write key from the body of a text/plain request, as sendBeacon sends it, and never stores it', async () => {
    const { rawLog, post } = await start();
    const body = JSON.stringify({ writeKey: WRITE_KEY, batch: [track({ writeKey: WRITE_KEY })] });
    const res = await post('/v1/batch', body, { auth: null, contentType: 'text/plain;charset=UTF-8' });
    expect(res).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(JSON.stringify(rawLog.published)).not.toContain(WRITE_KEY);
  });

  it.each([
    ['no key', null],
    ['a wrong key', 'wk_wrong'],
  ])('answers 401 with how to authenticate for %s', async (_name, auth) => {
    const { rawLog, post } = await start();
    const res = await post('/v1/batch', { batch: [track()] }, { auth });
    expect(res).toEqual({
      status: 401,
      headers: expect.anything(),
      body: {
        error: 'unauthorized',
        message: 'send your write key as the basic-auth user (curl -u KEY: ...) or as writeKey in the body',
      },
    });
    expect(rawLog.published).toEqual([]);
  });

  it('answers 413 for a body over 500 KB and says to split the batch', async () => {
    const { rawLog, post } = await start();
    const batch = Array.from({ length: 30 }, () => track({ properties: { blob: 'x'.repeat(20_000) } }));
    const res = await post('/v1/batch', { batch });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: 'payload_too_large',
      message: 'the request body is over the 500 KB limit; split the batch into smaller requests',
    });
    expect(rawLog.published).toEqual([]);
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const { post } = await start();
    const res = await post('/v1/batch', '{"batch": [', {});
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_json');
    expect(res.body.message).toMatch(/^the body is not valid JSON \(.+\); send one JSON object$/);
  });

  it('answers 415 for a content type it cannot read', async () => {
    const { post } = await start();
    const res = await post('/v1/batch', '<batch/>', { contentType: 'application/xml' });
    expect(res.status).toBe(415);
    expect(res.body.message).toMatch(/application\/json or text\/plain/);
  });

  it('reads a form-encoded body as JSON, as curl -d and axios label it, and says so when it is a real form', async () => {
    const { rawLog, post } = await start();
    const form = 'application/x-www-form-urlencoded';
    const res = await post('/v1/batch', JSON.stringify({ batch: [track()] }), { contentType: form });
    expect(res).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(rawLog.events).toHaveLength(1);
    const real = await post('/v1/batch', 'batch=1', { contentType: form });
    expect(real.status).toBe(400);
    expect(real.body.error).toBe('invalid_json');
    expect(real.body.message).toMatch(/^the body is not valid JSON \(.+\); send one JSON object$/);
  });

  it('counts a null or blank userId or anonymousId as absent, as Segment does, and still needs one of them', async () => {
    const { rawLog, post } = await start();
    const res = await post('/v1/batch', {
      batch: [
        { type: 'page', userId: null, anonymousId: 'device-1', name: null, properties: { path: '/' } },
        { type: 'track', event: 'Clicked', userId: '', anonymousId: 'device-1' },
        { type: 'identify', userId: 'ada', anonymousId: null, traits: null },
        { type: 'track', event: 'Nobody', userId: null, anonymousId: ' ' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.rejected).toEqual([
      { index: 3, errors: [{ path: 'batch[3].userId', message: 'needs a userId or an anonymousId' }] },
    ]);
    const stored = JSON.parse(JSON.stringify(rawLog.events)) as Record<string, unknown>[];
    expect(stored.map((e) => [e.type, e.userId, e.anonymousId])).toEqual([
      ['page', undefined, 'device-1'],
      ['track', undefined, 'device-1'],
      ['identify', 'ada', undefined],
    ]);
    expect(stored[0]).not.toHaveProperty('name');
  });

  it('stores the valid events of a partly invalid batch and dead-letters the rest, saying so', async () => {
    const { rawLog, post } = await start();
    const bad = { type: 'track', messageId: 'bad-1', userId: 'u1' };
    const res = await post('/v1/batch', { batch: [track({ messageId: 'ok-1' }), bad, { type: 'teleport' }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 1, messageId: 'bad-1', errors: [{ path: 'batch[1].event', message: 'is required (a string)' }] },
        {
          index: 2,
          errors: [{ path: 'batch[2].type', message: 'must be one of track, identify, page, screen, group, alias' }],
        },
      ],
    });
    expect(res.body.message).toMatch(/^2 of 3 events were invalid and not stored/);
    expect(rawLog.events.map((e) => e.messageId)).toEqual(['ok-1']);
    expect(rawLog.rejected.map((r) => [r.stage, r.payload])).toEqual([
      ['collector', bad],
      ['collector', { type: 'teleport' }],
    ]);
  });

  it('answers 400 invalid_events when no event of a batch is valid', async () => {
    const { rawLog, post } = await start();
    const res = await post('/v1/batch', { batch: [{ type: 'track', userId: 'u1' }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_events', rejected: [{ index: 0 }] });
    expect(rawLog.published).toEqual([]);
    expect(rawLog.rejected).toHaveLength(1);
  });

  it('refuses a batch of more than 2,500 events as a whole', async () => {
    const { rawLog, post } = await start();
    const res = await post('/v1/batch', { batch: Array.from({ length: 2_501 }, () => track()) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', issues: [{ path: 'batch' }] });
    expect(res.body.message).toMatch(/limit is 2500 per request: split it/);
    expect(rawLog.published).toEqual([]);
  });

  it('refuses a single event over 32 KB and keeps the rest of the batch', async () => {
    const { post } = await start();
    const big = track({ properties: { blob: 'x'.repeat(33_000) } });
    const res = await post('/v1/batch', { batch: [big, track()] });
    expect(res.body).toMatchObject({ accepted: 1, rejected: [{ index: 0, errors: [{ path: 'batch[0]' }] }] });
  });

  it('corrects client clock skew with the batch-level sentAt and merges the batch context', async () => {
    const { rawLog, post } = await start();
    // the client clock is 1 h fast: it sent at 13:00:05 (its time) an event it timed at 13:00:00
    const res = await post('/v1/batch', {
      sentAt: '2026-03-01T13:00:05.000Z',
      context: { library: { name: 'analytics-node' } },
      batch: [track({ timestamp: '2026-03-01T13:00:00.000Z', context: { ip: '10.0.0.1' } })],
    });
    expect(res.status).toBe(200);
    expect(rawLog.events[0]).toMatchObject({
      // receivedAt 12:00:00 − (sentAt − timestamp = 5 s)
      timestamp: '2026-03-01T11:59:55.000Z',
      originalTimestamp: '2026-03-01T13:00:00.000Z',
      context: { library: { name: 'analytics-node' }, ip: '10.0.0.1' },
    });
  });

  it('keeps the first of repeated messageIds in one request', async () => {
    const { rawLog, post } = await start();
    const res = await post('/v1/batch', {
      batch: [track({ messageId: 'm1', event: 'First' }), track({ messageId: 'm1', event: 'Again' })],
    });
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(rawLog.events).toHaveLength(1);
    expect(rawLog.events[0]).toMatchObject({ event: 'First' });
  });

  it('answers 503 with Retry-After when the raw log is unavailable, never 200', async () => {
    const { rawLog, post } = await start();
    rawLog.unavailable = true;
    const res = await post('/v1/batch', { batch: [track()] });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body).toMatchObject({ error: 'unavailable', message: expect.stringMatching(/retry .* in 5 seconds/) });
  });

  it.each([
    ['/v1/track', 'track', { event: 'Signed Up' }],
    ['/v1/identify', 'identify', { traits: { email: 'a@example.com' } }],
    ['/v1/page', 'page', { name: 'Pricing' }],
    ['/v1/screen', 'screen', { name: 'Home' }],
    ['/v1/group', 'group', { groupId: 'org-1' }],
    ['/v1/alias', 'alias', { previousId: 'anon-1' }],
    ['/v1/t', 'track', { event: 'Signed Up' }],
    ['/v1/i', 'identify', {}],
  ])('POST %s stores one %s event, its type taken from the path', async (path, type, fields) => {
    const { rawLog, post } = await start();
    const res = await post(path, { userId: 'u1', ...fields });
    expect(res).toMatchObject({ status: 200, body: { success: true, accepted: 1, duplicates: 0 } });
    expect(rawLog.events).toEqual([expect.objectContaining({ type, userId: 'u1', ...fields })]);
  });

  it('answers 400 invalid_events for an invalid single event, with paths relative to the body', async () => {
    const { rawLog, post } = await start();
    const res = await post('/v1/track', { userId: 'u1', writeKey: WRITE_KEY });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: 'invalid_events',
      rejected: [{ index: 0, errors: [{ path: 'event', message: 'is required (a string)' }] }],
    });
    expect(res.body.message).toMatch(/^the track event is invalid/);
    expect(JSON.stringify(rawLog.rejected)).not.toContain(WRITE_KEY);
  });

  it('never logs the authorization header or a write key', async () => {
    const logLines: string[] = [];
    const { post } = await start({ logLines });
    await post('/v1/batch', { batch: [track()] });
    await post('/v1/batch', JSON.stringify({ writeKey: WRITE_KEY, batch: [track()] }), { auth: null });
    await post('/v1/batch', { batch: [] }, { auth: 'wk_wrong' });
    const logs = logLines.join('');
    expect(logs).toContain('request completed');
    expect(logs).not.toContain(WRITE_KEY);
    expect(logs).not.toContain(writeKeyAuth(WRITE_KEY).slice('Basic '.length));
    expect(logs).not.toContain('wk_wrong');
  });
});
