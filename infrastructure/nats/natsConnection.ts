import { existsSync, readFileSync } from 'node:fs';
import { type ConnectionOptions, connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { ConfigError, UnavailableError } from '../../domain/errors/journeyError.ts';

/** how to authenticate; every field optional, secrets never appear in messages */
export type NatsAuth = {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  /** path of a .creds file */
  readonly credsFile?: string;
  /** path of a PEM CA bundle; setting it turns TLS on */
  readonly tlsCaFile?: string;
};

/** the server list as written, minus any user:password@ part, for messages */
export const displayUrl = (url: string): string => url.replace(/\/\/[^@/]*@/g, '//');

const codeOf = (error: unknown): string => {
  const e = error as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  if (typeof e.cause?.code === 'string') return e.cause.code;
  if (typeof e.code === 'string') return e.code;
  return typeof e.message === 'string' ? e.message : String(error);
};

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|EPROTO/;

const isAuthError = (error: unknown): boolean => {
  const e = error as { name?: unknown; message?: unknown };
  return e.name === 'AuthorizationError' || /authorization violation|authentication/i.test(String(e.message ?? ''));
};

const natsCredentialsRefusedMessage = (url: string, code: string): string =>
  `NATS_URL=${displayUrl(url)} refused the credentials (${code}); set NATS_USER and NATS_PASSWORD, NATS_TOKEN or NATS_CREDS to what the server's authorization expects`;

const natsTlsFailedMessage = (url: string, detail: string): string =>
  `NATS_URL=${displayUrl(url)}: TLS failed (${detail}); set NATS_TLS_CA to the PEM file of the CA that signed the server's certificate, and connect with a host name the certificate names`;

const natsUnreachableMessage = (url: string, code: string): string =>
  `NATS_URL=${displayUrl(url)} is not reachable (${code}); start nats-server -js or unset NATS_URL to run embedded`;

const missingFileMessage = (variable: string, file: string): string =>
  `${variable}=${file} does not exist; point it at the file, or unset ${variable}`;

/** the start-up failure, naming the URL and the way out: credentials, TLS, or the server itself */
export const unreachableError = (url: string, error: unknown): UnavailableError => {
  if (isAuthError(error))
    return new UnavailableError(natsCredentialsRefusedMessage(url, codeOf(error)), { cause: error });
  const code = codeOf(error);
  const message = String((error as { message?: unknown }).message ?? '');
  if (TLS_CODES.test(code) || /certificate|tls/i.test(message))
    return new UnavailableError(natsTlsFailedMessage(url, message || code), { cause: error });
  return new UnavailableError(natsUnreachableMessage(url, code), { cause: error });
};

export const connectNats = async (url: string, auth: NatsAuth = {}): Promise<NatsConnection> => {
  const readable = (file: string | undefined, variable: string): void => {
    if (file !== undefined && !existsSync(file)) throw new ConfigError(missingFileMessage(variable, file));
  };
  readable(auth.credsFile, 'NATS_CREDS');
  readable(auth.tlsCaFile, 'NATS_TLS_CA');
  const options: ConnectionOptions = {
    servers: url.split(',').map((s) => s.trim()),
    name: 'journey-raw-log',
    // each publish otherwise builds an Error with a stack, just in case
    noAsyncTraces: true,
    // an outage is temporary: keep reconnecting, and let publishes fail with 503 meanwhile
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    ...(auth.user !== undefined ? { user: auth.user, pass: auth.password ?? '' } : {}),
    ...(auth.token !== undefined ? { token: auth.token } : {}),
    ...(auth.credsFile !== undefined
      ? { authenticator: credsAuthenticator(new Uint8Array(readFileSync(auth.credsFile))) }
      : {}),
    ...(auth.tlsCaFile !== undefined ? { tls: { caFile: auth.tlsCaFile } } : {}),
  };
  try {
    return await connect(options);
  } catch (error) {
    throw unreachableError(url, error);
  }
};
