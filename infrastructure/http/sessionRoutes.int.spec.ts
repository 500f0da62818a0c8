import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MapRawEvents } from '../../application/mapping/mapRawEvents.ts';
import { JourneyQueries } from '../../application/queries/journeyQueries.ts';
import { SessionQueries } from '../../application/queries/sessionQueries.ts';
import { JOURNEY_STREAM_PREFIX } from '../../domain/journey/journeyEvent.ts';
import { compileRules } from '../../domain/mapping/compileRules.ts';
import { defaultRules } from '../../domain/mapping/defaultRules.ts';
import { type IngestedEvent, rawEventSchema } from '../../domain/raw/rawEvent.ts';
import { ACTIVITY_STREAM_PREFIX } from '../../domain/sessions/activity.ts';
import { sessionsProjection } from '../../projections/sessions/sessionsProjection.ts';
import { timelineProjection } from '../../projections/timeline/timelineProjection.ts';
import { usersProjection } from '../../projections/users/usersProjection.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { MemoryRawLog } from '../../testing/memory/memoryRawLog.ts';
import { MemoryReadModels } from '../../testing/memory/memoryReadModels.ts';
import { MemorySessionStore } from '../../testing/memory/memorySessionStore.ts';
import { applying } from '../../testing/projections/projectionSpec.ts';
import { registerApiRoutes } from './apiRoutes.ts';
import { journeyAnswer } from './apiSchemas.ts';
import { createHttpServer } from './createHttpServer.ts';
import { dailySessionsAnswer, userSessionsAnswer } from './sessionSchemas.ts';

const TOKEN = 'jt_test_token_0123456789';
const MINUTE = 60_000;
const T0 = Date.parse('2026-04-01T09:00:00.000Z');

const raw = (minutes: number, messageId: string, event: Record<string, unknown>): IngestedEvent => {
  const timestamp = new Date(T0 + minutes * MINUTE).toISOString();
  return { ...rawEventSchema.parse(event), messageId, receivedAt: timestamp, timestamp };
};

/**
 * Ada visits anonymously (a landing page from a campaign, then pricing), identifies, clicks
 * (a track call no rule maps) and leaves; she comes back 40 minutes after her last event for
 * one page, and again the next day. Her first visit arrives last, after the link.
 */
const firstVisit = [
  raw(0, 'm01', {
    type: 'page',
    anonymousId: 'anon-1',
    properties: { url: 'https://x.test/?utm_source=news&utm_campaign=spring', referrer: 'https://search.test/' },
    context: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0' },
  }),
  raw(4, 'm02', { type: 'page', anonymousId: 'anon-1', properties: { url: 'https://x.test/pricing' } }),
];
const later = [
  raw(5, 'm03', { type: 'identify', userId: 'ada', anonymousId: 'anon-1', traits: { email: 'ada@x.test' } }),
  raw(6, 'm04', { type: 'track', userId: 'ada', event: 'Signed Up' }),
  raw(10, 'm05', { type: 'track', userId: 'ada', event: 'Button Clicked' }),
  raw(50, 'm06', { type: 'page', userId: 'ada', properties: { url: 'https://x.test/docs' } }),
  raw(24 * 60, 'm07', { type: 'page', userId: 'ada', properties: { url: 'https://x.test/' } }),
];

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const start = async () => {
  const eventStore = new MemoryEventStore();
  const mapper = new MapRawEvents(eventStore, new MemoryRawLog(), compileRules(defaultRules, 'default rules'));
  await mapper.handle({ events: later, deliveryCount: 1 });
  await mapper.handle({ events: firstVisit, deliveryCount: 1 });
  const all = await eventStore.readAll();
  const journeys = all.filter((e) => e.streamId.startsWith(JOURNEY_STREAM_PREFIX));
  const readModels = new MemoryReadModels();
  await applying(timelineProjection, readModels)(journeys);
  await applying(usersProjection(new Set(['ProjectCreated'])), readModels)(journeys);
  const sessions = new MemorySessionStore();
  await applying(sessionsProjection(30), sessions)(all.filter((e) => e.streamId.startsWith(ACTIVITY_STREAM_PREFIX)));

  app = createHttpServer({ logger: false });
  registerApiRoutes(app, {
    queries: new JourneyQueries(readModels, 15, { sessions }),
    apiToken: TOKEN,
    clock: { now: () => T0 + 2 * 24 * 60 * MINUTE },
    sessions: new SessionQueries(sessions),
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  return { get };
};

describe('session routes', () => {
  it("serves a user's sessions newest first, anonymous activity and unmapped events included", async () => {
    const { get } = await start();
    const { status, body } = await get('/api/users/ada/sessions');
    expect(status).toBe(200);
    const { userId, sessions } = userSessionsAnswer.parse(body);
    expect(userId).toBe('ada');
    expect(sessions.map((s) => [s.startedAt, s.endedAt, s.eventCount, s.pageViews])).toEqual([
      [new Date(T0 + 24 * 60 * MINUTE).toISOString(), new Date(T0 + 24 * 60 * MINUTE).toISOString(), 1, 1],
      [new Date(T0 + 50 * MINUTE).toISOString(), new Date(T0 + 50 * MINUTE).toISOString(), 1, 1],
      [new Date(T0).toISOString(), new Date(T0 + 10 * MINUTE).toISOString(), 5, 2],
    ]);
    expect(sessions[2]).toMatchObject({
      durationMs: 10 * MINUTE,
      entryUrl: 'https://x.test/?utm_source=news&utm_campaign=spring',
      exitUrl: 'https://x.test/pricing',
      referrer: 'https://search.test/',
      utmSource: 'news',
      utmCampaign: 'spring',
      device: { browser: 'Firefox', os: 'Linux', type: 'desktop' },
    });
  });

  it('keeps the sessions that started within from and to', async () => {
    const { get } = await start();
    const from = new Date(T0 + MINUTE).toISOString();
    const to = new Date(T0 + 50 * MINUTE).toISOString();
    const { body } = await get(`/api/users/ada/sessions?from=${from}&to=${to}`);
    expect(userSessionsAnswer.parse(body).sessions.map((s) => s.startedAt)).toEqual([to]);
    expect((await get('/api/users/nobody/sessions')).body).toEqual({ userId: 'nobody', sessions: [] });
  });

  it('refuses a range that is not one, saying which parameter is wrong', async () => {
    const { get } = await start();
    const bad = await get('/api/users/ada/sessions?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ issues: [{ path: 'from' }] });
    const swapped = await get('/api/users/ada/sessions?from=2026-04-02T00:00:00Z&to=2026-04-01T00:00:00Z');
    expect(swapped.status).toBe(400);
    expect(JSON.stringify(swapped.body)).toContain('swap them');
  });

  it('tells which session each journey event happened in', async () => {
    const { get } = await start();
    const sessions = userSessionsAnswer.parse((await get('/api/users/ada/sessions')).body).sessions;
    const journey = journeyAnswer.parse((await get('/api/users/ada/journey')).body);
    const sessionAt = (occurredAt: string) =>
      sessions.find((s) => s.startedAt <= occurredAt && occurredAt <= s.endedAt)?.sessionId;
    expect(journey.events.length).toBeGreaterThan(3);
    for (const event of journey.events) {
      expect(event.sessionId).toBeDefined();
      expect(event.sessionId).toBe(sessionAt(event.occurredAt));
    }
  });

  it('counts sessions per UTC day: users, median and p90 duration, bounce rate; null on a day without any', async () => {
    const { get } = await start();
    const { status, body } = await get('/api/sessions/daily?from=2026-04-01&to=2026-04-03');
    expect(status).toBe(200);
    expect(dailySessionsAnswer.parse(body).days).toEqual([
      {
        date: '2026-04-01',
        time: '2026-04-01T00:00:00.000Z',
        sessions: 2,
        users: 1,
        medianDurationMs: 0,
        p90DurationMs: 10 * MINUTE,
        bounceRate: 1 / 2,
      },
      {
        date: '2026-04-02',
        time: '2026-04-02T00:00:00.000Z',
        sessions: 1,
        users: 1,
        medianDurationMs: 0,
        p90DurationMs: 0,
        bounceRate: 1,
      },
      {
        date: '2026-04-03',
        time: '2026-04-03T00:00:00.000Z',
        sessions: 0,
        users: 0,
        medianDurationMs: null,
        p90DurationMs: null,
        bounceRate: null,
      },
    ]);
    expect((await get('/api/sessions/daily?from=2026-04-03&to=2026-04-01')).status).toBe(400);
  });
});
