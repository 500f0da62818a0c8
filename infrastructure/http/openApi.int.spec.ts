import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { RawEventQueries } from '../../application/explorer/rawEventQueries.ts';
import { DailySeries } from '../../application/queries/dailySeries.ts';
import { JourneyQueries } from '../../application/queries/journeyQueries.ts';
import { SessionQueries } from '../../application/queries/sessionQueries.ts';
import { compileAutomations } from '../../domain/automations/compileAutomations.ts';
import { exampleAutomations } from '../../testing/automations/automationsFixtures.ts';
import { MemoryAlertStore } from '../../testing/memory/memoryAlertStore.ts';
import { MemoryAutomationStore } from '../../testing/memory/memoryAutomationStore.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { MemoryRawEventIndex } from '../../testing/memory/memoryRawEventIndex.ts';
import { MemoryReadModels } from '../../testing/memory/memoryReadModels.ts';
import { MemorySessionStore } from '../../testing/memory/memorySessionStore.ts';
import { apiDescription } from './apiDescription.ts';
import { registerApiRoutes } from './apiRoutes.ts';
import { createHttpServer } from './createHttpServer.ts';
import { openApiPathOf } from './openApi.ts';

const TOKEN = 'jt_test_token_0123456789';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** the API as Journey registers it, every optional part on, with the routes fastify saw */
const start = async () => {
  const readModels = new MemoryReadModels();
  const alerts = new MemoryAlertStore();
  const server = createHttpServer({ logger: false });
  app = server;
  const registered: { method: string; url: string }[] = [];
  server.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push({ method, url: route.url });
  });
  registerApiRoutes(server, {
    queries: new JourneyQueries(readModels, 15),
    apiToken: TOKEN,
    clock: { now: () => Date.parse('2026-03-10T12:00:00.000Z') },
    alerts,
    series: new DailySeries(readModels, alerts),
    reports: { recorded: async () => undefined },
    automations: { automations: compileAutomations(exampleAutomations(), 'spec'), store: new MemoryAutomationStore() },
    sessions: new SessionQueries(new MemorySessionStore()),
    eventFeed: { store: new MemoryEventStore() },
    rawEvents: { queries: new RawEventQueries(new MemoryRawEventIndex()) },
  });
  const base = await server.listen({ port: 0, host: '127.0.0.1' });
  const get = (path: string, token: string | null = TOKEN) =>
    fetch(`${base}${path}`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
  const apiRoutes = registered.filter((r) => r.url.startsWith('/api') && r.method !== 'HEAD');
  return { get, apiRoutes };
};

type Document = { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };

describe('OpenAPI document', () => {
  it('is served without a token and is a valid OpenAPI 3.1 document', async () => {
    const { get } = await start();
    const response = await get('/api/openapi.json', null);
    expect(response.status).toBe(200);
    const document = await response.json();
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document).toMatchObject({ openapi: '3.1.0' });
  });

  it('describes every route registered under /api, and nothing that is not registered', async () => {
    const { get, apiRoutes } = await start();
    const document = (await (await get('/api/openapi.json')).json()) as Document;
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = apiRoutes.map((r) => `${r.method} ${openApiPathOf(r.url)}`);
    expect(served.length).toBeGreaterThanOrEqual(10);
    expect([...served].sort()).toEqual([...documented].sort());
  });

  it("documents each route's path and query parameters from the schemas it validates with", async () => {
    const { get } = await start();
    const document = (await (await get('/api/openapi.json')).json()) as Document;
    const params = (path: string) => document.paths[path]?.get?.parameters?.map((p) => `${p.in}:${p.name}`);
    expect(params('/api/funnel/daily')).toEqual(['query:from', 'query:to']);
    expect(params('/api/signups/daily')).toEqual(['query:from', 'query:to']);
    expect(params('/api/alerts/daily')).toEqual(['query:from', 'query:to']);
    expect(params('/api/stages/{stage}/users')).toEqual(['path:stage', 'query:asOf']);
    expect(params('/api/alerts')).toEqual(['query:status', 'query:kind', 'query:limit']);
    expect(params('/api/events/stream')).toEqual(['query:type', 'query:userId', 'query:after', 'header:Last-Event-ID']);
    // every schema-described parameter is one the route refuses when malformed ('not-valid',
    // or what is malformed for a free-text parameter)
    const malformed: Record<string, string> = {
      search: 'x'.repeat(256),
      automation: 'x'.repeat(101),
      userId: 'x'.repeat(256),
      anonymousId: 'x'.repeat(256),
      event: 'x'.repeat(201),
    };
    for (const route of apiDescription) {
      for (const name of Object.keys(route.query?.shape ?? {})) {
        const url = `${route.path.replace(':userId', 'ada').replace(':date', '2026-03-10').replace(':stage', 'active').replace(':asset', 'swagger-ui.css')}?${name}=${malformed[name] ?? 'not-valid'}`;
        const response = await get(url);
        const body = (await response.json()) as { error: string; issues: { path: string; message: string }[] };
        expect({ url, status: response.status }).toEqual({ url, status: 400 });
        expect(body.error).toBe('invalid_request');
        expect(body.issues.map((i) => i.path)).toContain(name);
      }
    }
  });

  it('answers a bad series range 400 with each field and the reason', async () => {
    const { get } = await start();
    const response = await get('/api/signups/daily?from=2026-02-30&to=');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      message:
        'query parameter from must be a day written YYYY-MM-DD such as 2026-01-31; query parameter to must be a day written YYYY-MM-DD such as 2026-01-31',
      issues: [
        { path: 'from', message: 'must be a day written YYYY-MM-DD such as 2026-01-31' },
        { path: 'to', message: 'must be a day written YYYY-MM-DD such as 2026-01-31' },
      ],
    });
    const reversed = await get('/api/alerts/daily?from=2026-03-05&to=2026-03-01');
    expect(reversed.status).toBe(400);
    expect(await reversed.json()).toMatchObject({ issues: [{ path: 'from', message: 'must not be after to' }] });
  });

  it('serves the docs page and its files without a token, offline', async () => {
    const { get } = await start();
    const page = await get('/api/docs', null);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/api/openapi.json');
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
      expect(html).toContain(`/api/docs/${asset}`);
      const file = await get(`/api/docs/${asset}`, null);
      expect(file.status).toBe(200);
      expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expect((await get('/api/docs/index.html', null)).status).toBe(400);
  });

  it('still guards the data routes with the token', async () => {
    const { get } = await start();
    expect((await get('/api/signups/daily?from=2026-03-01&to=2026-03-02', null)).status).toBe(401);
    expect((await get('/api/alerts/daily?from=2026-03-01&to=2026-03-02', null)).status).toBe(401);
  });
});
