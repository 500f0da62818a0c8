import type { AlertWriter } from '../../application/ports/alertStore/alertStore.ts';
import type { Clock } from '../../application/ports/clock.ts';
import type { AlertDraft, AlertRules } from '../../domain/alerts/alert.ts';
import {
  alertingErrorCode,
  deploymentFailedAlert,
  errorAlert,
  finishDeployment,
  signupAlert,
  startDeployment,
} from '../../domain/alerts/alertRules.ts';
import { JOURNEY_STREAM_PREFIX } from '../../domain/journey/journeyEvent.ts';
import { journeyEventOf } from '../journeyEventOf.ts';
import type { Projection } from '../projection.ts';

/**
 * Alert state (running deployments, error groups) and the outbox. `now` comes from the
 * clock at processing time: only live events raise alerts (the max-age rule), so a replay,
 * an import of history or a rebuild sends nothing; keys already raised are ignored anyway.
 */
export const alertsProjection = (rules: AlertRules, clock: Clock): Projection<AlertWriter> => ({
  name: 'alerts',
  version: 1,
  streamPrefix: JOURNEY_STREAM_PREFIX,
  apply(recorded, writer) {
    const journey = journeyEventOf(recorded);
    if (!journey) return;
    const { userId, event } = journey;
    const now = clock.now();
    let alerts: AlertDraft[] = [];
    switch (event.type) {
      case 'UserSignedUp':
        alerts = signupAlert(userId, event, now, rules);
        break;
      case 'DeploymentStarted': {
        const deployment = startDeployment(userId, event);
        if (deployment && !writer.getDeployment(deployment.deploymentId)) writer.putDeployment(deployment);
        break;
      }
      case 'DeploymentCompleted':
      case 'DeploymentFailed': {
        const id = event.data.deploymentId;
        const running = id === undefined ? undefined : writer.getDeployment(id);
        if (running) {
          const finished = finishDeployment(running, event, writer.hasAlert(`deploy-slow:${running.deploymentId}`));
          writer.putDeployment(finished.deployment);
          alerts = finished.followUps;
        }
        if (event.type === 'DeploymentFailed')
          alerts = [...alerts, ...deploymentFailedAlert(userId, event, now, rules)];
        break;
      }
      case 'ErrorEncountered': {
        const code = alertingErrorCode(event, rules);
        const group = code === undefined ? undefined : writer.getErrorGroup(userId, code);
        const grouped = errorAlert(userId, event, group, now, rules);
        if (grouped) {
          writer.putErrorGroup(grouped.group);
          alerts = grouped.alerts;
        }
        break;
      }
      case 'UserIdentified':
      case 'UserAuthenticated':
      case 'ProjectCreated':
      case 'PageViewed':
        break;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
    if (alerts.length === 0) return; // most events: no alert, and no timestamp to format
    const raisedAt = new Date(now).toISOString();
    for (const alert of alerts) writer.raise(alert, raisedAt);
  },
});
