import { UnavailableError } from '../../domain/errors/journeyError.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
/** SQLSTATEs of a server shutting down, crashing or still starting */
const SERVER_GONE_STATES = new Set(['57P01', '57P02', '57P03']);
/** node-postgres says these in words only */
const GONE_MESSAGES = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /timeout exceeded when trying to connect/,
];

/** true for an error meaning the server went away (or is not back yet), not that the query was wrong */
export const isServerGone = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_GONE_STATES.has(code) || code.startsWith('08')))
    return true;
  return GONE_MESSAGES.some((m) => m.test(error.message));
};

/** A lost server as UnavailableError, which callers retry; any other error as it was. */
export const asUnavailable = (error: unknown, doing: string): unknown =>
  isServerGone(error)
    ? new UnavailableError(
        `PostgreSQL went away while ${doing} (${(error as Error).message}); retry once the server at JOURNEY_DATABASE_URL is back (the pool reconnects by itself)`,
        { cause: error },
      )
    : error;
