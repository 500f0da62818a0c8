import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const refusal = (url: string): string => {
  try {
    loadConfig({ JOURNEY_DATABASE_URL: url });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${url} was accepted`);
};

describe('PostgreSQL configuration', () => {
  it('takes a PostgreSQL URL and a pool size', () => {
    const config = loadConfig({
      JOURNEY_DATABASE_URL: 'postgres://j:pw@db:5432/journey',
      JOURNEY_DATABASE_POOL_SIZE: '4',
    });
    expect([config.JOURNEY_DATABASE_URL, config.JOURNEY_DATABASE_POOL_SIZE]).toEqual([
      'postgres://j:pw@db:5432/journey',
      4,
    ]);
  });

  it('an unparseable URL: names the variable and the host and port written, never the password', () => {
    const message = refusal('postgres://journey:s3cr/et@db.example:54x2/journey');
    expect(message).toContain('JOURNEY_DATABASE_URL=(hidden): must be a PostgreSQL URL');
    expect(message).toContain('the host and port given: db.example:54x2');
    expect(message).toContain('unset it to keep the read models in SQLite');
    expect(message).not.toContain('s3cr');
  });

  it('another scheme is refused; without an @ no host is guessed, as the password may follow a colon', () => {
    expect(refusal('mysql://journey:pw@db:3306/journey')).toContain('must be a PostgreSQL URL');
    const message = refusal('postgres://journey:s3cret/journey');
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('the host and port given');
  });
});
