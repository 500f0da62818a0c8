import pg from 'pg';
import { ConfigError, UnavailableError } from '../../domain/errors/journeyError.ts';
import { redactedUrl } from './redactedUrl.ts';

export type PostgresOptions = {
  readonly url: string;
  readonly poolSize?: number;
  /** shown in pg_stat_activity, so an operator sees which Journey process holds a connection */
  readonly applicationName?: string;
};

type PgError = Error & { code?: string };

const hostOf = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}`;
};

/** Why a first connection failed, in words that say what to change; never the password. */
export const connectFailureMessage = (url: string, error: PgError): string => {
  const where = `JOURNEY_DATABASE_URL=${redactedUrl(url)}`;
  const database = new URL(url).pathname.slice(1) || '(default)';
  const user = decodeURIComponent(new URL(url).username) || '(default)';
  switch (error.code) {
    case '28P01':
    case '28000':
      return `${where}: PostgreSQL at ${hostOf(url)} refused user "${user}" (${error.message}); check the user and password in JOURNEY_DATABASE_URL`;
    case '3D000':
      return `${where}: database "${database}" does not exist on ${hostOf(url)}; create it (createdb ${database}) or name another in JOURNEY_DATABASE_URL`;
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `${where}: PostgreSQL at ${hostOf(url)} is not reachable (${error.code}); start it, or unset JOURNEY_DATABASE_URL to keep the read models in SQLite`;
    default:
      return `${where}: cannot connect to PostgreSQL at ${hostOf(url)} (${error.code ?? 'error'}: ${error.message})`;
  }
};

const isUnreachable = (error: PgError): boolean =>
  ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', '57P03'].includes(error.code ?? '');

/**
 * A connection pool, tried once before it is handed out so that a wrong URL, password or an
 * unreachable server stops start-up with a clear message instead of failing the first query.
 */
export const connectPostgres = async (options: PostgresOptions): Promise<pg.Pool> => {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'journey',
    connectionTimeoutMillis: 10_000,
  });
  // an idle client losing its server is not fatal: the next query reconnects or fails itself
  pool.on('error', () => undefined);
  // nor is a checked-out one losing it between two queries (a bulk load's open transaction): pg
  // emits 'error', which unheard would crash the process; its next query fails as a lost connection
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const message = connectFailureMessage(options.url, error as PgError);
    throw isUnreachable(error as PgError) ? new UnavailableError(message) : new ConfigError(message);
  }
  return pool;
};
