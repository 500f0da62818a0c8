import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { AutomationSender, SendResult } from '../../application/ports/automationSender.ts';
import type { StoredDelivery } from '../../application/ports/automationStore/automationStore.ts';
import type { CompiledAutomation } from '../../domain/automations/compileAutomations.ts';
import { webhookBodyOf } from '../http/webhookSender.ts';
import { connectNats, type NatsAuth } from './natsConnection.ts';

/**
 * NATS actions: the webhook's body published to the automation's subject, with the delivery id as
 * `Nats-Msg-Id`, so a JetStream stream over the subject drops a retry's copy. Sent once the server
 * has the message (a flush); a lost connection is retried.
 */
export class NatsAutomationPublisher implements AutomationSender {
  private connection: Promise<NatsConnection> | undefined;

  constructor(
    private readonly url: string,
    private readonly auth: NatsAuth = {},
  ) {}

  async send(delivery: StoredDelivery, automation: CompiledAutomation): Promise<SendResult> {
    const action = automation.action.nats;
    if (!action) return { kind: 'permanent', code: 'not_nats', reason: `${automation.id} has no NATS action` };
    try {
      this.connection ??= connectNats(this.url, this.auth);
      const nc = await this.connection;
      const h = headers();
      h.set('Nats-Msg-Id', delivery.id);
      nc.publish(action.subject, JSON.stringify(webhookBodyOf(delivery)), { headers: h });
      await nc.flush();
      return { kind: 'sent' };
    } catch (error) {
      // a dropped connection keeps reconnecting in the background: close it, the next send opens one
      void this.close();
      return { kind: 'transient', reason: `NATS publish to ${action.subject} failed (${(error as Error).message})` };
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await (await connection?.catch(() => undefined))?.close();
  }
}
