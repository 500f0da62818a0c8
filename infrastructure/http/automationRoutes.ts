import type { FastifyInstance } from 'fastify';
import type { AutomationStore } from '../../application/ports/automationStore/automationStore.ts';
import type { CompiledAutomation, CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import { deliveriesQuery } from './automationSchemas.ts';
import { validateRequest } from './validateRequest.ts';

export type AutomationRoutesDeps = {
  readonly automations: CompiledAutomations;
  readonly store: Pick<AutomationStore, 'listDeliveries' | 'countDeliveries'>;
};

/** where an action goes, without its secret */
const targetOf = (automation: CompiledAutomation): string =>
  automation.action.webhook?.url ?? automation.action.slack?.channel ?? automation.action.nats?.subject ?? '';

/** GET /api/automations and /api/automations/deliveries, inside the token-guarded /api plugin */
export const registerAutomationRoutes = (api: FastifyInstance, deps: AutomationRoutesDeps): void => {
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
};
