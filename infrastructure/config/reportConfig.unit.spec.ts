import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('the report configuration', () => {
  it('defaults to 06:00 UTC, three catch-up days and #portal-analytics', () => {
    expect(loadConfig({})).toMatchObject({
      JOURNEY_REPORT_CRON: '0 6 * * *',
      JOURNEY_REPORT_TZ: 'UTC',
      JOURNEY_REPORT_CATCHUP_DAYS: 3,
      SLACK_REPORT_CHANNEL: '#portal-analytics',
    });
  });

  it('takes a cron, a zone, a number of days and a channel', () => {
    expect(
      loadConfig({
        JOURNEY_REPORT_CRON: '30 7 * * 1-5',
        JOURNEY_REPORT_TZ: 'Europe/Berlin',
        JOURNEY_REPORT_CATCHUP_DAYS: '7',
        SLACK_REPORT_CHANNEL: 'C0123ABC',
      }),
    ).toMatchObject({
      JOURNEY_REPORT_CRON: '30 7 * * 1-5',
      JOURNEY_REPORT_TZ: 'Europe/Berlin',
      JOURNEY_REPORT_CATCHUP_DAYS: 7,
    });
  });

  it.each([
    ['JOURNEY_REPORT_CRON', 'every morning', 'must be a cron expression such as "0 6 * * *"'],
    ['JOURNEY_REPORT_TZ', 'CEST', 'must be an IANA time zone such as UTC or Europe/Berlin'],
    ['JOURNEY_REPORT_CATCHUP_DAYS', '-1', 'must be a whole number of days from 0 to 31'],
    ['JOURNEY_REPORT_CATCHUP_DAYS', '90', 'must be a whole number of days from 0 to 31'],
    ['SLACK_REPORT_CHANNEL', 'portal analytics', 'must be a channel name such as #portal-analytics'],
  ])('names %s=%s and says what is allowed', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(`${name}=${value}: ${message}`);
  });
});
