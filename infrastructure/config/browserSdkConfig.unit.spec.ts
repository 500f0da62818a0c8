import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('JOURNEY_CORS_ORIGINS', () => {
  it('allows any origin by default', () => {
    expect(loadConfig({}).JOURNEY_CORS_ORIGINS).toEqual(['*']);
  });

  it('takes comma-separated origins, trimming spaces and trailing slashes', () => {
    expect(
      loadConfig({ JOURNEY_CORS_ORIGINS: 'https://app.example.com/, http://localhost:3000' }).JOURNEY_CORS_ORIGINS,
    ).toEqual(['https://app.example.com', 'http://localhost:3000']);
  });

  it('refuses something that is not an origin, saying what an origin looks like', () => {
    expect(() => loadConfig({ JOURNEY_CORS_ORIGINS: 'app.example.com/shop' })).toThrow(
      /JOURNEY_CORS_ORIGINS=app\.example\.com\/shop: must be \* or comma-separated origins such as https:\/\/app\.example\.com/,
    );
  });
});
