import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('NATS configuration', () => {
  it('defaults: no NATS_URL (embedded), 8 partitions, 24h duplicate window, 7 days, no size limit, 1 replica', () => {
    const config = loadConfig({});
    expect(config.NATS_URL).toBeUndefined();
    expect([
      config.JOURNEY_RAW_PARTITIONS,
      config.JOURNEY_RAW_DUPLICATE_WINDOW,
      config.JOURNEY_RAW_MAX_AGE,
      config.JOURNEY_RAW_MAX_BYTES,
      config.NATS_PUBLISH_TIMEOUT_MS,
      config.JOURNEY_RAW_REPLICAS,
    ]).toEqual([8, 86_400_000, 604_800_000, 0, 5_000, 1]);
  });

  it('takes a cluster: every server in NATS_URL, and up to 5 replicas', () => {
    const cluster = 'nats://10.0.0.1:4222, nats://10.0.0.2:4222,tls://10.0.0.3:4222';
    const config = loadConfig({ NATS_URL: cluster, JOURNEY_RAW_REPLICAS: '3' });
    expect([config.NATS_URL, config.JOURNEY_RAW_REPLICAS]).toEqual([cluster, 3]);
    expect(() => loadConfig({ NATS_URL: 'nats://a:4222,http://b:4222', JOURNEY_RAW_REPLICAS: '6' })).toThrow(
      /NATS_URL=nats:\/\/a:4222,http:\/\/b:4222: must be a NATS URL[\s\S]*JOURNEY_RAW_REPLICAS=6: must be a whole number from 1 to 5/,
    );
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
