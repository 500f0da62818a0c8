import { UnavailableError } from '../../domain/errors/journeyError.ts';
import { redactedUrl } from './redactedUrl.ts';

type PgError = Error & { code?: string };

/** socket errors, and the SQLSTATE classes of a server that went away or is not accepting yet */
const LOST_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const LOST_SQLSTATE = /^(08|57P0[1-3])/;
/** node-postgres says these without a code */
const LOST_MESSAGE =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect/;

/** whether `error` means the connection or the server went away, rather than the query was wrong */
export const isConnectionLost = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const code = (error as PgError).code ?? '';
  return LOST_CODES.has(code) || LOST_SQLSTATE.test(code) || LOST_MESSAGE.test(error.message);
};

/**
 * A lost connection as UnavailableError, so callers (the projection runner, the alerter, the
 * API) retry; any other error as it was. The pool drops the broken client and connects afresh.
 */
export const connectionLostError = (error: unknown, url: string | undefined, doing: string): unknown => {
  if (!isConnectionLost(error)) return error;
  const where = url === undefined ? 'PostgreSQL' : `PostgreSQL at ${redactedUrl(url)}`;
  return new UnavailableError(
    `${where} went away while ${doing} (${(error as Error).message}); retry once the server is back (check that it is running; the pool reconnects by itself)`,
    { cause: error },
  );
};

export const rethrowConnectionLost = (error: unknown, url: string | undefined, doing: string): never => {
  throw connectionLostError(error, url, doing);
};
