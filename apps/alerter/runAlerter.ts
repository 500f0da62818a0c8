import { raiseSlowDeployments } from '../../application/alerts/raiseSlowDeployments.ts';
import { LeasedRole } from '../../application/leases/leasedRole.ts';
import { type AlertStore, AlertStoreToken } from '../../application/ports/alertStore/alertStore.ts';
import { type Clock, ClockToken } from '../../application/ports/clock.ts';
import { type Leases, LeasesToken } from '../../application/ports/lease/lease.ts';
import type { Logger } from '../../application/ports/logger.ts';
import { alertRulesOf } from '../../infrastructure/config/alertsConfig.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { whenReady } from '../journey/adapters.ts';
import {
  type AlertDispatcherFor,
  AlertDispatcherForToken,
  type createContainer,
  type FencedAlertStore,
  FencedAlertStoreToken,
  slackNotifierOf,
} from '../journey/container.ts';
import { leaseHolder } from '../journey/leaseHolder.ts';

/** how often the slow-deployment timer looks for deployments past their threshold */
const SLOW_DEPLOYMENT_TICK_MS = 5_000;

/**
 * The alerter: the outbox drained to Slack, and the slow-deployment timer, each a singleton role
 * under its own lease (docs/operations/distributed.md): any number of alerter replicas may run,
 * one acts per role, the others stand by. Returns its stop, which lets the roles go.
 */
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
  await whenReady(container.get<AlertStore>(AlertStoreToken)); // an unreachable or misconfigured PostgreSQL stops start-up with its message
  const clock = container.get<Clock>(ClockToken);
  const leases = container.get<Leases>(LeasesToken);
  const fenced = container.get<FencedAlertStore>(FencedAlertStoreToken);
  const dispatcherFor = container.get<AlertDispatcherFor>(AlertDispatcherForToken);
  const rules = alertRulesOf(config);
  const lease = (role: string) => ({
    role,
    holder: leaseHolder('alerter'),
    ttlMs: config.JOURNEY_LEASE_TTL_MS,
    logger,
  });

  const dispatching = new LeasedRole(
    leases,
    clock,
    async ({ grant, held }) => {
      const { store, close } = fenced(grant);
      const dispatcher = dispatcherFor(store, held);
      dispatcher.start();
      return async () => {
        await dispatcher.stop();
        await close();
      };
    },
    lease('alerter'),
  );
  const slowTimer = new LeasedRole(
    leases,
    clock,
    async ({ grant }) => {
      const { store, close } = fenced(grant);
      let ticking: Promise<void> = Promise.resolve();
      const tick = () => {
        ticking = ticking.then(async () => {
          try {
            await raiseSlowDeployments(store, rules, clock.now());
          } catch (error) {
            logger.error({ err: error }, 'the slow-deployment timer failed; it runs again shortly');
          }
        });
      };
      const timer = setInterval(tick, SLOW_DEPLOYMENT_TICK_MS);
      tick();
      return async () => {
        clearInterval(timer);
        await ticking;
        await close();
      };
    },
    lease('slow-deployment-timer'),
  );
  dispatching.start();
  slowTimer.start();
  return async () => {
    await Promise.all([dispatching.stop(), slowTimer.stop()]);
  };
};
