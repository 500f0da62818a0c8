import { describe, expect, it } from 'vitest';
import { isUnavailableError } from '../../domain/errors/journeyError.ts';
import { connectionLostError, isConnectionLost } from './connectionLost.ts';

const pgError = (message: string, code?: string): Error => Object.assign(new Error(message), code ? { code } : {});

describe('a lost PostgreSQL connection', () => {
  it.each([
    ['a refused connection', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset socket', pgError('read ECONNRESET', 'ECONNRESET')],
    [
      'a server shutting down (admin_shutdown)',
      pgError('terminating connection due to administrator command', '57P01'),
    ],
    [
      'a server crashing (crash_shutdown)',
      pgError('terminating connection because of crash of another server process', '57P02'),
    ],
    ['a server starting up (cannot_connect_now)', pgError('the database system is starting up', '57P03')],
    ['a connection failure (class 08)', pgError('connection failure', '08006')],
    ['a socket closed mid-query', pgError('Connection terminated unexpectedly')],
    ['a client broken earlier', pgError('Client has encountered a connection error and is not queryable')],
    ['a pool that could not connect in time', pgError('timeout exceeded when trying to connect')],
  ])('%s is one, and becomes an UnavailableError that names the work and never the password', (_, error) => {
    expect(isConnectionLost(error)).toBe(true);
    const unavailable = connectionLostError(error, 'postgres://journey:s3cret@db:5432/journey', 'reading the funnel');
    expect(isUnavailableError(unavailable)).toBe(true);
    expect((unavailable as Error).message).toContain(
      'PostgreSQL at postgres://journey:***@db:5432/journey went away while reading the funnel',
    );
    expect((unavailable as Error).message).not.toContain('s3cret');
  });

  it.each([
    ['a unique violation', pgError('duplicate key value violates unique constraint', '23505')],
    ['a missing table', pgError('relation "journey.users" does not exist', '42P01')],
    ['a syntax error', pgError('syntax error at or near "SELEC"', '42601')],
    ['not an Error', 'Connection terminated'],
  ])('%s is not: it is thrown as it was', (_, error) => {
    expect(isConnectionLost(error)).toBe(false);
    expect(connectionLostError(error, undefined, 'applying a batch')).toBe(error);
  });
});
