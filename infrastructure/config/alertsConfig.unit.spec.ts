import { describe, expect, it } from 'vitest';
import { alertChannelOf, alertRulesOf } from './alertsConfig.ts';
import { loadConfig } from './config.ts';

describe('alerts configuration', () => {
  it('defaults: no token, #journey-alerts, 10/30/60 minutes, status >= 500 or any error code', () => {
    const config = loadConfig({});
    expect(config.SLACK_BOT_TOKEN).toBeUndefined();
    expect(alertRulesOf(config)).toEqual({
      slowDeploymentMs: 600_000,
      errorWindowMs: 1_800_000,
      maxAgeMs: 3_600_000,
      errorMinStatus: 500,
      errorCodes: 'any',
    });
    expect(
      ['signup', 'deploy-slow', 'deploy-failed', 'error'].map((k) => alertChannelOf(config)(k as 'signup')),
    ).toEqual(Array(4).fill('#journey-alerts'));
  });

  it('takes per-kind channels, minutes and error codes', () => {
    const config = loadConfig({
      SLACK_CHANNEL_DEPLOY: '#deploys',
      SLACK_CHANNEL_ERROR: 'C0123ABC',
      JOURNEY_DEPLOY_SLOW_MINUTES: '5',
      JOURNEY_ERROR_ALERT_CODES: 'PAYMENT_FAILED, QUOTA',
      JOURNEY_ERROR_ALERT_MIN_STATUS: '502',
    });
    const channelFor = alertChannelOf(config);
    expect([channelFor('signup'), channelFor('deploy-slow'), channelFor('deploy-failed'), channelFor('error')]).toEqual(
      ['#journey-alerts', '#deploys', '#deploys', 'C0123ABC'],
    );
    expect(alertRulesOf(config)).toMatchObject({
      slowDeploymentMs: 300_000,
      errorCodes: ['PAYMENT_FAILED', 'QUOTA'],
      errorMinStatus: 502,
    });
    expect(alertRulesOf(loadConfig({ JOURNEY_ERROR_ALERT_CODES: 'none' })).errorCodes).toEqual([]);
  });

  it('names a bad value and what is allowed, hiding the token', () => {
    expect(() =>
      loadConfig({ SLACK_BOT_TOKEN: 'secret-nope', SLACK_ALERT_CHANNEL: 'alerts', JOURNEY_ALERT_MAX_AGE_MINUTES: '0' }),
    ).toThrow(
      /SLACK_BOT_TOKEN=\(hidden\): must be a Slack token[\s\S]*SLACK_ALERT_CHANNEL=alerts: must be a channel name[\s\S]*JOURNEY_ALERT_MAX_AGE_MINUTES=0: must be a whole number of minutes/,
    );
  });
});
