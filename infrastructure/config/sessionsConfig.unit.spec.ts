import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('sessions configuration', () => {
  it('cuts sessions after 30 minutes of inactivity unless told otherwise', () => {
    expect(loadConfig({}).JOURNEY_SESSION_TIMEOUT_MINUTES).toBe(30);
    expect(loadConfig({ JOURNEY_SESSION_TIMEOUT_MINUTES: '45' }).JOURNEY_SESSION_TIMEOUT_MINUTES).toBe(45);
  });

  it.each(['0', '1441', '2.5', 'soon'])('refuses %s with what is allowed', (value) => {
    expect(() => loadConfig({ JOURNEY_SESSION_TIMEOUT_MINUTES: value })).toThrow(
      `JOURNEY_SESSION_TIMEOUT_MINUTES=${value}: must be a whole number of minutes from 1 to 1440`,
    );
  });
});
