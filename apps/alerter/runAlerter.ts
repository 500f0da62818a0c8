import { AlertDispatcher } from '../../application/alerts/alertDispatcher.ts';
import { raiseSlowDeployments } from '../../application/alerts/raiseSlowDeployments.ts';
import { type AlertStore, AlertStoreToken } from '../../application/ports/alertStore/alertStore.ts';
import { type Clock, ClockToken } from '../../application/ports/clock.ts';
import type { Logger } from '../../application/ports/logger.ts';
import { alertRulesOf } from '../../infrastructure/config/alertsConfig.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { whenReady } from '../journey/adapters.ts';
import { type createContainer, slackNotifierOf } from '../journey/container.ts';

/** how often the slow-deployment timer looks for deployments past their threshold */
const SLOW_DEPLOYMENT_TICK_MS = 5_000;

/** The alerter: the outbox drained to Slack, and the slow-deployment timer. Returns its stop. */
export const runAlerter = async (
  config: JourneyConfig,
  container: ReturnType<typeof createContainer>,
  logger: Logger,
): Promise<() => Promise<void>> => {
  if (config.SLACK_BOT_TOKEN === undefined) {
    logger.warn(
      {},
      'Slack is not configured (SLACK_BOT_TOKEN unset): alerts are logged and marked "logged", not posted',
    );
  } else {
    const identity = await slackNotifierOf(config, config.SLACK_BOT_TOKEN).identity();
    if (identity.ok) logger.info({ channel: config.SLACK_ALERT_CHANNEL }, `alerts post to Slack as ${identity.who}`);
    else logger.error({}, `Slack alerts may fail: ${identity.reason}`);
  }
  const store = container.get<AlertStore>(AlertStoreToken);
  await whenReady(store); // an unreachable or misconfigured PostgreSQL stops start-up with its message
  const clock = container.get<Clock>(ClockToken);
  const rules = alertRulesOf(config);
  const dispatcher = container.get(AlertDispatcher);
  dispatcher.start();
  const tick = async () => {
    try {
      await raiseSlowDeployments(store, rules, clock.now());
    } catch (error) {
      logger.error({ err: error }, 'the slow-deployment timer failed; it runs again shortly');
    }
  };
  const timer = setInterval(() => void tick(), SLOW_DEPLOYMENT_TICK_MS);
  void tick();
  return async () => {
    clearInterval(timer);
    await dispatcher.stop();
  };
};
