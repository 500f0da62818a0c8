import { AutomationDispatcher } from '../../application/automations/automationDispatcher.ts';
import { AutomationStoreToken } from '../../application/ports/automationStore/automationStore.ts';
import type { Logger } from '../../application/ports/logger.ts';
import type { CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { whenReady } from '../journey/adapters.ts';
import { AutomationsToken, type createContainer } from '../journey/container.ts';

/** The automator: due timers fired into the outbox, and the outbox drained to webhooks, Slack and NATS. Returns its stop. */
export const runAutomator = async (
  config: JourneyConfig,
  container: ReturnType<typeof createContainer>,
  logger: Logger,
): Promise<() => Promise<void>> => {
  const automations = container.get<CompiledAutomations>(AutomationsToken);
  if (automations.automations.length === 0) {
    logger.info({}, 'no automations (JOURNEY_AUTOMATIONS unset or empty): the automator idles');
    return async () => undefined;
  }
  const slackOnes = automations.automations.filter((a) => a.actionKind === 'slack');
  if (slackOnes.length > 0 && config.SLACK_BOT_TOKEN === undefined)
    logger.warn(
      { automations: slackOnes.map((a) => a.id) },
      'automations with a Slack action fail until SLACK_BOT_TOKEN is set',
    );
  await whenReady(container.get(AutomationStoreToken)); // an unreachable or misconfigured PostgreSQL stops start-up with its message
  const dispatcher = container.get(AutomationDispatcher);
  dispatcher.start();
  logger.info({ automations: automations.automations.map((a) => a.id) }, 'the automator delivers automations');
  return () => dispatcher.stop();
};
