import type { AutomationSenders } from '../../application/ports/automationSender.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { WebhookSender } from '../../infrastructure/http/webhookSender.ts';
import { NatsAutomationPublisher } from '../../infrastructure/nats/natsAutomationPublisher.ts';
import { SlackAutomationSender } from '../../infrastructure/slack/slackAutomationSender.ts';
import { natsAuthOf } from './adapters.ts';
import { slackNotifierOf } from './container.ts';

/** the senders this configuration allows: webhooks always, Slack with a token, NATS with NATS_URL */
export const automationSendersOf = (config: JourneyConfig): AutomationSenders => ({
  webhook: new WebhookSender(),
  ...(config.SLACK_BOT_TOKEN === undefined
    ? {}
    : { slack: new SlackAutomationSender(slackNotifierOf(config, config.SLACK_BOT_TOKEN)) }),
  ...(config.NATS_URL === undefined
    ? {}
    : {
        nats: new NatsAutomationPublisher(config.NATS_URL, natsAuthOf(config)),
      }),
});
