import type { ActionKind } from '../../domain/automations/automationsFile.ts';
import type { CompiledAutomation } from '../../domain/automations/compileAutomations.ts';
import type { StoredDelivery } from './automationStore/automationStore.ts';
import type { DeliveryFailure } from './notifier.ts';

export type SendResult = { readonly kind: 'sent' } | DeliveryFailure;

/**
 * Where an automation's action goes: a webhook, Slack, a NATS subject. `attempt` counts from 1;
 * a later attempt may first look for what an earlier one, cut short by a crash, already sent.
 */
export interface AutomationSender {
  send(delivery: StoredDelivery, automation: CompiledAutomation, attempt: number): Promise<SendResult>;
  close?(): Promise<void>;
}

/** one sender per action kind; a kind left out is not configured in this process */
export type AutomationSenders = Partial<Record<ActionKind, AutomationSender>>;
