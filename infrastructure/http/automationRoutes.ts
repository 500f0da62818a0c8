import type { FastifyInstance } from 'fastify';
import type { AutomationStore } from '../../application/ports/automationStore/automationStore.ts';
import type { Clock } from '../../application/ports/clock.ts';
import type { CompiledAutomation, CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import { NotFoundError } from '../../domain/errors/journeyError.ts';
import { deliveriesQuery, deliveryParams } from './automationSchemas.ts';
import { validateRequest } from './validateRequest.ts';

export type AutomationRoutesDeps = {
  readonly automations: CompiledAutomations;
  readonly store: Pick<AutomationStore, 'listDeliveries' | 'countDeliveries' | 'get' | 'retry'>;
};

const noSuchDelivery = (id: string) =>
  new NotFoundError(
    `there is no delivery ${id}; list them with GET /api/automations/deliveries (or npx journey automations deliveries)`,
  );

/** where an action goes, without its secret */
const targetOf = (automation: CompiledAutomation): string =>
  automation.action.webhook?.url ?? automation.action.slack?.channel ?? automation.action.nats?.subject ?? '';

/**
 * GET /api/automations, /api/automations/deliveries[/:id] and POST …/deliveries/:id/retry, inside
 * the token-guarded /api plugin
 */
export const registerAutomationRoutes = (api: FastifyInstance, deps: AutomationRoutesDeps, clock: Clock): void => {
  api.get('/automations', async () => {
    const counts = await deps.store.countDeliveries();
    return {
      source: deps.automations.source,
      automations: deps.automations.automations.map((a) => {
        const t = a.trigger;
        const deliveries = { pending: 0, delivered: 0, failed: 0 };
        for (const c of counts) if (c.automationId === a.id) deliveries[c.status] = c.count;
        return {
          id: a.id,
          trigger:
            t.kind === 'event'
              ? { kind: t.kind, event: t.event, conditional: a.conditional }
              : { kind: t.kind, event: t.after, wait: t.wait, unless: [...t.unless], conditional: a.conditional },
          action: a.actionKind,
          target: targetOf(a),
          deliveries,
        };
      }),
    };
  });

  api.get('/automations/deliveries', async (request) => {
    const filter = validateRequest(deliveriesQuery, request.query, 'query');
    return { deliveries: await deps.store.listDeliveries(filter) };
  });

  api.get('/automations/deliveries/:id', async (request) => {
    const { id } = validateRequest(deliveryParams, request.params, 'path');
    const delivery = await deps.store.get(id);
    if (!delivery) throw noSuchDelivery(id);
    return { delivery };
  });

  // as `journey automations retry ID`: only a failed delivery goes again (same id, fresh attempts);
  // any other answers what it is, so a second click or a race with the automator changes nothing
  api.post('/automations/deliveries/:id/retry', async (request) => {
    const { id } = validateRequest(deliveryParams, request.params, 'path');
    const before = await deps.store.get(id);
    if (!before) throw noSuchDelivery(id);
    const delivery = await deps.store.retry(id, new Date(clock.now()).toISOString());
    if (!delivery) throw noSuchDelivery(id);
    return { retried: before.status === 'failed' && delivery.status === 'pending', delivery };
  });
};
