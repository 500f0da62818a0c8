import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('JOURNEY_RAW_RETENTION_DAYS', () => {
  it('defaults to 30 days and takes a whole number of days', () => {
    expect(loadConfig({}).JOURNEY_RAW_RETENTION_DAYS).toBe(30);
    expect(loadConfig({ JOURNEY_RAW_RETENTION_DAYS: '7' }).JOURNEY_RAW_RETENTION_DAYS).toBe(7);
  });

  it.each(['0', '1.5', 'a week', '3651'])('refuses %s with what it takes', (value) => {
    expect(() => loadConfig({ JOURNEY_RAW_RETENTION_DAYS: value })).toThrow(
      `JOURNEY_RAW_RETENTION_DAYS=${value}: must be a whole number of days from 1 to 3650`,
    );
  });
});
