import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('LOG_FORMAT', () => {
  it('is unset by default, so the terminal decides', () => {
    expect(loadConfig({}).LOG_FORMAT).toBeUndefined();
  });

  it('takes json or pretty', () => {
    expect(loadConfig({ LOG_FORMAT: 'json' }).LOG_FORMAT).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
  });

  it('refuses anything else, naming the variable and what it takes', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'fancy' })).toThrow(
      'LOG_FORMAT=fancy: must be json or pretty (unset: pretty on a terminal, json otherwise)',
    );
  });
});
