import type { AutomationSenders } from '../../application/ports/automationSender.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { WebhookSender } from '../../infrastructure/http/webhookSender.ts';
import { NatsAutomationPublisher } from '../../infrastructure/nats/natsAutomationPublisher.ts';
import { SlackAutomationSender } from '../../infrastructure/slack/slackAutomationSender.ts';
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
        nats: new NatsAutomationPublisher(config.NATS_URL, {
          ...(config.NATS_USER === undefined ? {} : { user: config.NATS_USER }),
          ...(config.NATS_PASSWORD === undefined ? {} : { password: config.NATS_PASSWORD }),
          ...(config.NATS_TOKEN === undefined ? {} : { token: config.NATS_TOKEN }),
          ...(config.NATS_CREDS === undefined ? {} : { credsFile: config.NATS_CREDS }),
          ...(config.NATS_TLS_CA === undefined ? {} : { tlsCaFile: config.NATS_TLS_CA }),
        }),
      }),
});
