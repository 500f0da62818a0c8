import type { AlertRules } from '../../domain/alerts/alert.ts';
import { slowDeploymentAlert } from '../../domain/alerts/alertRules.ts';
import type { AlertStore } from '../ports/alertStore/alertStore.ts';

/**
 * One tick of the slow-deployment timer: unfinished deployments started before now − threshold (and
 * after now − max age) get their alert in the check's transaction, so a completion projected meanwhile
 * finishes first or replies in its thread. Keys are deterministic: a rerun raises nothing.
 */
export const raiseSlowDeployments = (store: AlertStore, rules: AlertRules, now: number): Promise<number> =>
  store.update((writer) => {
    const due = writer.dueDeployments(
      new Date(now - rules.maxAgeMs).toISOString(),
      new Date(now - rules.slowDeploymentMs + 1).toISOString(),
    );
    const raisedAt = new Date(now).toISOString();
    let raised = 0;
    for (const deployment of due) {
      for (const alert of slowDeploymentAlert(deployment, now, rules)) if (writer.raise(alert, raisedAt)) raised++;
    }
    return raised;
  });
