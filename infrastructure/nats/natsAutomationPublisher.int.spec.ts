import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delivery, NOW } from '../../application/ports/automationStore/automationStore.fixtures.ts';
import type { StoredDelivery } from '../../application/ports/automationStore/automationStore.ts';
import { type CompiledAutomation, compileAutomations } from '../../domain/automations/compileAutomations.ts';
import { exampleAutomations } from '../../testing/automations/automationsFixtures.ts';
import { type NatsServerHarness, startNatsServer } from '../../testing/nats/natsServerHarness.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { webhookBodyOf } from '../http/webhookSender.ts';
import { NatsAutomationPublisher } from './natsAutomationPublisher.ts';

const automations = compileAutomations(exampleAutomations(), 'spec').automations;
const byId = (id: string): CompiledAutomation => {
  const found = automations.find((a) => a.id === id);
  if (!found) throw new Error(`no automation ${id}`);
  return found;
};

const stored = (id: string): StoredDelivery => ({
  ...delivery(id, { automationId: 'error-support', action: 'nats' }),
  createdAt: NOW,
  status: 'pending',
  attempts: 1,
  nextAttemptAt: NOW,
});

let server: NatsServerHarness;
let subscriber: NatsConnection;
const received: Msg[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  subscriber = await connect({ servers: server.url });
  subscriber.subscribe('journey.automations.>', { callback: (_, msg) => void received.push(msg) });
  // a stream over the subject, as a receiver that wants every delivery once would set up
  const jsm = await jetstreamManager(subscriber);
  await jsm.streams.add({ name: 'AUTOMATIONS', subjects: ['journey.automations.>'], duplicate_window: 60_000_000_000 });
  await subscriber.flush();
});

afterAll(async () => {
  await subscriber?.close();
  await server?.stop();
});

describe('NatsAutomationPublisher against a real nats-server', () => {
  it("publishes the webhook body to the automation's subject with Nats-Msg-Id = the delivery id", async () => {
    const publisher = new NatsAutomationPublisher(server.url);
    const d = stored('error-support:e-1');
    expect(await publisher.send(d, byId('error-support'))).toEqual({ kind: 'sent' });
    await waitUntil('the message', () => received.length >= 1);
    const [msg] = received;
    expect(msg?.subject).toBe('journey.automations.error-support');
    expect(msg?.headers?.get('Nats-Msg-Id')).toBe('error-support:e-1');
    expect(msg?.json()).toEqual(JSON.parse(JSON.stringify(webhookBodyOf(d))));
    await publisher.close();
  });

  it('a retry under the same delivery id reaches core subscribers again, and a stream keeps it once', async () => {
    const publisher = new NatsAutomationPublisher(server.url);
    const before = received.length;
    const d = stored('error-support:e-2');
    expect(await publisher.send(d, byId('error-support'))).toEqual({ kind: 'sent' });
    expect(await publisher.send(d, byId('error-support'))).toEqual({ kind: 'sent' });
    await waitUntil('both copies', () => received.length >= before + 2);
    const jsm = await jetstreamManager(subscriber);
    const copies = [];
    const { state } = await jsm.streams.info('AUTOMATIONS');
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage('AUTOMATIONS', { seq });
      if (m?.header.get('Nats-Msg-Id') === 'error-support:e-2') copies.push(m);
    }
    expect(copies).toHaveLength(1);
    await publisher.close();
  });

  it('refuses an automation without a NATS action for good', async () => {
    const publisher = new NatsAutomationPublisher(server.url);
    expect(await publisher.send(stored('welcome-email:e-3'), byId('welcome-email'))).toMatchObject({
      kind: 'permanent',
      code: 'not_nats',
    });
    await publisher.close();
  });

  it('fails an attempt while the server is down as transient, and sends once it is back', async () => {
    const publisher = new NatsAutomationPublisher(server.url);
    expect(await publisher.send(stored('error-support:e-4'), byId('error-support'))).toEqual({ kind: 'sent' });
    await server.kill();
    const t0 = Date.now();
    const down = await publisher.send(stored('error-support:e-5'), byId('error-support'));
    expect(down).toMatchObject({
      kind: 'transient',
      reason: expect.stringContaining('journey.automations.error-support'),
    });
    expect(Date.now() - t0).toBeLessThan(5_000);
    await server.restart();
    await waitUntil('a send after the restart', async () => {
      const again = await publisher.send(stored('error-support:e-5'), byId('error-support'));
      return again.kind === 'sent';
    });
    await publisher.close();
  });
});
