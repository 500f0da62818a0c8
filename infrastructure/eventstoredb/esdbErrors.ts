import { convertToCommandError, ErrorType, isCommandError } from '@eventstore/db-client';
import { ConfigError, isJourneyError, UnavailableError } from '../../domain/errors/journeyError.ts';

/** the connection string with any `user:password@` removed, for messages and logs */
export const redact = (connectionString: string): string => connectionString.replace(/\/\/[^@/]*@/, '//');

const hostOf = (connectionString: string): string =>
  /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]+)/i.exec(connectionString)?.[1] ?? connectionString;

const TLS_HINTS = /ssl|tls|handshake|certificate|wrong version number|protocol error|http2|rst_stream|eproto/i;

/**
 * Turns what the client throws into the port's errors, with what to change. Errors that are
 * already Journey's (conflicts, validation) pass through unchanged; unknown ones are kept as
 * the cause of an UnavailableError that names the server.
 */
const credentialsRefusedMessage = (shown: string, host: string, doing: string, detail: string): string =>
  `${shown}: EventStoreDB at ${host} refused the credentials while ${doing} (${detail}); put a valid user in the connection string (esdb://admin:changeit@${host}) or give the user access to $all`;

const tlsMismatchMessage = (shown: string, host: string, doing: string, detail: string, tls: boolean): string =>
  `${shown}: the TLS setting does not match EventStoreDB at ${host} while ${doing} (${detail}); ${tls ? 'the server expects TLS: remove tls=false (and set tlsCAFile if its certificate is self-signed)' : 'for a server started with --insecure add ?tls=false; otherwise set tlsCAFile to the CA that signed its certificate'}`;

const esdbUnreachableMessage = (shown: string, host: string, doing: string, detail: string): string =>
  `${shown}: EventStoreDB at ${host} is not reachable while ${doing} (${detail}); start it (docker compose up eventstore) or unset EVENTSTORE_CONNECTION_STRING to use the embedded SQLite store`;

export const translateEsdbError = (error: unknown, connectionString: string, doing: string): Error => {
  if (isJourneyError(error)) return error;
  const converted = error instanceof Error && !isCommandError(error) ? convertToCommandError(error) : error;
  const shown = `EVENTSTORE_CONNECTION_STRING=${redact(connectionString)}`;
  const host = hostOf(connectionString);
  const detail = converted instanceof Error ? converted.message : String(converted);
  const type = isCommandError(converted as Error) ? (converted as { type: ErrorType }).type : undefined;
  const tls = /tls=false/i.test(connectionString);
  if (type === ErrorType.ACCESS_DENIED) {
    return new ConfigError(credentialsRefusedMessage(shown, host, doing, detail));
  }
  if (TLS_HINTS.test(detail)) {
    return new ConfigError(tlsMismatchMessage(shown, host, doing, detail, tls));
  }
  if (type === ErrorType.UNAVAILABLE || type === ErrorType.DEADLINE_EXCEEDED || type === ErrorType.CANCELLED) {
    return new UnavailableError(esdbUnreachableMessage(shown, host, doing, detail), { cause: error });
  }
  return new UnavailableError(`${shown}: EventStoreDB at ${host} failed while ${doing}: ${detail}`, { cause: error });
};
