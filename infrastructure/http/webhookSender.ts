import { Webhook } from 'standardwebhooks';
import type { AutomationSender, SendResult } from '../../application/ports/automationSender.ts';
import type { StoredDelivery } from '../../application/ports/automationStore/automationStore.ts';
import type { CompiledAutomation } from '../../domain/automations/compileAutomations.ts';
import { keepAliveFetch } from './keepAliveFetch.ts';

/** the body of every automation webhook; `type` lets a receiver tell Journey's events apart */
export const webhookBodyOf = (delivery: StoredDelivery) => {
  const { payload } = delivery;
  return {
    type: 'journey.automation.triggered',
    deliveryId: delivery.id,
    automation: payload.automation,
    trigger: payload.trigger,
    user: { id: payload.userId, ...payload.user },
    event: { ...payload.event, data: payload.data },
  };
};

/** Retry-After in seconds or as an HTTP date; 1 s when absent or unreadable */
const retryAfterMs = (header: string | null, now: number): number => {
  if (header === null) return 1_000;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1_000 : Math.max(0, at - now);
};

/**
 * Webhooks signed per the Standard Webhooks spec (the `standardwebhooks` package): `webhook-id` is
 * the delivery id, the same on every retry, so a receiver drops copies by it. 2xx is delivered;
 * 429 waits for Retry-After; 408 and 5xx and network errors are retried; other 4xx need a fix.
 */
export class WebhookSender implements AutomationSender {
  private readonly fetch = keepAliveFetch();
  /** a signer per secret: each decodes its secret once */
  private readonly signers = new Map<string, Webhook>();

  constructor(private readonly options: { readonly timeoutMs?: number; readonly now?: () => number } = {}) {}

  async send(delivery: StoredDelivery, automation: CompiledAutomation): Promise<SendResult> {
    const webhook = automation.action.webhook;
    if (!webhook) return { kind: 'permanent', code: 'not_a_webhook', reason: `${automation.id} has no webhook action` };
    const now = this.options.now?.() ?? Date.now();
    const body = JSON.stringify(webhookBodyOf(delivery));
    const timestamp = new Date(now);
    let signer = this.signers.get(webhook.secret);
    if (signer === undefined) {
      signer = new Webhook(webhook.secret);
      this.signers.set(webhook.secret, signer);
    }
    const signature = signer.sign(delivery.id, timestamp, body);
    let response: Response;
    try {
      response = await this.fetch(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(Math.floor(now / 1_000)),
          'webhook-signature': signature,
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      const { cause: inner, code } = error as { cause?: { code?: string }; code?: string };
      const cause = inner?.code ?? code ?? (error as Error).name;
      return { kind: 'transient', reason: `${webhook.url} could not be reached (${cause})` };
    }
    const status = response.status;
    if (status >= 200 && status < 300) return { kind: 'sent' };
    if (status === 429)
      return { kind: 'rate-limited', retryAfterMs: retryAfterMs(response.headers.get('retry-after'), now) };
    if (status >= 500 || status === 408) return { kind: 'transient', reason: `${webhook.url} answered HTTP ${status}` };
    return {
      kind: 'permanent',
      code: `http_${status}`,
      reason: `${webhook.url} answered HTTP ${status}; fix the URL or the receiver, then run journey automations retry ${delivery.id}`,
    };
  }
}
