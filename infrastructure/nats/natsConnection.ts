import { readFileSync } from 'node:fs';
import { type ConnectionOptions, connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { UnavailableError } from '../../domain/errors/journeyError.ts';

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

/** the start-up failure, naming the URL and the two ways out */
export const unreachableError = (url: string, error: unknown): UnavailableError =>
  new UnavailableError(
    `NATS_URL=${displayUrl(url)} is not reachable (${codeOf(error)}); start nats-server -js or unset NATS_URL to run embedded`,
    { cause: error },
  );

export const connectNats = async (url: string, auth: NatsAuth = {}): Promise<NatsConnection> => {
  const options: ConnectionOptions = {
    servers: url.split(',').map((s) => s.trim()),
    name: 'journey-raw-log',
    // each publish otherwise builds an Error with a stack just in case (PERF-NOTES: 20k → 33k/s)
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
