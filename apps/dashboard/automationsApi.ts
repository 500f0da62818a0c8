import type { z } from 'zod';
import type {
  automationsAnswer,
  deliveriesAnswer,
  deliveryAnswer,
  retryAnswer,
} from '../../infrastructure/http/automationSchemas.ts';
import type { ApiClient } from './apiClient.ts';

/** the answers' types come from the API's own schemas (types only: nothing of zod reaches the page) */
export type Automations = z.infer<typeof automationsAnswer>;
export type Automation = Automations['automations'][number];
export type Delivery = z.infer<typeof deliveriesAnswer>['deliveries'][number];
export type DeliveryStatus = Delivery['status'];

const deliveryPath = (id: string) => `/automations/deliveries/${encodeURIComponent(id)}`;

/** The automations routes, as calls of the dashboard's client. */
export const automationsApi = (client: ApiClient) => ({
  automations: () => client.request<Automations>('GET', '/automations'),
  deliveries: (filter: { status?: DeliveryStatus; limit: number }) =>
    client.request<z.infer<typeof deliveriesAnswer>>('GET', '/automations/deliveries', {
      limit: String(filter.limit),
      ...(filter.status === undefined ? {} : { status: filter.status }),
    }),
  delivery: (id: string) => client.request<z.infer<typeof deliveryAnswer>>('GET', deliveryPath(id)),
  retry: (id: string) => client.request<z.infer<typeof retryAnswer>>('POST', `${deliveryPath(id)}/retry`),
});
