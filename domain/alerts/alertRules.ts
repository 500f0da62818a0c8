import type {
  DeploymentCompleted,
  DeploymentFailed,
  DeploymentStarted,
  ErrorEncountered,
  UserSignedUp,
} from '../journey/journeyEvent.ts';
import { type AlertDraft, type AlertRules, isLive } from './alert.ts';

/** A deployment the alert projection follows, for the slow-deployment timer. */
export type TrackedDeployment = {
  readonly deploymentId: string;
  readonly userId: string;
  readonly projectId?: string;
  readonly startedAt: string;
  readonly finished?: { readonly outcome: 'completed' | 'failed'; readonly at: string };
};

/** One user's occurrences of one error code within the current grouping window. */
export type ErrorGroup = {
  readonly userId: string;
  readonly code: string;
  readonly windowStart: string;
  readonly count: number;
  readonly alertKey: string;
};

const fact = (label: string, value: string | number | undefined): [string, string][] =>
  value === undefined || value === '' ? [] : [[label, String(value)]];

export const signupAlert = (userId: string, event: UserSignedUp, now: number, rules: AlertRules): AlertDraft[] => {
  if (!isLive(event.metadata.occurredAt, now, rules)) return [];
  const d = event.data;
  return [
    {
      key: `signup:${userId}`,
      kind: 'signup',
      userId,
      occurredAt: event.metadata.occurredAt,
      content: {
        headline: 'New user signed up',
        facts: [
          ['User', userId],
          ...fact('Email', d.email),
          ...fact('Name', d.name),
          ...fact('Source', d.source),
          ...fact('Plan', d.plan),
          ['Time', event.metadata.occurredAt],
        ],
      },
    },
  ];
};

export const startDeployment = (userId: string, event: DeploymentStarted): TrackedDeployment | undefined =>
  event.data.deploymentId === undefined
    ? undefined
    : {
        deploymentId: event.data.deploymentId,
        userId,
        ...(event.data.projectId === undefined ? {} : { projectId: event.data.projectId }),
        startedAt: event.metadata.occurredAt,
      };

/** The deployment, finished; a follow-up in the slow alert's thread when that alert was raised. */
export const finishDeployment = (
  deployment: TrackedDeployment,
  event: DeploymentCompleted | DeploymentFailed,
  slowAlertRaised: boolean,
): { deployment: TrackedDeployment; followUps: AlertDraft[] } => {
  if (deployment.finished) return { deployment, followUps: [] };
  const outcome = event.type === 'DeploymentCompleted' ? 'completed' : 'failed';
  const at = event.metadata.occurredAt;
  const parentKey = `deploy-slow:${deployment.deploymentId}`;
  const minutes = Math.round((Date.parse(at) - Date.parse(deployment.startedAt)) / 6_000) / 10;
  return {
    deployment: { ...deployment, finished: { outcome, at } },
    followUps: slowAlertRaised
      ? [
          {
            key: `${parentKey}:${outcome}`,
            kind: 'deploy-slow',
            userId: deployment.userId,
            occurredAt: at,
            parentKey,
            content: { headline: `Deployment ${outcome} after ${minutes} min`, facts: [['Time', at]] },
          },
        ]
      : [],
  };
};

/** The timer's rule: started more than the threshold ago, not finished, and still live. */
export const slowDeploymentAlert = (deployment: TrackedDeployment, now: number, rules: AlertRules): AlertDraft[] => {
  const started = Date.parse(deployment.startedAt);
  if (deployment.finished || now - started < rules.slowDeploymentMs) return [];
  if (!isLive(deployment.startedAt, now, rules)) return [];
  return [
    {
      key: `deploy-slow:${deployment.deploymentId}`,
      kind: 'deploy-slow',
      userId: deployment.userId,
      occurredAt: deployment.startedAt,
      content: {
        headline: 'Deployment slower than expected',
        facts: [
          ['User', deployment.userId],
          ['Deployment', deployment.deploymentId],
          ...fact('Project', deployment.projectId),
          ['Started', deployment.startedAt],
          [
            'Running for',
            `${Math.floor((now - started) / 60_000)} min (threshold ${rules.slowDeploymentMs / 60_000} min)`,
          ],
        ],
      },
    },
  ];
};

export const deploymentFailedAlert = (
  userId: string,
  event: DeploymentFailed,
  now: number,
  rules: AlertRules,
): AlertDraft[] => {
  const id = event.data.deploymentId;
  if (id === undefined || !isLive(event.metadata.occurredAt, now, rules)) return [];
  return [
    {
      key: `deploy-failed:${id}`,
      kind: 'deploy-failed',
      userId,
      occurredAt: event.metadata.occurredAt,
      content: {
        headline: 'Deployment failed',
        facts: [
          ['User', userId],
          ['Deployment', id],
          ...fact('Project', event.data.projectId),
          ['Error', event.data.error ?? '(no message)'],
          ['Time', event.metadata.occurredAt],
        ],
      },
    },
  ];
};

/** the grouping code of an error that alerts under the rules, or undefined when it does not */
export const alertingErrorCode = (event: ErrorEncountered, rules: AlertRules): string | undefined => {
  const { errorCode, status } = event.data;
  if (errorCode !== undefined && (rules.errorCodes === 'any' || rules.errorCodes.includes(errorCode))) return errorCode;
  if (status !== undefined && status >= rules.errorMinStatus) return `HTTP ${status}`;
  return undefined;
};

/**
 * At most one message per user, code and window; later occurrences in the window are
 * counted into that message's thread. The window starts at the first occurrence (event time).
 */
export const errorAlert = (
  userId: string,
  event: ErrorEncountered,
  group: ErrorGroup | undefined,
  now: number,
  rules: AlertRules,
): { group: ErrorGroup; alerts: AlertDraft[] } | undefined => {
  const code = alertingErrorCode(event, rules);
  // canonical, so the key is the same whichever offset the event time was written with
  const at = new Date(Date.parse(event.metadata.occurredAt)).toISOString();
  if (code === undefined || !isLive(at, now, rules)) return undefined;
  const d = event.data;
  if (
    group &&
    Date.parse(at) >= Date.parse(group.windowStart) &&
    Date.parse(at) - Date.parse(group.windowStart) < rules.errorWindowMs
  ) {
    const count = group.count + 1;
    return {
      group: { ...group, count },
      alerts: [
        {
          key: `${group.alertKey}#${count}`,
          kind: 'error',
          userId,
          occurredAt: at,
          parentKey: group.alertKey,
          content: { headline: `Seen ${count} times since ${group.windowStart}`, facts: [['Last', at]] },
        },
      ],
    };
  }
  const key = `error:${userId}:${code}:${at}`;
  return {
    group: { userId, code, windowStart: at, count: 1, alertKey: key },
    alerts: [
      {
        key,
        kind: 'error',
        userId,
        occurredAt: at,
        content: {
          headline: `Error encountered: ${code}`,
          facts: [
            ['User', userId],
            ...fact('Status', d.status),
            ...fact('Error code', d.errorCode),
            ...fact('Request', d.method && d.path ? `${d.method} ${d.path}` : d.path),
            ...fact('Message', d.message),
            ['Time', at],
          ],
        },
      },
    ],
  };
};
