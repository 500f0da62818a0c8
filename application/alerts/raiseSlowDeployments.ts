import type { AlertRules } from '../../domain/alerts/alert.ts';
import { slowDeploymentAlert } from '../../domain/alerts/alertRules.ts';
import type { AlertStore } from '../ports/alertStore/alertStore.ts';

/**
 * The slow-deployment timer's one tick: deployments started before now − threshold (and
 * after now − max age) and not finished get their alert, in one transaction with the check,
 * so a completion projected at the same moment either finishes it first or finds the alert
 * and replies in its thread. Keys are deterministic: running it twice raises nothing new.
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
