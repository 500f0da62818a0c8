import { type ApiClient, ApiError } from './apiClient.ts';
import { automationsApi, type Delivery } from './automationsApi.ts';
import { automationsView, deliveryRow, mergeDeliveries } from './automationsView.ts';
import { html, render } from './html.ts';

/** main.ts's request runner: a refused token asks for it again, any other error shows in `target` */
export type PanelLoad = (target: HTMLElement, run: (client: ApiClient) => Promise<void>) => Promise<void>;

const RECENT = 25;
const REFRESH_MS = 10_000;
/** how often a retried delivery is looked at until it leaves `pending`, and for how long at most */
const FOLLOW_MS = 500;
const FOLLOW_FOR_MS = 60_000;

const element = (selector: string): HTMLElement => {
  const found = document.querySelector<HTMLElement>(selector);
  if (found === null) throw new Error(`the dashboard page has no ${selector}`);
  return found;
};

const rowOf = (id: string): HTMLTableRowElement | undefined =>
  [...document.querySelectorAll<HTMLTableRowElement>('#automations tr[data-delivery-id]')].find(
    (row) => row.dataset.deliveryId === id,
  );

const replaceRow = (delivery: Delivery): void => {
  const row = rowOf(delivery.id);
  if (row === undefined) return;
  const body = document.createElement('tbody');
  render(body, deliveryRow(delivery, Date.now()));
  const next = body.firstElementChild;
  if (next !== null) row.replaceWith(next);
};

/**
 * The Automations panel: each configured automation with its deliveries by state, the recent
 * deliveries and every recent failure, and a Retry button on a failed one, which asks the API
 * to send it again and follows the row until it is delivered or fails again.
 */
export const automationsPanel = (load: PanelLoad) => {
  const refresh = () =>
    load(element('#automations'), async (client) => {
      const api = automationsApi(client);
      let answers: Awaited<ReturnType<typeof api.automations>>;
      const lists = Promise.all([
        api.deliveries({ limit: RECENT }),
        api.deliveries({ status: 'failed', limit: RECENT }),
      ]);
      // handled now: refused (a wrong token) before the automations answer, it would be unhandled
      lists.catch(() => undefined);
      try {
        answers = await api.automations();
      } catch (error) {
        await lists.catch(() => undefined);
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        render(
          element('#automations'),
          html`<p class="empty">This process does not serve automations (run the API with them).</p>`,
        );
        return;
      }
      const { automations } = answers;
      const [recent, failed] = await lists;
      render(
        element('#automations'),
        automationsView(automations, mergeDeliveries(recent.deliveries, failed.deliveries), Date.now()),
      );
    });

  const follow = async (client: ApiClient, id: string): Promise<void> => {
    const api = automationsApi(client);
    const until = Date.now() + FOLLOW_FOR_MS;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_MS));
      const { delivery } = await api.delivery(id);
      replaceRow(delivery);
      if (delivery.status !== 'pending' || Date.now() > until) return;
    }
  };

  const retry = (button: HTMLButtonElement, id: string) => {
    const cell = button.closest<HTMLElement>('td') ?? element('#automations');
    button.disabled = true;
    button.textContent = 'Retrying…';
    // errors show in the row's own cell, so the rest of the panel stays readable
    return load(cell, async (client) => {
      const { delivery } = await automationsApi(client).retry(id);
      replaceRow(delivery);
      await follow(client, id);
      // the counts per automation moved too
      await refresh();
    });
  };

  const wire = () => {
    element('#automations').addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-retry]');
      if (button?.dataset.retry === undefined || button.disabled) return;
      void retry(button, button.dataset.retry);
    });
    element('#refresh-automations').addEventListener('click', () => void refresh());
    setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, REFRESH_MS);
  };

  return { refresh, wire };
};
