import { LeasedRole } from '../../application/leases/leasedRole.ts';
import { AutomationStoreToken } from '../../application/ports/automationStore/automationStore.ts';
import { type Clock, ClockToken } from '../../application/ports/clock.ts';
import { type Leases, LeasesToken } from '../../application/ports/lease/lease.ts';
import type { Logger } from '../../application/ports/logger.ts';
import type { CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { whenReady } from '../journey/adapters.ts';
import {
  type AutomationDispatcherFor,
  AutomationDispatcherForToken,
  AutomationsToken,
  type createContainer,
  type FencedAutomationStore,
  FencedAutomationStoreToken,
} from '../journey/container.ts';
import { leaseHolder } from '../journey/leaseHolder.ts';

/**
 * The automator: due timers fired into the outbox, and the outbox drained to webhooks, Slack
 * and NATS, as one singleton role (`automator`) under a lease (docs/operations/distributed.md):
 * the tick and the deliveries share one loop and one outbox, so one replica does both, on a
 * store fenced by its grant. Returns its stop, which lets the role go.
 */
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
  const fenced = container.get<FencedAutomationStore>(FencedAutomationStoreToken);
  const dispatcherFor = container.get<AutomationDispatcherFor>(AutomationDispatcherForToken);
  const role = new LeasedRole(
    container.get<Leases>(LeasesToken),
    container.get<Clock>(ClockToken),
    async ({ grant }) => {
      const { store, close } = fenced(grant);
      const dispatcher = dispatcherFor(store);
      dispatcher.start();
      logger.info(
        { automations: automations.automations.map((a) => a.id), epoch: grant.epoch },
        'the automator delivers automations',
      );
      return async () => {
        await dispatcher.stop();
        await close();
      };
    },
    { role: 'automator', holder: leaseHolder('automator'), ttlMs: config.JOURNEY_LEASE_TTL_MS, logger },
  );
  role.start();
  return () => role.stop();
};
