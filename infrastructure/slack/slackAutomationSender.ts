import type { AutomationSender, SendResult } from '../../application/ports/automationSender.ts';
import type { StoredDelivery } from '../../application/ports/automationStore/automationStore.ts';
import type { CompiledAutomation } from '../../domain/automations/compileAutomations.ts';
import { renderTemplate } from '../../domain/automations/renderTemplate.ts';
import type { SlackNotifier } from './slackNotifier.ts';

/** how far before enqueueing to look for a message an earlier attempt may have posted */
const LOOKUP_SLACK_MS = 60_000;

/** what `{{…}}` in a Slack text can name: the delivery's payload, flattened for templates */
export const templateContextOf = (delivery: StoredDelivery) => ({
  userId: delivery.userId,
  automation: delivery.automationId,
  event: delivery.payload.event,
  data: delivery.payload.data,
  user: delivery.payload.user,
});

/**
 * Slack actions through the alerter's client: the message carries the delivery id as its key, so a
 * later attempt (after a crash between Slack's answer and our record) finds it instead of posting
 * it twice.
 */
export class SlackAutomationSender implements AutomationSender {
  constructor(private readonly slack: SlackNotifier) {}

  async send(delivery: StoredDelivery, automation: CompiledAutomation, attempt: number): Promise<SendResult> {
    const action = automation.action.slack;
    if (!action) return { kind: 'permanent', code: 'not_slack', reason: `${automation.id} has no Slack action` };
    if (attempt > 1) {
      const since = new Date(Date.parse(delivery.createdAt) - LOOKUP_SLACK_MS).toISOString();
      const found = await this.slack.find({ channel: action.channel, key: delivery.id, since });
      if (found.kind === 'found') return { kind: 'sent' };
      if (found.kind !== 'absent') return found;
    }
    const text = renderTemplate(action.text, templateContextOf(delivery));
    const posted = await this.slack.postText({ channel: action.channel, text, key: delivery.id });
    return posted.kind === 'posted' ? { kind: 'sent' } : posted;
  }
}
