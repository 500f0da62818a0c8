export const TEST_WRITE_KEY = 'wk_test_0123456789';
export const TEST_API_TOKEN = 'jt_test_0123456789abcdef';

/**
 * The environment a spec runs Journey with: its own data directory, any free port, the test
 * write key (source web) and API token, no logs, and fast polling; `overrides` win.
 */
export const journeyEnv = (dataDir: string, overrides: Record<string, string> = {}): Record<string, string> => ({
  PORT: '0',
  JOURNEY_DATA_DIR: dataDir,
  JOURNEY_WRITE_KEYS: `web:${TEST_WRITE_KEY}`,
  JOURNEY_API_TOKEN: TEST_API_TOKEN,
  LOG_LEVEL: 'silent',
  JOURNEY_SQLITE_POLL_MS: '20',
  ...overrides,
});
