import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { delivery } from '../../application/ports/automationStore/automationStore.fixtures.ts';
import { JourneyQueries } from '../../application/queries/journeyQueries.ts';
import { compileAutomations } from '../../domain/automations/compileAutomations.ts';
import { exampleAutomations, WEBHOOK_SECRET } from '../../testing/automations/automationsFixtures.ts';
import { MemoryAutomationStore } from '../../testing/memory/memoryAutomationStore.ts';
import { MemoryReadModels } from '../../testing/memory/memoryReadModels.ts';
import { registerApiRoutes } from './apiRoutes.ts';
import { createHttpServer } from './createHttpServer.ts';

const TOKEN = 'jt_test_token_0123456789';
const NOW = '2026-05-01T12:00:00.000Z';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const start = async () => {
  const store = new MemoryAutomationStore();
  await store.update((w) => {
    w.enqueue(delivery('welcome-email:e1'), NOW);
    w.enqueue(delivery('welcome-email:e2'), NOW);
    w.enqueue(delivery('error-support:e3', { automationId: 'error-support', action: 'nats' }), NOW);
  });
  await store.markDelivered('welcome-email:e1', NOW);
  await store.markFailed('welcome-email:e2', 'HTTP 500; gave up after 8 attempts', NOW);
  app = createHttpServer({ logger: false });
  registerApiRoutes(app, {
    queries: new JourneyQueries(new MemoryReadModels(), 15),
    apiToken: TOKEN,
    clock: { now: () => Date.parse(NOW) },
    automations: { automations: compileAutomations(exampleAutomations(), 'automations.json'), store },
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const get = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return Object.assign(get, {
    post: (path: string) => fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } }),
  });
};

type DeliveryAnswer = { delivery: { id: string; status: string; attempts: number; nextAttemptAt: string } };

describe('automation routes', () => {
  it('GET /api/automations lists each automation, where it goes and its deliveries, never a secret', async () => {
    const get = await start();
    const response = await get('/api/automations');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(WEBHOOK_SECRET);
    expect(JSON.parse(text)).toEqual({
      source: 'automations.json',
      automations: [
        {
          id: 'welcome-email',
          trigger: { kind: 'event', event: 'UserSignedUp', conditional: false },
          action: 'webhook',
          target: 'https://mailer.example/hooks/welcome',
          deliveries: { pending: 0, delivered: 1, failed: 1 },
        },
        {
          id: 'stuck-3-days',
          trigger: {
            kind: 'timer',
            event: 'UserSignedUp',
            wait: 'P3D',
            unless: ['ProjectCreated'],
            conditional: false,
          },
          action: 'slack',
          target: '#onboarding',
          deliveries: { pending: 0, delivered: 0, failed: 0 },
        },
        {
          id: 'error-support',
          trigger: { kind: 'event', event: 'ErrorEncountered', conditional: true },
          action: 'nats',
          target: 'journey.automations.error-support',
          deliveries: { pending: 1, delivered: 0, failed: 0 },
        },
      ],
    });
  });

  it('GET /api/automations/deliveries filters by automation and status; a bad status is a 400 naming it', async () => {
    const get = await start();
    const failed = (await (await get('/api/automations/deliveries?automation=welcome-email&status=failed')).json()) as {
      deliveries: { id: string; lastError: string }[];
    };
    expect(failed.deliveries.map((d) => [d.id, d.lastError])).toEqual([
      ['welcome-email:e2', 'HTTP 500; gave up after 8 attempts'],
    ]);
    const all = (await (await get('/api/automations/deliveries')).json()) as { deliveries: { id: string }[] };
    expect(all.deliveries.map((d) => d.id)).toEqual(['error-support:e3', 'welcome-email:e2', 'welcome-email:e1']);
    const bad = await get('/api/automations/deliveries?status=lost');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('status');
  });

  it('GET /api/automations/deliveries/:id answers one delivery; an unknown id is a 404 saying where to look', async () => {
    const get = await start();
    const found = await get(`/api/automations/deliveries/${encodeURIComponent('welcome-email:e2')}`);
    expect(found.status).toBe(200);
    expect(((await found.json()) as DeliveryAnswer).delivery).toMatchObject({
      id: 'welcome-email:e2',
      status: 'failed',
    });
    const missing = await get('/api/automations/deliveries/welcome-email:nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: 'not_found',
      message: expect.stringContaining('GET /api/automations/deliveries'),
    });
  });

  it('POST …/deliveries/:id/retry makes a failed delivery pending again, due now; anything else stays as it is', async () => {
    const get = await start();
    const retry = (id: string) => get.post(`/api/automations/deliveries/${encodeURIComponent(id)}/retry`);
    const retried = await retry('welcome-email:e2');
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({
      retried: true,
      delivery: { id: 'welcome-email:e2', status: 'pending', attempts: 0, nextAttemptAt: NOW },
    });
    const pending = (await (await get('/api/automations/deliveries?status=pending')).json()) as {
      deliveries: { id: string }[];
    };
    expect(pending.deliveries.map((d) => d.id)).toContain('welcome-email:e2');
    // a second click, and a delivered one: nothing changes, and the answer says so
    expect(await (await retry('welcome-email:e2')).json()).toMatchObject({
      retried: false,
      delivery: { status: 'pending' },
    });
    expect(await (await retry('welcome-email:e1')).json()).toMatchObject({
      retried: false,
      delivery: { status: 'delivered' },
    });
    const missing = await retry('welcome-email:nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toContain(
      'there is no delivery welcome-email:nope',
    );
  });
});
