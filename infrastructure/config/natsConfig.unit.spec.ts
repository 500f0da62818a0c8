import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('NATS configuration', () => {
  it('defaults: no NATS_URL (embedded), 8 partitions, 24h duplicate window, 7 days, no size limit', () => {
    const config = loadConfig({});
    expect(config.NATS_URL).toBeUndefined();
    expect([
      config.JOURNEY_RAW_PARTITIONS,
      config.JOURNEY_RAW_DUPLICATE_WINDOW,
      config.JOURNEY_RAW_MAX_AGE,
      config.JOURNEY_RAW_MAX_BYTES,
      config.NATS_PUBLISH_TIMEOUT_MS,
    ]).toEqual([8, 86_400_000, 604_800_000, 0, 5_000]);
  });

  it('reads durations such as 30m and 2d', () => {
    const config = loadConfig({ JOURNEY_RAW_DUPLICATE_WINDOW: '30m', JOURNEY_RAW_MAX_AGE: '2d' });
    expect([config.JOURNEY_RAW_DUPLICATE_WINDOW, config.JOURNEY_RAW_MAX_AGE]).toEqual([1_800_000, 172_800_000]);
  });

  it('refuses a URL that is not NATS and a bad duration, never echoing the password', () => {
    expect(() => loadConfig({ NATS_URL: 'http://x:4222', JOURNEY_RAW_MAX_AGE: '7 days', NATS_PASSWORD: '' })).toThrow(
      /NATS_URL=http:\/\/x:4222: must be a NATS URL[\s\S]*JOURNEY_RAW_MAX_AGE=7 days: must be a duration/,
    );
    expect(() => loadConfig({ NATS_PASSWORD: 's3cret', JOURNEY_RAW_PARTITIONS: '0' })).not.toThrow(/s3cret/);
  });
});
