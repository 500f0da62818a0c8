import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../domain/errors/journeyError.ts';
import type { JourneyConfig } from './config.ts';

export type Credentials = {
  /** write-key secret → source name (the name, never the secret, goes into logs and events) */
  readonly writeKeys: ReadonlyMap<string, string>;
  readonly apiToken: string;
  /** true when this start generated them */
  readonly generated: boolean;
};

type Stored = { writeKey: string; apiToken: string };

/**
 * `name:secret` entries (the name is the source recorded on each raw event) or a bare
 * `secret` (the old form, named source-<position>). A refusal names the entry by position,
 * never by its secret.
 */
const parseWriteKeys = (entries: readonly string[]): Map<string, string> => {
  const keys = new Map<string, string>();
  entries.forEach((entry, i) => {
    const at = entry.indexOf(':');
    const [secret, name] =
      at > 0 ? [entry.slice(at + 1).trim(), entry.slice(0, at).trim()] : [entry, `source-${i + 1}`];
    const where = `JOURNEY_WRITE_KEYS entry ${i + 1}${at > 0 ? ` (source ${name})` : ''}`;
    if (secret === '') throw new ConfigError(`${where} has no key after the colon; write it as source:key`);
    if (!/^[\w.-]{1,64}$/.test(name)) {
      throw new ConfigError(`${where}: the source name must be 1 to 64 letters, digits, _, . or -`);
    }
    const other = keys.get(secret);
    if (other !== undefined) {
      throw new ConfigError(`${where} repeats the key of source ${other}; give every source its own key`);
    }
    keys.set(secret, name);
  });
  return keys;
};

const isStored = (value: unknown): value is Stored =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Stored).writeKey === 'string' &&
  (value as Stored).writeKey !== '' &&
  typeof (value as Stored).apiToken === 'string' &&
  (value as Stored).apiToken.length >= 16;

/**
 * Written beside the target, then renamed over it: a write cut short (disk full, a
 * file-size limit, a crash) leaves no truncated credentials.json that every later start
 * would fail to parse.
 */
const writeAtomically = (file: string, text: string): void => {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
};

const credentialsFileMessage = (file: string, error: unknown): string =>
  `cannot read or create ${file} (${(error as Error).message}); make JOURNEY_DATA_DIR writable and delete a damaged file (new keys are generated), or set JOURNEY_WRITE_KEYS and JOURNEY_API_TOKEN`;

const tokenIsWriteKeyMessage = (source: string | undefined): string =>
  `JOURNEY_API_TOKEN is also a write key (source ${source}); write keys are public in browsers, so give the API its own token`;

/**
 * Write keys and the API token come from the environment; when either is unset the first
 * start generates one and keeps it in the data directory, so a plain `npm start` works
 * and survives restarts.
 */
export const resolveCredentials = (config: JourneyConfig): Credentials => {
  const file = join(config.JOURNEY_DATA_DIR, 'credentials.json');
  let stored: Stored | undefined;
  let generated = false;
  const needStored = config.JOURNEY_WRITE_KEYS === undefined || config.JOURNEY_API_TOKEN === undefined;
  if (needStored) {
    try {
      if (existsSync(file)) {
        const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
        if (!isStored(parsed)) throw new Error('it does not hold a writeKey and an apiToken of 16 characters or more');
        stored = parsed;
      } else {
        mkdirSync(config.JOURNEY_DATA_DIR, { recursive: true });
        stored = {
          writeKey: `wk_${randomBytes(16).toString('hex')}`,
          apiToken: `jt_${randomBytes(24).toString('hex')}`,
        };
        writeAtomically(file, `${JSON.stringify(stored, null, 2)}\n`);
        generated = true;
      }
    } catch (error) {
      throw new ConfigError(credentialsFileMessage(file, error));
    }
  }
  const writeKeys = config.JOURNEY_WRITE_KEYS ?? (stored ? [`default:${stored.writeKey}`] : []);
  if (writeKeys.length === 0) throw new ConfigError('JOURNEY_WRITE_KEYS is empty; name at least one write key');
  const keys = parseWriteKeys(writeKeys);
  const apiToken = config.JOURNEY_API_TOKEN ?? stored?.apiToken ?? '';
  // the token reads every journey; a key sits in every browser that tracks, so they must differ
  if (keys.has(apiToken)) {
    throw new ConfigError(tokenIsWriteKeyMessage(keys.get(apiToken)));
  }
  return { writeKeys: keys, apiToken, generated };
};
