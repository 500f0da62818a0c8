import { describe, expect, it } from 'vitest';
import type {
  DeploymentCompleted,
  DeploymentFailed,
  DeploymentStarted,
  ErrorEncountered,
  UserSignedUp,
} from '../journey/journeyEvent.ts';
import { defaultAlertRules as rules } from './alert.ts';
import {
  deploymentFailedAlert,
  type ErrorGroup,
  errorAlert,
  finishDeployment,
  signupAlert,
  slowDeploymentAlert,
  startDeployment,
} from './alertRules.ts';

const T = Date.parse('2026-05-01T12:00:00.000Z');
const at = (minutesAfterT: number) => new Date(T + minutesAfterT * 60_000).toISOString();
const meta = (occurredAt: string) => ({ occurredAt, sourceMessageIds: ['m1'], ruleId: 'r' });

const signedUp = (occurredAt: string, data: UserSignedUp['data'] = {}): UserSignedUp => ({
  type: 'UserSignedUp',
  data,
  metadata: meta(occurredAt),
});
const started = (id: string, occurredAt: string): DeploymentStarted => ({
  type: 'DeploymentStarted',
  data: { deploymentId: id, projectId: 'p1' },
  metadata: meta(occurredAt),
});
const completed = (id: string, occurredAt: string): DeploymentCompleted => ({
  type: 'DeploymentCompleted',
  data: { deploymentId: id },
  metadata: meta(occurredAt),
});
const failed = (id: string, occurredAt: string, error?: string): DeploymentFailed => ({
  type: 'DeploymentFailed',
  data: { deploymentId: id, ...(error ? { error } : {}) },
  metadata: meta(occurredAt),
});
const errorAt = (occurredAt: string, data: ErrorEncountered['data']): ErrorEncountered => ({
  type: 'ErrorEncountered',
  data,
  metadata: meta(occurredAt),
});

describe('alert rules', () => {
  describe('new sign-up', () => {
    it('given a live UserSignedUp, raises signup:<userId> with email, name, source and time', () => {
      const [alert, ...rest] = signupAlert(
        'ada',
        signedUp(at(0), { email: 'ada@example.com', name: 'Ada', source: 'web' }),
        T,
        rules,
      );
      expect(rest).toEqual([]);
      expect(alert).toMatchObject({ key: 'signup:ada', kind: 'signup', userId: 'ada' });
      expect(alert?.content.headline).toBe('New user signed up');
      expect(alert?.content.facts).toEqual([
        ['User', 'ada'],
        ['Email', 'ada@example.com'],
        ['Name', 'Ada'],
        ['Source', 'web'],
        ['Time', at(0)],
      ]);
    });

    it('leaves out what is not known', () => {
      expect(signupAlert('bob', signedUp(at(0)), T, rules)[0]?.content.facts).toEqual([
        ['User', 'bob'],
        ['Time', at(0)],
      ]);
    });
  });

  describe('max age', () => {
    it('raises nothing for an event older than the max age at processing time, and alerts at exactly the limit', () => {
      expect(signupAlert('ada', signedUp(at(-61)), T, rules)).toEqual([]);
      expect(signupAlert('ada', signedUp(at(-60)), T, rules)).toHaveLength(1);
      expect(deploymentFailedAlert('ada', failed('d1', at(-120)), T, rules)).toEqual([]);
      expect(errorAlert('ada', errorAt(at(-90), { status: 500 }), undefined, T, rules)).toBeUndefined();
    });
  });

  describe('slow deployment', () => {
    it('given a deployment started 10 minutes ago and not finished, raises deploy-slow:<id>', () => {
      const d = startDeployment('ada', started('d1', at(-10)));
      expect(d).toBeDefined();
      if (!d) return;
      expect(slowDeploymentAlert(d, T - 1, rules)).toEqual([]);
      const [alert] = slowDeploymentAlert(d, T, rules);
      expect(alert).toMatchObject({ key: 'deploy-slow:d1', kind: 'deploy-slow', userId: 'ada' });
      expect(alert?.content.facts).toContainEqual(['Project', 'p1']);
    });

    it('raises nothing once finished, nor for deployments started before the max age', () => {
      const d = startDeployment('ada', started('d1', at(-30)));
      if (!d) throw new Error('no deployment');
      const done = finishDeployment(d, completed('d1', at(-25)), false);
      expect(done.followUps).toEqual([]);
      expect(slowDeploymentAlert(done.deployment, T, rules)).toEqual([]);
      const old = startDeployment('ada', started('d2', at(-61)));
      if (!old) throw new Error('no deployment');
      expect(slowDeploymentAlert(old, T, rules)).toEqual([]);
    });

    it('a completion after the slow alert replies in its thread', () => {
      const d = startDeployment('ada', started('d1', at(-12)));
      if (!d) throw new Error('no deployment');
      const { followUps } = finishDeployment(d, completed('d1', at(0)), true);
      expect(followUps).toEqual([
        expect.objectContaining({ key: 'deploy-slow:d1:completed', parentKey: 'deploy-slow:d1', kind: 'deploy-slow' }),
      ]);
      expect(followUps[0]?.content.headline).toBe('Deployment completed after 12 min');
    });

    it('ignores a DeploymentStarted without a deploymentId', () => {
      expect(startDeployment('ada', { ...started('x', at(0)), data: {} })).toBeUndefined();
    });
  });

  describe('deployment failed', () => {
    it('raises deploy-failed:<id> with the error message', () => {
      const [alert] = deploymentFailedAlert('ada', failed('d9', at(0), 'build exited 137'), T, rules);
      expect(alert).toMatchObject({ key: 'deploy-failed:d9', kind: 'deploy-failed' });
      expect(alert?.content.facts).toContainEqual(['Error', 'build exited 137']);
    });
  });

  describe('error encountered, grouped', () => {
    it('alerts on status >= 500 or any errorCode by default, not on a 404 without a code', () => {
      expect(errorAlert('ada', errorAt(at(0), { status: 503 }), undefined, T, rules)?.alerts[0]?.key).toBe(
        `error:ada:HTTP 503:${at(0)}`,
      );
      expect(
        errorAlert('ada', errorAt(at(0), { status: 400, errorCode: 'BAD_PLAN' }), undefined, T, rules)?.group.code,
      ).toBe('BAD_PLAN');
      expect(errorAlert('ada', errorAt(at(0), { status: 404 }), undefined, T, rules)).toBeUndefined();
    });

    it('follows configured codes and status', () => {
      const strict = { ...rules, errorCodes: ['PAYMENT_FAILED'], errorMinStatus: 502 };
      expect(errorAlert('ada', errorAt(at(0), { status: 500, errorCode: 'X' }), undefined, T, strict)).toBeUndefined();
      expect(errorAlert('ada', errorAt(at(0), { errorCode: 'PAYMENT_FAILED' }), undefined, T, strict)).toBeDefined();
      expect(errorAlert('ada', errorAt(at(0), { status: 502 }), undefined, T, strict)).toBeDefined();
    });

    it('one message per user and code per window; later occurrences are counted into its thread', () => {
      const first = errorAlert('ada', errorAt(at(-20), { status: 500, errorCode: 'E1' }), undefined, T, rules);
      const key = `error:ada:E1:${at(-20)}`;
      expect(first?.alerts.map((a) => a.key)).toEqual([key]);
      const group = first?.group as ErrorGroup;
      const second = errorAlert('ada', errorAt(at(-5), { errorCode: 'E1' }), group, T, rules);
      expect(second?.group).toMatchObject({ count: 2, alertKey: key, windowStart: at(-20) });
      expect(second?.alerts).toEqual([expect.objectContaining({ key: `${key}#2`, parentKey: key, kind: 'error' })]);
      expect(second?.alerts[0]?.content.headline).toBe(`Seen 2 times since ${at(-20)}`);
    });

    it('opens a new window (and message) once the window has passed', () => {
      const group: ErrorGroup = { userId: 'ada', code: 'E1', windowStart: at(-31), count: 4, alertKey: 'k' };
      const next = errorAlert('ada', errorAt(at(-1), { errorCode: 'E1' }), group, T, rules);
      expect(next?.alerts.map((a) => a.key)).toEqual([`error:ada:E1:${at(-1)}`]);
      expect(next?.group).toMatchObject({ count: 1, windowStart: at(-1) });
    });

    it('writes the window start in UTC whatever offset the event time had', () => {
      const r = errorAlert('ada', errorAt('2026-05-01T13:50:00+02:00', { status: 500 }), undefined, T, rules);
      expect(r?.alerts[0]?.key).toBe('error:ada:HTTP 500:2026-05-01T11:50:00.000Z');
    });
  });
});
